"""The expert pool: the spreadsheet template, all-or-nothing import with a row-by-row report, and
the set-password invitation."""

import io
import re

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest

from portal.models import AuditEntry, User
from portal.models.users import Role
from portal.reference import load_reference
from portal.services.errors import PermissionDenied
from scoring.models import ExpertProfile
from scoring.services.expert_sheet import COLUMNS, build_template
from scoring.services.experts import import_experts
from tests.factories import UserFactory

GOOD_ROWS = [
    ["张伟", "上海交通大学", "教授", "集成电路、电子信息", "可靠性；失效分析", "zhangwei@sjtu.example.cn",
     "13800000001", "上海华虹宏力半导体制造有限公司；中芯国际", ""],
    ["李娜", "上海市质量和标准化研究院", "高级工程师", "高端装备", "质量管理", "lina@sqi.example.cn",
     13800000002, "", "12310000425012645D"],
    ["王强", "上海汽车集团股份有限公司技术中心", "正高级工程师", "汽车、交通、先进材料", "", "WangQiang@Example.com",
     "", "", ""],
]


def xlsx(rows, headers=None) -> SimpleUploadedFile:
    book = openpyxl.load_workbook(io.BytesIO(build_template(["集成电路"])))
    sheet = book["专家名单"]
    if headers is not None:
        sheet.delete_rows(1)
        sheet.insert_rows(1)
        for index, header in enumerate(headers, start=1):
            sheet.cell(row=1, column=index, value=header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("experts.xlsx", buffer.getvalue())


@pytest.fixture
def categories(db):
    load_reference()


@pytest.mark.django_db
def test_a_good_file_imports_every_row(administrator, categories, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = import_experts(administrator, xlsx(GOOD_ROWS))
    assert report.ok and len(report.created) == 3
    zhang = ExpertProfile.objects.get(user__email="zhangwei@sjtu.example.cn")
    assert zhang.user.role == Role.EXPERT and not zhang.user.has_usable_password()
    assert zhang.user.username == "zhangwei@sjtu.example.cn" and zhang.name == "张伟"
    assert sorted(c.name for c in zhang.expertise.all()) == ["电子信息", "集成电路"]
    assert zhang.past_employer_list == ["上海华虹宏力半导体制造有限公司", "中芯国际"]
    assert zhang.is_active and zhang.title == "教授"
    li = ExpertProfile.objects.get(user__full_name="李娜")
    assert li.phone == "13800000002" and li.work_unit_credit_code == "12310000425012645D"
    assert ExpertProfile.objects.get(user__full_name="王强").email == "wangqiang@example.com"
    assert AuditEntry.objects.filter(action="expert.create", via="import").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["zhangwei@sjtu.example.cn", "lina@sqi.example.cn", "wangqiang@example.com"])


@pytest.mark.django_db
def test_one_bad_row_imports_nothing_and_reports_row_and_column(administrator, categories):
    rows = [
        GOOD_ROWS[0],
        ["赵敏", "上海大学", "教授", "集成电路、量子计算", "", "zhaomin@shu.example.cn", "", "", ""],
        ["钱进", "复旦大学", "研究员", "生物医药", "", "not-an-email", "", "", ""],
        ["", "同济大学", "教授", "交通", "", "noname@tongji.example.cn", "", "", ""],
    ]
    users_before = User.objects.count()
    report = import_experts(administrator, xlsx(rows))
    assert not report.ok and report.created == []
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "专业领域"), (4, "邮箱"), (5, "姓名")}
    unknown = next(e for e in report.errors if e.row == 3)
    assert "量子计算" in unknown.message and "未知的项目类别" in unknown.message
    assert User.objects.count() == users_before and not ExpertProfile.objects.exists()
    assert not AuditEntry.objects.filter(action="expert.create").exists()


@pytest.mark.django_db
def test_duplicate_and_taken_emails_are_reported(administrator, categories):
    UserFactory(email="taken@example.cn")
    rows = [GOOD_ROWS[0], [*GOOD_ROWS[1][:5], "ZhangWei@sjtu.example.cn", *GOOD_ROWS[1][6:]],
            [*GOOD_ROWS[2][:5], "taken@example.cn", *GOOD_ROWS[2][6:]]]
    report = import_experts(administrator, xlsx(rows))
    messages = {e.row: e.message for e in report.errors}
    assert "与第 2 行的邮箱重复" in messages[3]
    assert "已被平台其他账号使用" in messages[4]
    assert not ExpertProfile.objects.exists()


@pytest.mark.django_db
def test_bad_credit_code_and_phone_are_reported(administrator, categories):
    rows = [[*GOOD_ROWS[0][:6], "call me", GOOD_ROWS[0][7], "91310000ABC"]]
    report = import_experts(administrator, xlsx(rows))
    assert {(e.row, e.column) for e in report.errors} == {(2, "手机"), (2, "统一社会信用代码")}


@pytest.mark.django_db
def test_a_file_that_is_not_the_template_is_refused(administrator, categories):
    report = import_experts(administrator, SimpleUploadedFile("x.xlsx", b"not a spreadsheet"))
    assert report.errors[0].row is None and ".xlsx" in report.errors[0].message
    report = import_experts(administrator, xlsx([["张三", "某单位"]], headers=["姓名", "工作单位"]))
    assert {e.column for e in report.errors} >= {"专业领域", "邮箱"}
    assert all(e.row == 1 for e in report.errors)
    report = import_experts(administrator, xlsx([]))
    assert "没有专家数据" in report.errors[0].message


@pytest.mark.django_db
def test_only_administrators_import(expert, categories):
    with pytest.raises(PermissionDenied):
        import_experts(expert, xlsx(GOOD_ROWS))


def test_the_template_has_the_chinese_headers():
    book = openpyxl.load_workbook(io.BytesIO(build_template(["集成电路", "生物医药"])))
    headers = [cell.value for cell in book["专家名单"][1]]
    assert headers == [header for _key, header in COLUMNS]
    assert headers == ["姓名", "工作单位", "职称", "专业领域（用“、”分隔的项目类别）", "关键词", "邮箱", "手机",
                       "曾任职单位（用“；”分隔）", "统一社会信用代码（选填）"]
    notes = "\n".join(str(row[0].value) for row in book["填写说明"].iter_rows())
    assert "集成电路、生物医药" in notes


@pytest.mark.django_db
def test_an_imported_expert_sets_a_password_through_the_emailed_link(
    client, administrator, categories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_experts(administrator, xlsx(GOOD_ROWS[:1]))
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Expert-pass-2026", "new_password2": "Expert-pass-2026"})
    user = User.objects.get(email="zhangwei@sjtu.example.cn")
    assert user.check_password("Expert-pass-2026")
    assert client.login(request=HttpRequest(), username="zhangwei@sjtu.example.cn", password="Expert-pass-2026")
