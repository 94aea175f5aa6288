"""The catalogue of notifications: one entry per message (subject, body, link), Chinese source strings
with named placeholders, translated through locale/ like every other string.

A notification stores its key and parameters (portal.models.Notification.message_key / params), not
text: the feed renders it in the reader's language, the mail task in the recipient's. Parameters are
plain JSON values; a value that itself needs translating is a reference made with ``ref`` (another
entry's body), ``choice`` (a model field's choice label) or ``join`` (a list of such values).
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Message:
    key: str
    subject: str
    body: str = ""
    link: str = ""  # URL name; reversed with the parameters named in link_args
    link_args: tuple[str, ...] = ()
    query: str = ""  # "programme={programme_id}": formatted with the parameters


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    link: str  # a path ("/applications/1/"); absolute() for e-mail


_REVIEW = ("applications:review", ("application_id",))
_EDIT = ("applications:edit", ("application_id",))

MESSAGES = {m.key: m for m in [
    # --- registration (applications.services.submission) ---
    Message("application.submitted", _("申报已提交：%(name)s"),
            _("%(org)s 的“%(name)s”（%(programme)s）已提交第%(n)d版，请推荐单位审核。"), *_EDIT),
    Message("application.resubmitted", _("申报已重新提交：%(name)s"),
            _("%(org)s 的“%(name)s”（%(programme)s）已提交第%(n)d版，请推荐单位审核。"), *_EDIT),
    Message("application.resubmitted.bureau", _("退回的申报已重新提交：%(name)s"),
            _("%(org)s 已修改并重新提交您退回的“%(name)s”（第%(n)d版），等待%(street)s复核后报您审核。"), *_REVIEW),
    Message("application.returned", _("申报被退回修改：%(name)s"), _("退回意见：%(text)s"), *_EDIT),
    # --- recommendation (applications.services.recommendation) ---
    Message("recommendation.returned.street", _("申报被退回修改：%(name)s"), _("退回意见：%(text)s"), *_REVIEW),
    Message("recommendation.street_endorsed.bureau", _("街镇已推荐，请复核：%(name)s"),
            _("%(unit)s 已推荐“%(name)s”，请区市场监管局复核。"), *_REVIEW),
    Message("recommendation.street_endorsed.applicant", _("街镇已推荐：%(name)s"),
            _("%(unit)s 已推荐“%(name)s”，待区市场监管局复核。"), *_EDIT),
    Message("recommendation.endorsed.street", _("区市场监管局已推荐：%(name)s"),
            _("%(unit)s 已推荐“%(name)s”至主管部门。"), *_REVIEW),
    Message("recommendation.endorsed.applicant", _("申报已获推荐：%(name)s"),
            _("%(unit)s 已推荐“%(name)s”至主管部门。"), *_EDIT),
    Message("recommendation.declined.street", _("区市场监管局不予推荐：%(name)s"), _("理由：%(reason)s"), *_REVIEW),
    Message("recommendation.declined.applicant", _("申报未获推荐：%(name)s"),
            _("%(unit)s 不予推荐“%(name)s”。理由：%(reason)s"), *_EDIT),
    Message("recommendation.returned_to_street.street", _("区市场监管局退回街镇重新审核：%(name)s"),
            _("意见：%(text)s"), *_REVIEW),
    Message("recommendation.returned_to_street.applicant", _("申报退回街镇重新审核：%(name)s"),
            _("区市场监管局已将“%(name)s”退回街镇重新审核，无需申报单位修改。"), *_EDIT),
    Message("recommendation.reminder", _("请及时处理待审核的申报：%(title)s"),
            _("%(unit)s 尚有%(n)d项申报待审核推荐，推荐截止时间为%(deadline)s。"),
            "applications:recommend_workspace", query="programme={programme_id}"),
    # --- expert evaluation (scoring.services) ---
    Message("assignment.proposal_ready", _("自动分配方案已生成"),
            _("“%(programme)s”的自动分配方案已生成：%(pairs)d 个分配，%(n)d 个项目未配齐。"),
            "scoring:proposal_detail", ("proposal_id",)),
    Message("assignment.new_tasks", _("新的评审任务"),
            _("“%(programme)s”为您分配了 %(n)d 项评审任务。请先签署保密及回避承诺，再查看申报材料并评分。"),
            "scoring:expert_home"),
    Message("assignment.reminder", _("评分提醒"),
            _("您在“%(programme)s”中还有 %(n)d 项评分尚未提交，评分截止时间：%(deadline)s。"), "scoring:expert_home"),
    Message("assignment.withdrawn", _("评审任务调整"),
            _("您在“%(programme)s”中的一项评审任务已撤回，不再需要评分。如有疑问请联系主管部门。")),
    Message("assignment.recused", _("专家回避"), _("专家 %(expert)s 已回避项目“%(project)s”：%(reason)s")),
    Message("conflict.declared", _("专家申请回避"), _("专家 %(expert)s 申请回避项目“%(project)s”：%(reason)s")),
    Message("conflict.unit_declared", _("专家登记利益关系单位"),
            _("专家 %(expert)s 在“%(programme)s”中登记了利益关系单位“%(unit)s”，匹配申报项目 %(n)d 项。")),
    Message("pledge.accepted", _("已签署保密及回避承诺"),
            _("您已于 %(time)s 签署“%(programme)s”的保密及回避承诺，现在可以查看分配给您的申报项目。")),
    Message("panel.joined", _("加入评审组"), _("您已加入“%(programme)s”的评审组“%(panel)s”。")),
    Message("score.submitted", _("评分已提交：%(name)s"), _("您的评分已提交并锁定，总分 %(total)s。"),
            "scoring:score_sheet", ("assignment_id",)),
    Message("score.reopened", _("评分已退回修改：%(name)s"), _("主管部门退回了您的评分，理由：%(reason)s"),
            "scoring:score_sheet", ("assignment_id",)),
    Message("defence.scheduled", _("现场答辩安排：%(title)s"),
            _("项目“%(a)s”答辩时间：%(day)s %(start)s–%(end)s（第 %(n)d 位）；%(where)s"), "scoring:defence_mine"),
    Message("defence.changed", _("现场答辩安排变更：%(title)s"),
            _("项目“%(a)s”答辩时间：%(day)s %(start)s–%(end)s（第 %(n)d 位）；%(where)s"), "scoring:defence_mine"),
    Message("defence.cancelled", _("现场答辩安排取消：%(title)s"),
            _("项目“%(a)s”原定于场次“%(s)s”的答辩已取消，新的安排将另行通知。"), "scoring:defence_mine"),
    Message("defence.invitation", _("现场答辩邀请：%(title)s"), _("%(day)s %(start)s–%(end)s；%(where)s"),
            "scoring:defence_detail", ("session_id",)),
    Message("defence.session", _("现场答辩安排：%(title)s"), _("%(day)s %(start)s–%(end)s；%(where)s"),
            "scoring:defence_detail", ("session_id",)),
    # E-mail only (the link is a credential, never kept in the feed): scoring.services.experts.
    Message("expert.invitation", _("评审专家账号已开通 — %(portal)s"), _(
        "%(name)s 您好：\n\n%(portal)s已为您开通评审专家账号，登录名为 %(username)s。\n"
        "请在 %(days)d 天内通过以下链接设置密码：\n%(link)s\n\n链接过期后，请联系主管部门重新发送。")),
    # --- determination and publication (awards.services) ---
    Message("awards.settings_changed", _("评定设置已修改：%(title)s"), "", "awards:ranking", ("programme_id",)),
    Message("awards.override", _("奖项等级调整：%(project)s → %(tier)s"), "%(reason)s",
            "awards:ranking", ("programme_id",)),
    Message("awards.override_cleared", _("奖项等级恢复为拟定等级：%(project)s"), "%(reason)s",
            "awards:ranking", ("programme_id",)),
    Message("awards.approved", _("评定结果已批准：%(title)s"), "%(counts)s", "awards:ranking", ("programme_id",)),
    Message("awards.reopened", _("评定结果已撤回批准：%(title)s"), "%(reason)s", "awards:ranking", ("programme_id",)),
    Message("awards.unpublished", _("已撤回公布：%(title)s"), "%(reason)s", "awards:ranking", ("programme_id",)),
    Message("awards.published.applicant", _("成果公布：%(title)s"),
            _("贵单位申报的项目“%(project)s”评定结果：%(outcome)s。"), "dashboard"),
    Message("awards.published.recommender", _("成果公布：%(title)s"),
            _("本年度共认定成果 %(n)s 项，名单已向社会公布。"), "awards:public_list", query="year={year}"),
    # --- accounts (portal.services.accounts) ---
    Message("membership.requested", _("加入申请：%(name)s 申请加入 %(org)s"), _("请登录平台批准或拒绝该申请。"),
            "membership_requests"),
    Message("membership.approved", _("您加入 %(org)s 的申请已批准"), "", "dashboard"),
    Message("membership.rejected", _("您加入 %(org)s 的申请未获批准"), "", "dashboard"),
    # --- deadline reminders (applications.reminders, scoring.reminders) ---
    Message("reminder.submission_deadline", _("申报截止提醒：%(title)s"),
            _("“%(title)s”申报截止时间为%(deadline)s，贵单位尚有%(n)d项申报未提交。"), "applications:list"),
    Message("reminder.recommendation_deadline", _("推荐截止提醒：%(title)s"),
            _("“%(title)s”推荐截止时间为%(deadline)s，本单位尚有%(n)d项申报待审核推荐。"),
            "applications:recommend_workspace", query="programme={programme_id}"),
    Message("reminder.scoring_deadline", _("评分截止提醒：%(title)s"),
            _("“%(title)s”评分截止时间为%(deadline)s，您尚有%(n)d项评分未提交。"), "scoring:expert_home"),
    # --- fragments: parameters that need translating ---
    Message("fragment.unset", "", _("（未设定）")),
    Message("fragment.portal_name", "", settings.PORTAL_NAME),
    Message("fragment.meeting_link", "", _("会议链接：%(link)s")),
    Message("fragment.tier_count", "", "%(tier)s %(n)s"),
]}


def ref(key: str, **params) -> dict:
    """A parameter rendered as another entry's body (in the reader's language)."""
    return {"msg": key, "params": params}


def choice(model: str, field: str, value) -> dict:
    """A parameter shown as a choice's label: choice("awards.Award", "tier", "first") → 一等奖."""
    return {"choice": f"{model}.{field}", "value": value}


