"""Exports: the score sheet (names or anonymised), the published list, the ranking PDF."""

import io

import openpyxl
import pytest
from pypdf import PdfReader

from awards.services import determination, publication
from portal import jobs
from portal.models import JobStatus
from tests.factories import ExpertProfileFactory, b1_programme, give_score, scored_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(organiser, administrator):
    experts = [ExpertProfileFactory(user__full_name=name) for name in ("王建国", "李芳", "张伟")]
    programme, apps, _e = scored_programme([[95, 85, 45], [70, 72, 71]], experts=experts,
                                           programme=b1_programme(organiser=organiser))
    give_score(apps[1], ExpertProfileFactory(user__full_name="赵回避"), 5, assignment_status="recused")
    determination.update_settings(administrator, programme, {"disagreement_threshold": 30, "first_value": 1,
                                                             "second_value": 0, "third_value": 0})
    return programme, apps


def _run(user, kind, params, capture):
    with capture(execute=True):
        job = jobs.start_job(user, kind, params)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job.result.read()


def test_score_sheet_with_names_aggregates_and_flags(scored, administrator, django_capture_on_commit_callbacks):
    programme, apps = scored
    data = _run(administrator, "awards.score_sheet", {"programme_id": programme.pk}, django_capture_on_commit_callbacks)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["评分明细", "汇总", "专家偏差"]
    detail = list(wb["评分明细"].iter_rows(values_only=True))
    assert len(detail) == 1 + 6 and len(detail[0]) == 4 + 10 + 3 + 1  # header; 2 × 3 counted scores
    names = {row[3] for row in detail[1:]}
    assert names == {"王建国", "李芳", "张伟"}  # the recused expert's score is not there
    summary = list(wb["汇总"].iter_rows(values_only=True))
    first = summary[2]
    assert first[1] == apps[0].project_name and first[5] == 3 and first[6] == 75 and first[7] == 85
    assert first[10] == 50 and first[13] == "是" and first[15] == "一等奖"  # spread 50 > 30 → disagreement
    assert not summary[3][13] and "总体标准差" in summary[0][0]


def test_anonymised_score_sheet_has_no_names(scored, administrator, django_capture_on_commit_callbacks):
    programme, _apps = scored
    data = _run(administrator, "awards.score_sheet", {"programme_id": programme.pk, "anonymise": True},
                django_capture_on_commit_callbacks)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    text = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "王建国" not in text and "李芳" not in text and "专家1" in text and "专家3" in text


def test_published_list_and_ranking_pdf(scored, administrator, django_capture_on_commit_callbacks):
    programme, apps = scored
    pdf = _run(administrator, "awards.ranking_pdf", {"programme_id": programme.pk}, django_capture_on_commit_callbacks)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert apps[0].project_name in text and "同分" in text
    determination.approve(administrator, programme)
    publication.publish(administrator, programme)
    data = _run(administrator, "awards.published_list", {"programme_id": programme.pk},
                django_capture_on_commit_callbacks)
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[2][1:3] == ("一等奖", apps[0].project_name) and len(rows) == 3
