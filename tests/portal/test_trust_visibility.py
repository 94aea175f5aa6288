"""Issue 11: a recused expert sees nothing of the application on any surface, and administrators read
only their own organiser's audit trail.

* Jobs (status page, its htmx partial, download, retry) made *before* a conflict answer 404 after it,
  whether the expert declared it, the administrator set it, or the assignment was ended.
* Notifications about the application leave the feed, the dashboard and the (cached) unread count.
* Conflict findings carry their programme: a district administrator does not read the municipal
  programme's findings and the other way round (page and export).
* ``/audit/<app>/<model>/<id>/`` answers alike for a hidden and a missing object.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from applications.documents.service import KIND as RENDER
from portal import jobs
from portal.models import AuditEntry, Job, JobStatus, Notification
from portal.models.programmes import Level
from portal.models.users import Role
from portal.services.audit import record
from portal.services.notify import unread_count
from portal.visibility import audit_entries_for, jobs_for, notifications_for
from scoring.models import AssignmentStatus, Score
from scoring.services.assignment import remove_assignment
from scoring.services.conflicts import declare_conflict, declare_unit_conflict, detect_conflicts, set_conflict
from scoring.services.rubrics import load_rubric
from scoring.services.scores import reopen_score
from tests.factories import ApplicationFactory, DistrictFactory, OrganisationFactory, OrganiserFactory, UserFactory
from tests.review_setup import expert_for, reviewing_programme
from tests.scoring.test_scoring_rubrics import B1
from tests.scoring.test_scoring_scores import Sheet

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4 Table A.1"


@pytest.fixture
def sheet(administrator):
    """A programme under review, its application, an assigned and pledged expert who has submitted a
    complete score (so their feed says "评分已提交：<project>")."""
    sheet = Sheet(administrator, load_rubric(B1))
    sheet.save(sheet.full(), submit=True)
    sheet.administrator = administrator
    return sheet


def _render_job(sheet, status=JobStatus.SUCCEEDED) -> Job:
    """The expert asks for the application's Table A.1 PDF (through the service, as the view does),
    and the worker finishes (or fails) it — all before any conflict."""
    job = jobs.start_job(sheet.user, RENDER, {"application_id": sheet.application.pk, "version": 0})
    job.status = status
    if status == JobStatus.SUCCEEDED:
        job.result.save("form.pdf", ContentFile(PDF), save=False)
        job.result_name = f"{sheet.application.project_name}.pdf"
    job.save()
    return job


def _declared(sheet):
    declare_conflict(sheet.user, sheet.application, "我曾在该单位任职")


def _set(sheet):
    set_conflict(sheet.administrator, sheet.expert, sheet.application, "主管部门核实存在利益关系")


def _ended(sheet):
    """The administrator takes the assignment back (a submitted score is returned first)."""
    reopen_score(sheet.administrator, Score.objects.get(assignment=sheet.assignment), reason="调整评审任务")
    remove_assignment(sheet.administrator, sheet.assignment, "调整评审任务")


ENDINGS = {"declared_by_expert": _declared, "set_by_administrator": _set, "assignment_ended": _ended}


def _surfaces(job):
    return {
        "status": ("get", reverse("job_status", args=[job.pk]), {}),
        "htmx": ("get", reverse("job_status", args=[job.pk]), {"HTTP_HX_REQUEST": "true"}),
        "download": ("get", reverse("job_download", args=[job.pk]), {}),
    }


# --- the permission-matrix cells: a job made before the conflict ----------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("surface", ["status", "htmx", "download"])
def test_matrix_conflicted_expert_loses_a_job_made_before_the_conflict(client, sheet, ending, surface):
    job = _render_job(sheet)
    method, url, headers = _surfaces(job)[surface]
    client.force_login(sheet.user)
    assert getattr(client, method)(url, **headers).status_code == 200  # before: the expert's own job
    ENDINGS[ending](sheet)
    sheet.assignment.refresh_from_db()
    assert sheet.assignment.status != AssignmentStatus.ACTIVE or ending == "declared_by_expert"
    response = getattr(client, method)(url, **headers)
    assert response.status_code == 404
    assert sheet.application.project_name.encode() not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ENDINGS)
def test_matrix_conflicted_expert_cannot_retry_a_failed_job_made_before_the_conflict(client, sheet, ending):
    job = _render_job(sheet, status=JobStatus.FAILED)
    client.force_login(sheet.user)
    assert "重试" in client.get(reverse("job_status", args=[job.pk])).content.decode()
    ENDINGS[ending](sheet)
    assert client.post(reverse("job_retry", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 0


@pytest.mark.django_db
def test_lists_of_jobs_leave_out_a_job_about_an_application_out_of_sight(sheet, superuser):
    job = _render_job(sheet)
    assert list(jobs_for(sheet.user)) == [job]
    _set(sheet)
    assert list(jobs_for(sheet.user)) == []
    assert jobs.visible_job(sheet.user, job.pk) is None
    assert jobs.visible_job(superuser, job.pk) == job  # superusers still see every job


@pytest.mark.django_db
def test_the_administrator_keeps_seeing_their_own_job(client, sheet):
    """The re-check is the object's visibility, not a blanket refusal: the organiser's administrator,
    who may see the application, keeps a job they asked for after the expert's conflict."""
    job = jobs.start_job(sheet.administrator, RENDER, {"application_id": sheet.application.pk, "version": 0})
    _set(sheet)
    client.force_login(sheet.administrator)
    assert client.get(reverse("job_status", args=[job.pk])).status_code == 200