def join(items, sep: str = "；") -> dict:
    return {"join": list(items), "sep": sep}


def _label(path: str, value) -> str:
    app_label, model, field = path.split(".")
    try:
        choices = dict(apps.get_model(app_label, model)._meta.get_field(field).flatchoices)
    except LookupError:
        return str(value)
    return str(choices.get(value, value))


def _value(value):
    if isinstance(value, dict):
        if "msg" in value:
            message = MESSAGES.get(value["msg"])
            return str(message.body) % _values(value.get("params") or {}) if message else ""
        if "choice" in value:
            return _label(value["choice"], value.get("value"))
        if "join" in value:
            return str(value.get("sep", "；")).join(str(_value(v)) for v in value["join"] if v not in (None, ""))
    return value


def _values(params: dict) -> dict:
    return {name: _value(value) for name, value in params.items()}


def render(key: str, params: dict, language: str | None = None) -> Rendered | None:
    """The message in ``language`` (the active one if None); None when the key is unknown or the
    parameters do not fit (the caller then falls back to the text stored with the notification)."""
    message = MESSAGES.get(key)
    if message is None:
        return None
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        try:
            values = _values(params)
            subject = str(message.subject) % values
            body = str(message.body) % values if message.body else ""
            link = ""
            if message.link:
                link = reverse(message.link, args=[params[a] for a in message.link_args])
                if message.query:
                    link += "?" + message.query.format(**params)
        except (KeyError, TypeError, ValueError, NoReverseMatch):
            return None
    return Rendered(subject, body, link)


def absolute(link: str) -> str:
    """A path made absolute with SITE_URL (e-mails leave the site: a bare path is a dead link)."""
    if not link or "://" in link:
        return link
    return settings.SITE_URL.rstrip("/") + link


def email_text(rendered: Rendered) -> str:
    """The e-mail's body: the message and its absolute link on a line of its own."""
    return "\n\n".join(part for part in (rendered.body, absolute(rendered.link)) if part)
