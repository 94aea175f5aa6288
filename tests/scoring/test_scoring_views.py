"""Administrator pages of the scoring app: rubrics, programme ↔ rubric, the expert pool."""

import io

import openpyxl
import pytest
import yaml
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import ProgrammeStatus
from portal.models.users import Role
from portal.reference import load_reference
from scoring.models import ExpertProfile, ProgrammeRubric, Rubric
from scoring.services.rubric_format import parse_rubric
from scoring.services.rubrics import assign_rubric, load_rubric
from tests.factories import (
    ExpertProfileFactory,
    OrganiserFactory,
    ProgrammeFactory,
    ProjectCategoryFactory,
    UserFactory,
)
from tests.scoring.test_scoring_experts import GOOD_ROWS, xlsx
from tests.scoring.test_scoring_rubrics import B1, FLAGSHIP, b1_data, nothing_written


@pytest.fixture
def rubric(db):
    return load_rubric(B1)


def admin_pages(rubric, programme):
    return [
        reverse("scoring:rubric_list"),
        reverse("scoring:rubric_detail", args=[rubric.pk]),
        reverse("scoring:rubric_yaml", args=[rubric.pk]),
        reverse("scoring:programme_rubric", args=[programme.pk]),
        reverse("scoring:expert_list"),
        reverse("scoring:expert_template"),
        reverse("scoring:expert_import"),
    ]


@pytest.mark.django_db
def test_non_administrators_get_404_on_every_admin_page(client, rubric, administrator, applicant, expert,
                                                        recommender):
    programme = ProgrammeFactory(organiser=administrator.organiser)
    pages = admin_pages(rubric, programme)
    for user in (applicant, expert, recommender):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 404, (user.role, url)
        assert client.post(reverse("scoring:rubric_copy", args=[rubric.pk]), {"code": "x"}).status_code == 404
    assert Rubric.objects.count() == 1
    client.force_login(administrator)
    for url in pages:
        assert client.get(url).status_code == 200, url
    client.logout()
    assert client.get(pages[0]).status_code == 302  # to the login page


@pytest.mark.django_db
def test_another_organisers_administrator_gets_404_on_the_programme_rubric_page(client, administrator, rubric):
    programme = ProgrammeFactory(organiser=OrganiserFactory())
    client.force_login(administrator)
    url = reverse("scoring:programme_rubric", args=[programme.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"rubric": rubric.pk}).status_code == 404
    assert not ProgrammeRubric.objects.exists()


@pytest.mark.django_db
def test_rubric_detail_renders_the_table(client, administrator):
    rubric = load_rubric(FLAGSHIP)
    client.force_login(administrator)
    html = client.get(reverse("scoring:rubric_detail", args=[rubric.pk])).content.decode()
    for text in ("质量举措", "质量成效", "推动中小企业质量提升", "卓越级", "10–14", 'rowspan="18"', "加分项"):
        assert text in html, text
    assert "style=" not in html and "<script>" not in html


@pytest.mark.django_db
def test_rubric_yaml_download_loads_back(client, administrator, rubric):
    client.force_login(administrator)
    text = client.get(reverse("scoring:rubric_yaml", args=[rubric.pk])).content.decode()
    assert parse_rubric(yaml.safe_load(text)) == parse_rubric(B1)


@pytest.mark.django_db
def test_uploading_a_bad_rubric_shows_the_faults_and_writes_nothing(client, administrator):
    data = b1_data()
    data["total_points"] = 95
    client.force_login(administrator)
    upload = SimpleUploadedFile("bad.yaml", yaml.safe_dump(data, allow_unicode=True).encode())
    response = client.post(reverse("scoring:rubric_list"), {"file": upload})
    assert response.status_code == 200
    assert "各部分分值合计 100 分，与总分 95 分不符" in response.content.decode()
    assert nothing_written()
    upload = SimpleUploadedFile("b1.yaml", B1.read_bytes())
    response = client.post(reverse("scoring:rubric_list"), {"file": upload})
    assert response.status_code == 302 and Rubric.objects.get().code == "table_b1"


@pytest.mark.django_db
def test_copy_through_the_page(client, administrator, rubric):
    client.force_login(administrator)
    response = client.post(reverse("scoring:rubric_copy", args=[rubric.pk]), {"code": "b1_2027", "name": ""})
    copied = Rubric.objects.get(code="b1_2027")
    assert response.url == reverse("scoring:rubric_detail", args=[copied.pk])