# --- notifications --------------------------------------------------------------------------------


def _score_notice(sheet):
    return Notification.objects.get(recipient=sheet.user, subject__startswith="评分已提交")


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ENDINGS)
def test_matrix_conflicted_expert_feed_dashboard_and_count_leave_the_application_out(client, sheet, ending):
    name = sheet.application.project_name
    notice = _score_notice(sheet)
    assert notice.about_model == "applications.application" and notice.about_id == sheet.application.pk
    client.force_login(sheet.user)
    assert name in client.get(reverse("notifications")).content.decode()
    assert name in client.get(reverse("dashboard")).content.decode()
    before = unread_count(sheet.user)  # cached from here on
    assert before == Notification.objects.filter(recipient=sheet.user, read_at__isnull=True).count()

    ENDINGS[ending](sheet)

    for url in (reverse("notifications"), reverse("dashboard")):
        page = client.get(url).content.decode()
        assert name not in page, url
    unread = Notification.objects.filter(recipient=sheet.user, read_at__isnull=True)
    about_it = unread.filter(about_model="applications.application", about_id=sheet.application.pk)
    assert notice in about_it and unread.exclude(pk__in=about_it).exists()  # "评审任务调整" stays
    assert unread_count(sheet.user) == unread.exclude(pk__in=about_it).count()
    assert notice not in notifications_for(sheet.user)


@pytest.mark.django_db
def test_a_change_of_what_many_may_see_forgets_every_cached_count(sheet):
    """visibility_changed(None) (a programme leaving review, say) drops every cached count at once,
    without knowing whose: the next read counts what the feed now shows."""
    from portal.services.notify import visibility_changed
    from scoring.models import ConflictOfInterest, ConflictSource

    notice = _score_notice(sheet)
    before = unread_count(sheet.user)
    # A blocking conflict while the assignment stays active (no service ran, nobody was notified).
    ConflictOfInterest.objects.create(expert=sheet.expert, application=sheet.application,
                                      source=ConflictSource.APPLICANT, rule="applicant_declared", reason="申请回避")
    assert unread_count(sheet.user) == before  # still the cached figure
    visibility_changed(None)
    assert unread_count(sheet.user) == before - 1
    assert notice not in notifications_for(sheet.user)


# --- audit trail per organiser --------------------------------------------------------------------


@pytest.fixture
def two_organisers(db):
    """A municipal and a district organiser, each with an administrator and a programme under
    review; enterprise Y applied to both; an expert who works for Y (a conflict in each)."""
    municipal = OrganiserFactory(level=Level.MUNICIPAL)
    district = OrganiserFactory(level=Level.DISTRICT, district=DistrictFactory(code="minhang", name="闵行区"))
    admins = {key: UserFactory(role=Role.ADMINISTRATOR, organiser=organiser)
              for key, organiser in (("municipal", municipal), ("district", district))}
    y = OrganisationFactory(name="上海远方精工有限公司")
    programmes = {key: reviewing_programme(admins[key]) for key in admins}
    apps = {key: ApplicationFactory(programme=programmes[key], organisation=y, status="endorsed",
                                    project_name=f"{key}-远方精工项目") for key in admins}
    expert = expert_for(work_unit="另一家单位", work_unit_credit_code=y.credit_code)
    return admins, programmes, apps, expert


@pytest.mark.django_db
def test_matrix_conflict_findings_on_an_expert_stay_with_each_programmes_organiser(client, two_organisers):
    admins, programmes, apps, expert = two_organisers
    detect_conflicts(expert)
    declare_unit_conflict(expert.user, programmes["district"], unit_name="上海远方精工有限公司", reason="亲属任职")
    entries = AuditEntry.objects.filter(action__startswith="conflict.")
    assert entries.count() == 3 and not entries.filter(programme__isnull=True).exists()
    for key, other in (("municipal", "district"), ("district", "municipal")):
        seen = audit_entries_for(admins[key]).filter(action__startswith="conflict.")
        assert seen.exists()
        assert set(seen.values_list("programme_id", flat=True)) == {programmes[key].pk}
        client.force_login(admins[key])
        page = client.get(reverse("audit_list")).content.decode()
        assert f"→{apps[other].pk} " not in page
        history = client.get(reverse("audit_for_object", args=["scoring", "expertprofile", expert.pk]))
        assert history.status_code == 200
        assert f"→{apps[other].pk} " not in history.content.decode() and f"→{apps[key].pk} " in history.content.decode()
    client.force_login(admins["municipal"])
    assert "亲属任职" not in client.get(reverse("audit_list")).content.decode()


