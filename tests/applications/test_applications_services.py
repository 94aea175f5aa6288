"""Registration services: drafts, the completeness check, submission, return and resubmission."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from applications.models import ApplicationStatus, ApplicationVersion, EvidenceKind, ReturnComment
from applications.services import drafts, submission
from applications.services.completeness import completeness_check
from applications.services.errors import IncompleteApplication, StaleApplication
from applications.services.versions import diff_versions
from portal.models import AuditEntry, ProgrammeStatus
from portal.models.users import Role
from portal.services.errors import DomainError, InvalidTransition, PermissionDenied
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    EvidenceFactory,
    ProgrammeFactory,
    UserFactory,
    complete_application,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def member_of(app):
    return ApplicantFactory(organisation=app.organisation)


@pytest.mark.django_db
def test_create_draft_and_one_application_per_project(applicant):
    programme = ProgrammeFactory()
    app = drafts.create_draft(applicant, programme, "  新能源汽车电驱系统NVH性能提升  ")
    assert app.status == ApplicationStatus.DRAFT
    assert app.project_name == "新能源汽车电驱系统NVH性能提升"
    assert app.organisation == applicant.membership.organisation
    with pytest.raises(DomainError, match="一个项目只能申报一次"):
        drafts.create_draft(applicant, programme, "新能源汽车电驱系统NVH性能提升")
    assert AuditEntry.objects.filter(action="application.create", object_id=str(app.pk)).exists()


@pytest.mark.django_db
def test_a_draft_with_missing_fields_saves():
    app = ApplicationFactory()
    user = member_of(app)
    saved = drafts.save_draft(user, app, data={"background": "只写了一段背景。", "investment": None}, team=[])
    assert saved.background == "只写了一段背景。"
    assert saved.lock_version == 1
    entry = AuditEntry.objects.get(action="application.save_draft", object_id=str(app.pk))
    assert entry.changes["background"] == ["", "只写了一段背景。"]


@pytest.mark.django_db
def test_submitting_an_incomplete_draft_lists_exactly_what_is_missing():
    app = complete_application(background="", sales_before=Decimal("100"))
    app.evidence.all().delete()
    with pytest.raises(IncompleteApplication) as caught:
        submission.submit(member_of(app), app)
    messages = [m.message for m in caught.value.missing]
    assert messages == [
        "请填写“项目背景意义”。",
        "请上传“签章页”：三位负责人签字并加盖单位公章的意见页。",
        "已填写经济效益数据，请上传“经济效益计算说明”。",
    ]
    assert [m.section for m in caught.value.missing] == ["intro", "evidence", "evidence"]
    assert caught.value.missing[0].anchor == "id_background"
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT


@pytest.mark.django_db
def test_completeness_of_an_empty_draft_covers_every_kind_of_item():
    app = ApplicationFactory(advancement_level="leading")
    found = {m.message for m in completeness_check(app)}
    assert "请填写“项目类别”。" in found
    assert "请填写“单位负责人意见”。" in found
    assert "请至少填写1名攻关项目组成员。" in found
    assert "请选择推荐单位。" in found
    assert "项目先进水平为“国际先进或国内领先”，请上传检测报告、鉴定报告或检索报告之一。" in found


@pytest.mark.django_db
def test_leading_level_needs_a_test_appraisal_or_search_report():
    app = complete_application(advancement_level="leading")
    assert [m.section for m in completeness_check(app)] == ["evidence"]
    EvidenceFactory(application=app, kind=EvidenceKind.SEARCH_REPORT)
    assert completeness_check(app) == []


@pytest.mark.django_db
def test_team_members_need_every_column():
    app = complete_application()
    app.team_members.update(education="")
    assert [m.message for m in completeness_check(app)] == [
        "攻关项目组成员第1位缺少：学历。", "攻关项目组成员第2位缺少：学历。"]


@pytest.mark.django_db
def test_a_ninth_team_member_is_refused_by_the_service():
    app = ApplicationFactory()
    row = {"name": "张三", "gender": "male", "title": "工程师", "education": "bachelor", "work_unit": "质量部"}
    with pytest.raises(DomainError, match="最多8名"):
        drafts.save_draft(member_of(app), app, data={}, team=[row] * 9)
    drafts.save_draft(member_of(app), app, data={}, team=[row] * 8)
    assert app.team_members.count() == 8


@pytest.mark.django_db
def test_negative_sales_refused_negative_profit_accepted():
    app = ApplicationFactory()
    user = member_of(app)
    with pytest.raises(DomainError, match="不能为负数"):
        drafts.save_draft(user, app, data={"sales_before": Decimal("-1")})
    saved = drafts.save_draft(user, app, data={"profit_before": Decimal("-35.50"), "sales_before": Decimal("0")})
    assert saved.profit_before == Decimal("-35.50")


@pytest.mark.django_db
def test_the_database_refuses_negative_figures_too():
    from django.db import IntegrityError, transaction

    app = ApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(app).objects.filter(pk=app.pk).update(forex_after=Decimal("-5"))


@pytest.mark.django_db
def test_a_stale_form_does_not_overwrite_newer_work():
    app = ApplicationFactory()
    user = member_of(app)
    drafts.save_draft(user, app, data={"background": "甲"}, lock_version=0)
    with pytest.raises(StaleApplication):
        drafts.save_draft(user, app, data={"background": "乙"}, lock_version=0)
    app.refresh_from_db()
    assert app.background == "甲"


@pytest.mark.django_db
def test_the_recommender_must_be_one_the_programme_accepts():
    from tests.factories import RecommendingUnitFactory

    app = ApplicationFactory()
    with pytest.raises(DomainError, match="不受理该批次"):
        drafts.save_draft(member_of(app), app, data={"recommender": RecommendingUnitFactory()})


@pytest.mark.django_db
def test_submit_snapshots_versions_notifies_and_locks(recommender, django_capture_on_commit_callbacks):
    app = complete_application(recommender=recommender.recommending_unit)
    user = member_of(app)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submission.submit(user, app)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.organisation_snapshot["name"] == app.organisation.name
    version = ApplicationVersion.objects.get(application=app)
    assert version.number == 1 and version.data["fields"]["project_name"] == app.project_name
    assert len(version.data["team"]) == 2 and version.data["evidence"][0]["kind"] == "signature_page"
    recipients = {address for message in mail.outbox for address in message.to}
    assert recommender.email in recipients and user.email in recipients
    # The organisation may change later; the submitted header does not.
    app.organisation.name = "改名后的公司"
    app.organisation.save()
    submitted.refresh_from_db()
    assert submitted.header["name"] != "改名后的公司"
    with pytest.raises(InvalidTransition, match="不能修改"):
        drafts.save_draft(user, submitted, data={"background": "提交后再改"})


@pytest.mark.django_db
def test_submission_outside_an_open_programme_or_after_the_deadline_is_refused():
    app = complete_application()
    user = member_of(app)
    app.programme.status = ProgrammeStatus.RECOMMENDING
    app.programme.save()
    with pytest.raises(InvalidTransition, match="不在开放申报阶段"):
        submission.submit(user, app)
    app.programme.status = ProgrammeStatus.OPEN
    app.programme.submission_deadline = timezone.now() - datetime.timedelta(minutes=1)
    app.programme.save()
    with pytest.raises(InvalidTransition, match="截止申报"):
        submission.submit(user, app)


@pytest.mark.django_db
def test_only_members_submit():
    app = complete_application()
    with pytest.raises(PermissionDenied):
        submission.submit(ApplicantFactory(), app)


@pytest.mark.django_db
def test_return_needs_a_comment_and_the_right_person(recommender, administrator):
    app = complete_application(recommender=recommender.recommending_unit)
    app.programme.organiser = administrator.organiser
    app.programme.save()
    submission.submit(member_of(app), app)
    with pytest.raises(DomainError, match="请填写退回意见"):
        submission.return_for_revision(recommender, app, "   ")
    other = UserFactory(role=Role.RECOMMENDER, recommending_unit=UserFactory(
        role=Role.RECOMMENDER).recommending_unit)
    with pytest.raises(PermissionDenied):
        submission.return_for_revision(other, app, "请补充检测报告")
    comment = submission.return_for_revision(administrator, app, "请补充检测报告", "evidence")
    assert comment.version.number == 1 and comment.section == "evidence"
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RETURNED


@pytest.mark.django_db
def test_return_then_resubmit_and_the_diff_shows_what_changed(recommender):
    app = complete_application(recommender=recommender.recommending_unit)
    user = member_of(app)
    submission.submit(user, app)
    submission.return_for_revision(recommender, app, "背景意义过于简略")
    # The programme has moved on to the recommendation stage: a returned project may still come back.
    app.programme.status = ProgrammeStatus.RECOMMENDING
    app.programme.save()
    drafts.save_draft(user, app, data={"background": "补充后的项目背景意义。"},
                      team=[{"name": "李四", "gender": "female", "title": "工程师", "education": "master",
                             "work_unit": "技术中心"}])
    submission.resubmit(user, app)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    v1, v2 = app.versions.order_by("number")
    changes = {c.label: (c.before, c.after) for c in diff_versions(v1, v2)}
    assert changes["项目背景意义"] == ("主轴精度保持性不足，制约高端数控机床国产化。", "补充后的项目背景意义。")
    assert changes["攻关项目组成员第1位"][1] == "李四（女，工程师，硕士研究生，技术中心）"
    assert changes["攻关项目组成员第2位"][1] == ""
    assert "项目名称" not in changes
    assert ReturnComment.objects.filter(application=app).count() == 1