@pytest.mark.django_db
def test_programme_rubric_page_assigns_and_shows_the_lock(client, administrator, rubric):
    programme = ProgrammeFactory(organiser=administrator.organiser, status=ProgrammeStatus.OPEN)
    client.force_login(administrator)
    url = reverse("scoring:programme_rubric", args=[programme.pk])
    assert client.post(url, {"rubric": rubric.pk}).status_code == 302
    assert ProgrammeRubric.objects.get(programme=programme).rubric == rubric
    detail = client.get(reverse("scoring:rubric_detail", args=[rubric.pk])).content.decode()
    assert "不能修改，只能复制" in detail and programme.title in detail


@pytest.mark.django_db
def test_expert_list_searches_and_filters(client, administrator):
    ic, bio = ProjectCategoryFactory(code="ic", name="集成电路"), ProjectCategoryFactory(code="bio", name="生物医药")
    ExpertProfileFactory(user__full_name="张伟", work_unit="上海交通大学", expertise=[ic])
    ExpertProfileFactory(user__full_name="李娜", work_unit="复旦大学", expertise=[bio], keywords="细胞治疗")
    ExpertProfileFactory(user__full_name="王强", work_unit="同济大学", expertise=[ic, bio], is_active=False)
    client.force_login(administrator)
    url = reverse("scoring:expert_list")

    def names(params):
        page = client.get(url, params).context["page"]
        return sorted(e.name for e in page.object_list)

    assert names({}) == sorted(["张伟", "李娜", "王强"])
    assert names({"category": "ic"}) == sorted(["张伟", "王强"])
    assert names({"category": "ic", "active": "1"}) == ["张伟"]
    assert names({"active": "0"}) == ["王强"]
    assert names({"q": "细胞"}) == ["李娜"]
    assert names({"q": "交通大学"}) == ["张伟"]


@pytest.mark.django_db
def test_expert_list_query_count_does_not_grow(client, administrator, django_assert_max_num_queries):
    categories = [ProjectCategoryFactory() for _ in range(3)]
    client.force_login(administrator)
    client.get(reverse("scoring:expert_list"))  # warm: the navigation's unread count is cached after one page
    counts = []
    for n in (2, 30):
        ExpertProfileFactory.create_batch(n, expertise=categories)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("scoring:expert_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(10):
        client.get(reverse("scoring:expert_list"), {"category": categories[0].code, "q": "研究院"})


@pytest.mark.django_db
def test_import_page_shows_the_error_report(client, administrator):
    load_reference()
    client.force_login(administrator)
    bad = [GOOD_ROWS[0], ["", "同济大学", "教授", "交通", "", "x@tongji.example.cn", "", "", ""]]
    response = client.post(reverse("scoring:expert_import"), {"file": xlsx(bad)})
    html = response.content.decode()
    assert response.status_code == 200 and "错误报告" in html and "<td>3</td>" in html and "姓名" in html
    assert not ExpertProfile.objects.exists()
    response = client.post(reverse("scoring:expert_import"), {"file": xlsx(GOOD_ROWS)})
    assert response.status_code == 302 and ExpertProfile.objects.count() == 3


@pytest.mark.django_db
def test_template_download_is_an_xlsx(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("scoring:expert_template"))
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["专家名单"]["A1"].value == "姓名"


@pytest.mark.django_db
def test_admin_creates_an_expert_with_its_user(client, superuser, django_capture_on_commit_callbacks):
    category = ProjectCategoryFactory(code="ic", name="集成电路")
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/scoring/expertprofile/add/", {
            "name": "周洁", "email": "ZhouJie@example.cn", "phone": "", "work_unit": "上海大学",
            "work_unit_credit_code": "", "title": "教授", "expertise": [category.pk], "keywords": "",
            "past_employers": "", "is_active": "on",
        })
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = ExpertProfile.objects.get()
    assert profile.user.role == Role.EXPERT and profile.user.username == "zhoujie@example.cn"
    assert not profile.user.has_usable_password()
    assert mail.outbox and mail.outbox[0].to == ["zhoujie@example.cn"]


@pytest.mark.django_db
def test_an_expert_profile_needs_an_expert_user():
    profile = ExpertProfile(user=UserFactory(role=Role.APPLICANT), work_unit="某单位")
    with pytest.raises(ValidationError):
        profile.full_clean()


@pytest.mark.django_db
def test_assigning_through_the_service_then_the_page_shows_current(client, administrator, rubric):
    programme = ProgrammeFactory(organiser=administrator.organiser)
    assign_rubric(administrator, programme, rubric)
    client.force_login(administrator)
    html = client.get(reverse("scoring:programme_rubric", args=[programme.pk])).content.decode()
    assert rubric.name in html
