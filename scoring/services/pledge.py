"""The confidentiality and recusal pledge (保密及回避承诺, DB31/T 1368—2022 §5.1, §5.2): an expert
accepts it once per programme before seeing any of its applications. The accepted text is stored
with the time, so what was promised stays on record even if the wording changes later."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.permissions import require
from portal.services import audit
from portal.services.notify import notify
from scoring.models import ConfidentialityPledge
from scoring.permissions import expert_profile_of, may_accept_pledge


def pledge_statement(programme) -> str:
    """The statement for ``programme``: objective and fair, recusal, confidentiality."""
    return _(
        "本人自愿担任“%(programme)s”的评审专家，郑重承诺：\n"
        "一、坚持客观、公平、公正的原则，依据评价要求独立评价，不受任何单位和个人的影响。\n"
        "二、廉洁自律，对与本人存在利益关系的项目或组织（包括本人现工作单位、曾任职单位、同一集团的单位，"
        "以及本人参与的项目）主动申请回避；评价过程中发现应当回避的情形，立即申请回避并停止评价。\n"
        "三、严守秘密，不泄露评价过程中的情况和未经批准的评价中间结果，不复制、留存或向他人提供申报材料，"
        "不私下接触申报单位。\n"
        "四、如违反上述承诺，本人愿意承担相应责任，并接受主管部门的处理。"
    ) % {"programme": programme.title}


def has_accepted(user, programme) -> bool:
    profile = expert_profile_of(user)
    return profile is not None and ConfidentialityPledge.objects.filter(expert=profile, programme=programme).exists()


def accept_pledge(user, programme, *, via: str = "web") -> ConfidentialityPledge:
    """Records the expert's acceptance (idempotent: a second call returns the first record)."""
    require(may_accept_pledge(user, programme))
    profile = expert_profile_of(user)
    existing = ConfidentialityPledge.objects.filter(expert=profile, programme=programme).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            pledge = ConfidentialityPledge.objects.create(
                expert=profile, programme=programme, statement=pledge_statement(programme))
            audit.record(user, "pledge.accept", pledge, via=via, changes={
                "programme": [None, programme.pk], "accepted_at": [None, pledge.accepted_at.isoformat()]})
    except IntegrityError:  # accepted twice at once: the first one stands
        return ConfidentialityPledge.objects.get(expert=profile, programme=programme)
    notify([user], "pledge.accepted", params={
        "time": timezone.localtime(pledge.accepted_at).strftime("%Y-%m-%d %H:%M"), "programme": programme.title},
        about=programme)
    return pledge
