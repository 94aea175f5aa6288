"""Evidence uploads are recognised by content, limited in size, and served only to those who may
see the application."""

import io
import zipfile

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Evidence, EvidenceKind
from applications.services import submission
from applications.services.errors import EvidenceRejected
from applications.services.evidence import add_evidence, remove_evidence
from portal.services.errors import InvalidTransition
from tests.factories import MINIMAL_PDF, ApplicantFactory, ApplicationFactory, complete_application

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 256


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def app(db):
    return ApplicationFactory()


@pytest.fixture
def member(app):
    return ApplicantFactory(organisation=app.organisation)


def upload(app, user, name, content, kind=EvidenceKind.TEST_REPORT):
    return add_evidence(user, app, SimpleUploadedFile("ignored", content), kind=kind, name=name)


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("经济效益计算说明：销售额增长按财务报表计算。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "销售额"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A small 'DOCX' whose document.xml inflates to 8 MB of zeros (over 100× its size)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (8 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("检测报告.pdf", MINIMAL_PDF, "application/pdf"),
    ("现场照片.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
    ("证书.png", PNG, "image/png"),
    ("计算说明.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("财务数据.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_accepted_types_are_stored_under_random_names(app, member, name, content, content_type):
    content = content or (docx_bytes() if name.endswith("docx") else xlsx_bytes())
    evidence = upload(app, member, name, content)
    assert evidence.content_type == content_type
    assert evidence.original_name == name
    assert evidence.file.name.startswith("evidence/") and name.split(".")[0] not in evidence.file.name
    assert evidence.file.name.endswith(name.rsplit(".", 1)[1].lower())
    assert evidence.size == len(content)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "expected"), [
    ("检测报告.pdf", EXE,
     "文件“检测报告.pdf”被拒绝：内容不是PDF（实际为可执行文件）。"),
    ("证书.pdf", PNG, "文件“证书.pdf”被拒绝：内容不是PDF（实际为PNG图片），扩展名须与内容一致"),
    ("setup.exe", EXE, "文件“setup.exe”被拒绝：只接受PDF、JPG、PNG、DOCX、XLSX格式的文件"),
    ("说明.docx", b"PK\x03\x04not really a zip", "文件“说明.docx”被拒绝：内容不是Word文档（DOCX）（实际为ZIP压缩包）"),
    ("../../etc/passwd.pdf", MINIMAL_PDF, "文件“../../etc/passwd.pdf”被拒绝：文件名不能包含路径"),
    ("..\\报告.pdf", MINIMAL_PDF, "被拒绝：文件名不能包含路径"),
    ("报告\x00.pdf", MINIMAL_PDF, "文件“报告�.pdf”被拒绝：文件名不能包含路径、“..”或控制字符"),
    ("空文件.pdf", b"", "文件“空文件.pdf”被拒绝：文件为空"),
])
def test_refused_files_name_the_file_and_the_reason(app, member, name, content, expected):
    with pytest.raises(EvidenceRejected) as caught:
        upload(app, member, name, content)
    assert expected in str(caught.value)
    assert "Refused" not in str(caught.value)  # one language per request (issue 13)
    assert not Evidence.all_objects.exists()


@pytest.mark.django_db
def test_a_docx_renamed_xlsx_is_refused(app, member):
    with pytest.raises(EvidenceRejected, match="内容不是Excel表格（XLSX）（实际为Word文档（DOCX））"):
        upload(app, member, "数据.xlsx", docx_bytes())


@pytest.mark.django_db
def test_a_zip_bomb_disguised_as_docx_is_refused(app, member):
    with pytest.raises(EvidenceRejected, match="文件“计算说明.docx”被拒绝：压缩内容异常.*疑似压缩炸弹"):
        upload(app, member, "计算说明.docx", zip_bomb())


@pytest.mark.django_db
def test_size_limits_per_file_and_per_application(app, member, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = len(MINIMAL_PDF) * 2
    settings.EVIDENCE_MAX_TOTAL_BYTES = len(MINIMAL_PDF) * 3
    with pytest.raises(EvidenceRejected, match="文件“大文件.pdf”被拒绝：大小.*超过单个文件上限"):
        upload(app, member, "大文件.pdf", MINIMAL_PDF * 3)
    for n in range(3):
        upload(app, member, f"报告{n}.pdf", MINIMAL_PDF)
    with pytest.raises(EvidenceRejected, match="文件“报告3.pdf”被拒绝：本申报材料总大小将超过上限"):
        upload(app, member, "报告3.pdf", MINIMAL_PDF)


@pytest.mark.django_db
def test_upload_through_the_view_reports_refusals(client, app, member):
    client.force_login(member)
    url = reverse("applications:evidence_upload", args=[app.pk])
    bad = SimpleUploadedFile("检测报告.pdf", EXE, content_type="application/pdf")
    response = client.post(url, {"kind": "test_report", "file": bad}, follow=True)
    assert "文件“检测报告.pdf”被拒绝：内容不是PDF（实际为可执行文件）" in response.content.decode()
    good = SimpleUploadedFile("签章页.pdf", MINIMAL_PDF, content_type="application/pdf")
    client.post(url, {"kind": "signature_page", "description": "三方签字", "file": good})
    assert app.evidence.get().original_name == "签章页.pdf"


@pytest.mark.django_db
def test_download_streams_with_the_original_name_and_only_to_those_who_may_see(client, app, member):
    pdf = upload(app, member, "检测报告 2025.pdf", MINIMAL_PDF)
    word = upload(app, member, "计算说明.docx", docx_bytes(), kind=EvidenceKind.CALCULATION)
    client.force_login(member)
    response = client.get(reverse("applications:evidence_download", args=[pdf.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A%202025.pdf" in response["Content-Disposition"]
    response = client.get(reverse("applications:evidence_download", args=[word.pk]))
    assert response["Content-Disposition"].startswith("attachment;")

    client.force_login(ApplicantFactory())  # another organisation
    assert client.get(reverse("applications:evidence_download", args=[pdf.pk])).status_code == 404
    assert client.post(reverse("applications:evidence_delete", args=[pdf.pk])).status_code == 404
    assert Evidence.objects.filter(pk=pdf.pk).exists()


@pytest.mark.django_db
def test_evidence_cannot_change_after_submission_and_withdrawn_files_stay_with_their_version(
    django_capture_on_commit_callbacks,
):
    app = complete_application()
    member = ApplicantFactory(organisation=app.organisation)
    submission.submit(member, app)
    signature = app.evidence.get()
    with pytest.raises(InvalidTransition):
        upload(app, member, "补充.pdf", MINIMAL_PDF)
    with pytest.raises(InvalidTransition):
        remove_evidence(member, signature)
    app.status = "returned"
    app.save()
    remove_evidence(member, signature)
    assert not app.evidence.exists()
    kept = Evidence.all_objects.get(pk=signature.pk)
    assert kept.withdrawn_at is not None and kept.file.storage.exists(kept.file.name)
    fresh = upload(app, member, "新签章页.pdf", MINIMAL_PDF, kind=EvidenceKind.SIGNATURE_PAGE)
    storage, name = fresh.file.storage, fresh.file.name
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(member, fresh)
    # Deleted for good: it was never part of a submitted version.
    assert not Evidence.all_objects.filter(pk=fresh.pk).exists()
    assert not storage.exists(name)