@pytest.mark.django_db
def test_matrix_the_municipal_audit_export_does_not_list_the_districts_conflicts(two_organisers,
                                                                                django_capture_on_commit_callbacks):
    admins, programmes, apps, expert = two_organisers
    detect_conflicts(expert)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(admins["municipal"], "portal.audit_export", {"action": ""})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    with job.result.open("rb") as f:
        cells = " ".join(str(c) for row in load_workbook(io.BytesIO(f.read())).active.iter_rows(values_only=True)
                         for c in row if c is not None)
    assert f"→{apps['municipal'].pk} " in cells and f"→{apps['district'].pk} " not in cells


@pytest.mark.django_db
def test_a_programme_less_conflict_entry_from_before_is_for_superusers_only(two_organisers, superuser):
    admins, _programmes, _apps, expert = two_organisers
    entry = record(None, "conflict.detect", expert, programme=None, changes={"conflicts": [None, ["x"]]})
    assert entry.programme_id is None
    assert not audit_entries_for(admins["municipal"]).filter(pk=entry.pk).exists()
    assert not audit_entries_for(admins["district"]).filter(pk=entry.pk).exists()
    assert audit_entries_for(superuser).filter(pk=entry.pk).exists()


# --- the existence oracle -------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_page_answers_alike_for_a_hidden_and_a_missing_object(client, two_organisers):
    admins, _programmes, apps, _expert = two_organisers
    client.force_login(admins["municipal"])
    url = lambda pk: reverse("audit_for_object", args=["applications", "application", pk])  # noqa: E731
    assert client.get(url(apps["municipal"].pk)).status_code == 200
    hidden, missing = client.get(url(apps["district"].pk)), client.get(url(10**9))
    assert hidden.status_code == missing.status_code == 404
    assert client.get(reverse("audit_for_object", args=["applications", "application", "abc"])).status_code == 404


# --- the audit page renders every action the code writes ---------------------------------------------

ACTION = re.compile(r'"([a-z_]+\.[a-z_]+)"')


def written_actions() -> set[str]:
    """Every action name the code can write: the literals passed to audit.record / save_with_audit
    (also in conditional expressions and ``action =`` / ``ACTION =`` assignments), the workflows'
    audit actions, and the admin's and imports' "<model>.<verb>" names."""
    from applications.workflow import APPLICATION_WORKFLOW
    from portal.workflow import PROGRAMME_WORKFLOW

    found = set()
    for folder in ("portal", "applications", "scoring", "awards"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            for n, line in enumerate(lines):
                if "record(" in line or "save_with_audit(" in line:
                    window = " ".join(lines[n:n + 4]).split("changes=")[0]
                    found |= set(ACTION.findall(window))
                if re.match(r"\s*(action|ACTION)\s*=\s*\"", line):
                    found |= set(ACTION.findall(line))
    found |= {t.audit_action for t in APPLICATION_WORKFLOW.transitions.values() if t.audit_action}
    found |= {f"programme.{name}" for name in PROGRAMME_WORKFLOW.transitions}
    found |= {f"{model}.{verb}" for model in ("user", "organisation", "recommendingunit", "expertprofile")
              for verb in ("create", "change", "delete", "import")}
    return found


CHANGE_SHAPES = [
    {"items": [[{"criterion": "1.1", "band": "A", "points": "8", "comment": "好"}], None], "status": ["a", None]},
    {"keys": [None, [1, 2]], "values": [["x"], None], "get": [None, "y"]},
    {"reason": [None, "理由"]},
]


@pytest.mark.django_db
def test_audit_page_renders_one_entry_of_every_action(client, superuser):
    actions = written_actions()
    assert {"score.discard", "conflict.detect", "conflict.declare_unit", "awards.publish",
            "membership.approve"} <= actions, sorted(actions)
    for n, action in enumerate(sorted(actions)):
        record(superuser, action, superuser, changes=CHANGE_SHAPES[n % len(CHANGE_SHAPES)], note=action)
    client.force_login(superuser)
    shown = ""
    for page in range(1, len(actions) // 50 + 2):
        response = client.get(reverse("audit_list"), {"page": page})
        assert response.status_code == 200
        shown += response.content.decode()
    missing = [a for a in actions if f">{a}<" not in shown and a not in shown]
    assert not missing
    assert client.get(reverse("audit_for_object", args=["portal", "user", superuser.pk])).status_code == 200


@pytest.mark.django_db
def test_a_recused_experts_discarded_score_shows_in_the_audit_trail(client, sheet):
    _set(sheet)
    entry = AuditEntry.objects.get(action="score.discard")
    assert "items" in entry.changes and entry.programme_id == sheet.programme.pk
    client.force_login(sheet.administrator)
    response = client.get(reverse("audit_list"))
    assert response.status_code == 200 and "作废了评分" in response.content.decode()  # the action in words
    history = client.get(reverse("audit_for_object", args=["scoring", "score", entry.object_id]))
    assert history.status_code == 200 and "1.1" in history.content.decode()
