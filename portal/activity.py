"""The audit trail in words: what an entry's action code and changes mean, for every activity list
(dashboard, programme page, ranking history, audit list). One place, so a new action is named once.

``describe(entry)`` → "推荐了《伺服电机降噪攻关》"; ``changes(entry)`` → [("状态", "推荐审核", "专家评价")].
The codes stay in the database and the exports; people read these phrases.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

# %(object)s: the entry's object as recorded (a project's name, a programme's title, a person…).
ACTIONS = {
    "account.register": _("注册了账号“%(object)s”"),
    "organisation.register": _("登记了单位“%(object)s”"),
    "organisation.update": _("修改了单位“%(object)s”的信息"),
    "membership.request": _("申请加入单位（%(object)s）"),
    "membership.approve": _("批准了加入单位的申请（%(object)s）"),
    "membership.reject": _("拒绝了加入单位的申请（%(object)s）"),
    "recommending_unit.contact": _("更新了推荐单位“%(object)s”的联系人"),
    # registration
    "application.create": _("新建了申报《%(object)s》"),
    "application.save_draft": _("保存了《%(object)s》的草稿"),
    "application.autosave": _("自动保存了《%(object)s》的草稿"),
    "application.evidence_add": _("为《%(object)s》上传了证明材料"),
    "application.evidence_remove": _("删除了《%(object)s》的证明材料"),
    "application.submit": _("提交了《%(object)s》"),
    "application.resubmit": _("重新提交了《%(object)s》"),
    "application.return": _("退回《%(object)s》修改"),
    # recommendation
    "application.endorse_street": _("推荐了《%(object)s》（报区市场监管局复核）"),
    "application.endorse": _("推荐了《%(object)s》"),
    "application.decline": _("不予推荐《%(object)s》"),
    "application.return_to_street": _("将《%(object)s》退回街镇重新审核"),
    "recommendation.rank": _("调整了推荐排序（%(object)s）"),
    "recommendation.remind": _("提醒推荐单位处理“%(object)s”的待审核申报"),
    "reminder.sent": _("发送了截止提醒（%(object)s）"),
    "duplicate.dismiss": _("排除了疑似重复（%(object)s）"),
    # programme
    "programme.open": _("开放申报“%(object)s”"),
    "programme.start_recommending": _("截止申报，“%(object)s”进入推荐审核"),
    "programme.start_reviewing": _("“%(object)s”进入专家评价"),
    "programme.start_determining": _("“%(object)s”进入成果评定"),
    "programme.publish": _("公布了“%(object)s”的成果"),
    "programme.close": _("关闭了批次“%(object)s”"),
    "programme.reopen": _("重新开放申报“%(object)s”"),
    "programme.unpublish": _("撤回了“%(object)s”的公布"),
    "programme.assign_rubric": _("为“%(object)s”指定了评分细则"),
    "programme.settings": _("修改了“%(object)s”的设置"),
    # expert evaluation
    "expert.create": _("新增评审专家“%(object)s”"),
    "rubric.load": _("导入了评分细则“%(object)s”"),
    "rubric.copy": _("复制了评分细则“%(object)s”"),
    "rubric.replace": _("替换了评分细则“%(object)s”"),
    "panel.create": _("新建了评审组“%(object)s”"),
    "panel.update": _("修改了评审组“%(object)s”"),
    "panel.delete": _("删除了评审组“%(object)s”"),
    "pledge.accept": _("签署了保密及回避承诺（%(object)s）"),
    "conflict.detect": _("检测到利益关系（%(object)s）"),
    "conflict.declare": _("申请回避（%(object)s）"),
    "conflict.declare_unit": _("登记了利益关系单位（%(object)s）"),
    "conflict.confirm": _("确认了利益关系（%(object)s）"),
    "conflict.dismiss": _("排除了利益关系（%(object)s）"),
    "conflict.set": _("登记了利益关系（%(object)s）"),
    "assignment.propose": _("生成了自动分配方案（%(object)s）"),
    "assignment.apply_proposal": _("采用了自动分配方案（%(object)s）"),
    "assignment.assign": _("分配了评审任务（%(object)s）"),
    "assignment.remove": _("撤回了评审任务（%(object)s）"),
    "assignment.recuse": _("评审任务因回避撤回（%(object)s）"),
    "assignment.remind": _("提醒专家提交“%(object)s”的评分"),
    "score.save_draft": _("保存了评分草稿（%(object)s）"),
    "score.submit": _("提交了评分（%(object)s）"),
    "score.reopen": _("退回评分修改（%(object)s）"),
    "score.discard": _("作废了评分（%(object)s）"),
    "defence.schedule": _("安排了现场答辩“%(object)s”"),
    "defence.update": _("修改了现场答辩“%(object)s”"),
    "defence.attendance": _("记录了答辩出席情况（%(object)s）"),
    # determination and publication
    "awards.settings": _("修改了评定设置（%(object)s）"),
    "awards.seal.change": _("更换了证书印章（%(object)s）"),
    "awards.override": _("调整了《%(object)s》的奖项等级"),
    "awards.override_clear": _("将《%(object)s》恢复为拟定等级"),
    "awards.approve": _("批准了“%(object)s”的评定结果"),
    "awards.reopen": _("撤回了“%(object)s”评定结果的批准"),
    "awards.publish": _("公布了“%(object)s”的成果"),
    "awards.unpublish": _("撤回了“%(object)s”的公布"),
}

# "<model>.<verb>" written by the admin and the imports (portal.admin, portal.resources).
VERBS = {
    "create": _("新建了%(model)s“%(object)s”"),
    "change": _("修改了%(model)s“%(object)s”"),
    "update": _("修改了%(model)s“%(object)s”"),
    "delete": _("删除了%(model)s“%(object)s”"),
    "import": _("导入了%(model)s“%(object)s”"),
}

# Change keys that are not fields of the entry's model (summaries the services record).
KEYS = {
    "status": _("状态"), "tier": _("等级"), "tiers": _("各等级项目数"), "pairs": _("分配数"),
    "unstaffed": _("未配齐项目数"), "seed": _("随机种子"), "programme": _("申报批次"), "order": _("排序"),
    "units": _("推荐单位"), "experts": _("专家"), "unsubmitted": _("未提交评分数"), "reminder": _("提醒"),
    "recipient": _("接收人"), "created": _("新分配"), "skipped": _("未分配"), "approved_at": _("批准时间"),
    "published_at": _("公布时间"), "score_discarded": _("评分已作废"), "end_reason": _("结束原因"),
    "reason": _("理由"), "unit_name": _("单位名称"), "credit_code": _("统一社会信用代码"),
    "matched_applications": _("匹配的申报项目"), "accepted_at": _("签署时间"), "items": _("评分明细"),
    "evidence": _("证明材料"), "total": _("总分"), "name": _("名称"), "rubric": _("评分细则"),
    "attendance": _("出席情况"),
}

_STATUS_MODELS = ("portal.Programme", "applications.Application", "scoring.Assignment", "scoring.Score",
                  "scoring.ConflictOfInterest", "portal.OrganisationMembership")


def _model(entry):
    content_type_id = getattr(entry, "content_type_id", None)
    # get_for_id is cached: a page of entries costs no query per row.
    return ContentType.objects.get_for_id(content_type_id).model_class() if content_type_id else None


def describe(entry) -> str:
    """What the entry's actor did, in words (without the actor's name): "推荐了《…》"."""
    action = entry.action or ""
    values = {"object": entry.object_repr or "—"}
    phrase = ACTIONS.get(action)
    if phrase is None:
        verb = VERBS.get(action.rpartition(".")[2])
        model = _model(entry)
        if verb is None or model is None:
            return action
        phrase, values["model"] = verb, model._meta.verbose_name
    return phrase % values


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist, or a reverse relation without a verbose name
        return None


def _status_label(value):
    for label in _STATUS_MODELS:
        try:
            choices = dict(apps.get_model(label)._meta.get_field("status").flatchoices)
        except LookupError:
            continue
        if value in choices:
            return choices[value]
    return value


def _value(field, name, value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _g("是") if value else _g("否")
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if isinstance(value, list):
        return "、".join(str(_value(field, name, v)) for v in value) or None
    if isinstance(value, dict):
        return "；".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, str | int) and value in choices:
        return choices[value]
    if name == "status":
        return _status_label(value)
    if name == "tier" or name.endswith("_tier"):
        return dict(apps.get_model("awards", "Award")._meta.get_field("tier").flatchoices).get(value, value)
    return value


def changes(entry_or_changes, entry=None) -> list[tuple[str, object, object]]:
    """(label, before, after) for each change, fields named by their verbose name and choice codes
    shown by their labels. Accepts an entry, or its changes with the entry (or None)."""
    if entry is None and hasattr(entry_or_changes, "changes"):
        entry = entry_or_changes
        raw = entry.changes
    else:
        raw = entry_or_changes
    if not isinstance(raw, dict):
        return []
    model = _model(entry) if entry else None
    rows = []
    for name, pair in raw.items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            pair = [None, pair]  # a malformed row still shows, rather than breaking the page
        field = _field(model, name)
        label = field.verbose_name if field is not None and hasattr(field, "verbose_name") else KEYS.get(name, name)
        rows.append((str(label), _value(field, name, pair[0]), _value(field, name, pair[1])))
    return rows
