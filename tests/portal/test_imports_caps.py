"""The admin's import/export pages work; imports refuse duplicate keys (with their rows), files with
too many rows and XLSX files that inflate too much, with a message, in the admin and for the
expert pool alike (portal.imports)."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal import imports
from portal.models import RecommendingUnit, User
from portal.reference import load_reference
from scoring.services.expert_sheet import COLUMNS
from scoring.services.experts import import_experts

UNIT_HEADERS = ["名称", "类型", "所在区", "上级推荐单位", "联系人", "联系电话", "邮箱"]
USER_HEADERS = ["用户名", "姓名", "邮箱", "手机", "推荐单位"]
CSV, XLSX = "0", "1"  # positions in IMPORT_EXPORT_FORMATS


def xlsx_bytes(headers, rows, *, title=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows) -> bytes:
    return "\n".join(",".join(r) for r in [headers, *rows]).encode("utf-8")


def inflating_xlsx(megabytes: int) -> bytes:
    """A small, valid XLSX with a worksheet padded to ``megabytes`` of XML (it compresses ~1000×)."""
    data = xlsx_bytes(UNIT_HEADERS, [["上海市质量协会", "行业协会", "", "", "", "", ""]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                padding = b" " * (megabytes * 1024 * 1024)
                content = content.replace(b"</worksheet>", b"<!--" + padding + b"--></worksheet>")
            dst.writestr(info.filename, content)
    return out.getvalue()


def upload(client, url, content: bytes, name: str, fmt: str):
    return client.post(url, {"import_file": SimpleUploadedFile(name, content), "format": fmt,
                             "resource": "0"})


@pytest.fixture
def staff(client, superuser):
    load_reference()
    client.force_login(superuser)
    return client


# -- the pages answer ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/portal/recommendingunit/import/", "/admin/portal/user/import/",
                                 "/admin/portal/recommendingunit/export/"])
def test_the_admin_import_and_export_pages_open(staff, url):
    response = staff.get(url)
    assert response.status_code == 200
    assert "XLSX" in response.content.decode().upper()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt,name,make", [(CSV, "units.csv", csv_bytes), (XLSX, "units.xlsx", xlsx_bytes)])
def test_a_units_file_imports_through_the_admin(staff, fmt, name, make):
    content = make(UNIT_HEADERS, [["上海市新协会", "行业协会", "", "", "王五", "021-1", "a@example.cn"]])
    preview = upload(staff, "/admin/portal/recommendingunit/import/", content, name, fmt)
    assert preview.status_code == 200
    confirm = preview.context["confirm_form"]
    assert confirm is not None, preview.content.decode()[:3000]
    done = staff.post("/admin/portal/recommendingunit/process_import/", confirm.initial)
    assert done.status_code == 302
    assert RecommendingUnit.objects.filter(name="上海市新协会").exists()


@pytest.mark.django_db
def test_a_users_file_previews_through_the_admin(staff):
    content = xlsx_bytes(USER_HEADERS, [["nanxiang2", "南翔推荐人", "nx@example.cn", "139", "嘉定区南翔镇"]])
    preview = upload(staff, "/admin/portal/user/import/", content, "users.xlsx", XLSX)
    assert preview.status_code == 200 and preview.context["confirm_form"] is not None


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_the_admin_export_downloads_and_names_are_never_formulas(staff, fmt):
    RecommendingUnit.objects.create(name='=HYPERLINK("http://x","点我")', kind="association")
    fields = {f"recommendingunitresource_{f}": "on" for f in
              ("name", "kind", "district", "parent", "contact_person", "contact_phone", "email")}
    response = staff.post("/admin/portal/recommendingunit/export/", {"format": fmt, "resource": "0", **fields})
    assert response.status_code == 200
    body = response.content
    if fmt == CSV:
        text = body.decode("utf-8-sig")
        assert "名称" in text and "'=HYPERLINK" in text
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert any(cell.value == '=HYPERLINK("http://x","点我")' for cell in cells)
        assert all(cell.data_type != "f" for cell in cells)


# -- duplicate keys --------------------------------------------------------------------------


@pytest.mark.django_db
def test_duplicate_unit_names_in_one_file_are_refused_with_their_rows(staff):
    rows = [["上海市甲协会", "行业协会", "", "", "张三", "1", ""],
            ["上海市乙协会", "行业协会", "", "", "", "", ""],
            ["上海市甲协会", "行业协会", "", "", "李四", "2", ""]]
    preview = upload(staff, "/admin/portal/recommendingunit/import/", xlsx_bytes(UNIT_HEADERS, rows), "u.xlsx",
                     XLSX)
    result = preview.context["result"]
    assert result.has_validation_errors() and preview.context.get("confirm_form") is None
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {1, 3}
    assert "第1、3行" in str(invalid[1]["name"]) and "上海市甲协会" in str(invalid[3]["name"])
    assert "第1、3行" in preview.content.decode()
    assert not RecommendingUnit.objects.filter(name="上海市甲协会").exists()


@pytest.mark.django_db
def test_duplicate_usernames_in_one_file_are_refused(staff):
    rows = [["nx1", "甲", "a@example.cn", "1", "嘉定区南翔镇"], ["nx1", "乙", "b@example.cn", "2", "嘉定区南翔镇"]]
    preview = upload(staff, "/admin/portal/user/import/", csv_bytes(USER_HEADERS, rows), "u.csv", CSV)
    invalid = {row.number: row.error_dict for row in preview.context["result"].invalid_rows}
    assert set(invalid) == {1, 2} and "第1、2行" in str(invalid[2]["username"])
    assert not User.objects.filter(username="nx1").exists()


# -- caps ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt,name,make", [(CSV, "units.csv", csv_bytes), (XLSX, "units.xlsx", xlsx_bytes)])
def test_a_file_over_the_row_cap_is_refused_in_the_admin(staff, settings, fmt, name, make):
    settings.IMPORT_MAX_ROWS = 5
    rows = [[f"单位{i}", "行业协会", "", "", "", "", ""] for i in range(6)]
    preview = upload(staff, "/admin/portal/recommendingunit/import/", make(UNIT_HEADERS, rows), name, fmt)
    assert preview.status_code == 200
    assert "一次最多导入 5 行数据" in preview.content.decode()
    assert not RecommendingUnit.objects.filter(name__startswith="单位").exists()


@pytest.mark.django_db
def test_an_xlsx_that_inflates_past_the_cap_is_refused_in_the_admin(staff, settings):
    settings.IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    content = inflating_xlsx(3)
    assert len(content) < 60_000
    preview = upload(staff, "/admin/portal/recommendingunit/import/", content, "big.xlsx", XLSX)
    assert preview.status_code == 200
    assert "文件解压后超过 2 MB" in preview.content.decode()


def test_the_same_xlsx_under_the_cap_passes(settings):
    settings.IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES = 4 * 1024 * 1024
    dataset = imports.CappedXLSX().create_dataset(inflating_xlsx(3))
    assert dataset.headers == UNIT_HEADERS and len(dataset) == 1


EXPERT_HEADERS = [header for _key, header in COLUMNS]


def expert_rows(n):
    return [[f"专家{i}", "上海某大学", "教授", "集成电路", "", f"e{i}@example.cn", "", "", ""] for i in range(n)]


@pytest.mark.django_db
def test_the_expert_import_refuses_an_xlsx_that_inflates_past_the_cap(settings, administrator):
    settings.IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES = 1024 * 1024
    data = xlsx_bytes(EXPERT_HEADERS, expert_rows(1), title="专家名单")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                content = content.replace(b"</worksheet>", b"<!--" + b" " * 2_000_000 + b"--></worksheet>")
            dst.writestr(info.filename, content)
    report = import_experts(administrator, SimpleUploadedFile("experts.xlsx", out.getvalue()))
    assert not report.ok and not report.created
    assert "文件解压后超过 1 MB" in report.errors[0].message


@pytest.mark.django_db
def test_the_expert_import_has_the_same_row_cap(settings, administrator):
    settings.IMPORT_MAX_ROWS = 3
    report = import_experts(administrator, SimpleUploadedFile("experts.xlsx", xlsx_bytes(
        EXPERT_HEADERS, expert_rows(4), title="专家名单")))
    assert not report.ok and not report.created
    assert "一次最多导入 3 行数据" in report.errors[0].message



def test_an_xlsx_whose_headers_lie_about_sizes_is_refused(settings):
    import struct

    data = bytearray(xlsx_bytes(UNIT_HEADERS, [["上海市质量协会", "行业协会", "", "", "", "", ""]]))
    name = b"xl/worksheets/sheet1.xml"
    local = data.find(name) - 30  # our member's local header; its name follows the header's 30 bytes
    central = data.find(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 1)
    struct.pack_into("<L", data, local + 22, 10)
    struct.pack_into("<L", data, central + 24, 10)
    with pytest.raises(imports.ImportRefused, match="文件结构异常"):
        imports.CappedXLSX().create_dataset(bytes(data))
