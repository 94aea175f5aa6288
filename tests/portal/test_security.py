"""Cross-cutting security: CSP without inline script, escaped user text, refused uploads, the admin."""

import io
import re
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

from applications.models import EvidenceKind
from applications.services.errors import EvidenceRejected
from applications.services.evidence import add_evidence
from tests.factories import ApplicantFactory, ApplicationFactory, OrganisationFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# PDF/Word templates (WeasyPrint) and plain-text e-mails are not web pages: the CSP does not apply.
NOT_WEB = ("pdf", "documents/form", "certificate", "report_pdf", "_email")


def web_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        rel = path.relative_to(TEMPLATES).as_posix()
        if not any(marker in rel for marker in NOT_WEB):
            yield rel, path.read_text(encoding="utf-8")


def test_no_template_has_inline_script_style_or_handlers():
    offenders = []
    for rel, text in web_templates():
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{rel}: inline <script>")
        if re.search(r"\sstyle\s*=", text) or "<style" in text:
            offenders.append(f"{rel}: inline style")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{rel}: event handler attribute")
        if "|safe" in text or "autoescape off" in text:
            offenders.append(f"{rel}: unescaped output")
    assert offenders == []


@pytest.mark.django_db
def test_every_page_carries_a_csp_without_unsafe_inline(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "object-src 'none'" in policy


@pytest.mark.django_db
def test_user_text_is_escaped_everywhere_it_is_shown(client):
    evil = '<script>alert("x")</script>'
    applicant = ApplicantFactory(organisation=OrganisationFactory(name=f"单位{evil}"))
    application = ApplicationFactory(organisation=applicant.membership.organisation, project_name=f"项目{evil}")
    client.force_login(applicant)
    for url in [reverse("dashboard"), reverse("organisation_detail", args=[applicant.membership.organisation_id]),
                reverse("applications:list"), reverse("applications:edit", args=[application.pk])]:
        html = client.get(url).content.decode()
        assert evil not in html, url
        assert "&lt;script&gt;" in html, url


@pytest.mark.django_db
def test_an_svg_with_script_is_refused_as_evidence():
    applicant = ApplicantFactory()
    application = ApplicationFactory(organisation=applicant.membership.organisation)
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for name in ("logo.svg", "logo.png", "report.pdf"):
        with pytest.raises(EvidenceRejected) as error:
            add_evidence(applicant, application, SimpleUploadedFile(name, svg), kind=EvidenceKind.OTHER,
                         description="x")
        assert name in str(error.value)


@pytest.mark.django_db
def test_the_admin_is_behind_staff_login(client, applicant, administrator):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    for user in (applicant, administrator):  # signed in, but not staff
        client.force_login(user)
        response = client.get("/admin/portal/organisation/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


class CountingInput(io.RawIOBase):
    """A request body of ``size`` bytes (``head``, filler, ``tail``) that records how much was read."""

    def __init__(self, size: int, head: bytes = b"", tail: bytes = b""):
        super().__init__()
        self.size, self.head, self.tail, self.taken = size, head, tail, 0

    def _byte_range(self, start, end):
        filler_end = self.size - len(self.tail)
        out = bytearray()
        if start < len(self.head):
            out += self.head[start:end]
        middle = max(0, min(end, filler_end) - max(start, len(self.head)))
        out += b"a" * middle
        if end > filler_end:
            out += self.tail[max(0, start - filler_end):end - filler_end]
        return bytes(out)

    def read(self, n=-1):
        n = self.size - self.taken if n is None or n < 0 else min(n, self.size - self.taken)
        data = self._byte_range(self.taken, self.taken + n)
        self.taken += n
        return data

    def readline(self, limit=-1):
        return self.read(limit if limit and limit > 0 else 65536)


def wsgi_post(path: str, size: int, content_type: str, head: bytes = b"", tail: bytes = b""):
    body = CountingInput(size, head, tail)
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
        "wsgi.url_scheme": "http", "wsgi.input": body, "wsgi.errors": io.StringIO(), "REMOTE_ADDR": "198.51.100.1",
        "CONTENT_LENGTH": str(size), "CONTENT_TYPE": content_type,
        "HTTP_COOKIE": "csrftoken=" + "a" * 32,  # with a CSRF cookie, the CSRF check reads the body for its token
    }
    status = []
    b"".join(WSGIHandler()(environ, lambda s, headers, *a: status.append(s)))
    return int(status[0].split()[0]), body.taken


@pytest.mark.django_db
def test_a_too_big_form_post_is_refused_before_it_is_read():
    size = 300 * 1024 * 1024  # the anonymous 300 MB POST of the report
    status, taken = wsgi_post("/accounts/login/", size, "application/x-www-form-urlencoded")
    assert status == 400
    assert taken == 0


@pytest.mark.django_db
def test_a_too_big_multipart_post_is_refused_before_it_is_read(settings):
    size = settings.EVIDENCE_MAX_FILE_BYTES + 2 * 1024 * 1024
    head = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n")
    status, taken = wsgi_post("/accounts/register/", size, "multipart/form-data; boundary=xyz", head,
                              b"\r\n--xyz--\r\n")
    assert status == 400
    assert taken < 1024 * 1024


@pytest.mark.django_db
def test_a_form_post_under_the_limits_is_read(client, settings):
    response = client.post(reverse("login"), {"username": "x", "password": "y", "filler": "字" * 100_000})
    assert response.status_code == 200  # the login form again, with its error


@pytest.mark.django_db
@pytest.mark.parametrize("lock_version", ["abc", "", "1.5", "-1"])
def test_an_unreadable_lock_version_is_an_edit_conflict_not_a_skipped_check(client, lock_version):
    from applications.models import Application
    from tests.applications.test_applications_views import form_data

    app = ApplicationFactory(background="原来的背景。")
    client.force_login(ApplicantFactory(organisation=app.organisation))
    data = form_data(app, background="覆盖的背景。")
    data["lock_version"] = lock_version
    response = client.post(reverse("applications:edit", args=[app.pk]), data)
    assert response.status_code == 400
    assert "申报表已被他人修改" in response.content.decode()
    assert "覆盖的背景。" in response.content.decode()  # the person's input is still on the page
    stored = Application.objects.get(pk=app.pk)
    assert stored.background == "原来的背景。" and stored.lock_version == app.lock_version


@pytest.mark.django_db
def test_the_current_lock_version_saves(client):
    from applications.models import Application
    from tests.applications.test_applications_views import form_data

    app = ApplicationFactory()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    response = client.post(reverse("applications:edit", args=[app.pk]), form_data(app, background="新背景。"))
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).background == "新背景。"


def lying_docx(real: int, stated: int = 1000) -> bytes:
    """A 'DOCX' whose document.xml inflates to ``real`` bytes while both its local and its central
    header state ``stated`` (the CRC stays that of the real content)."""
    import struct
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * real)
    data = bytearray(buffer.getvalue())
    name = b"word/document.xml"
    local = data.find(name) - 30  # our member's local header (the name follows its 30 bytes)
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<L", data, local + 22, stated)
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 1)  # the second central entry
    assert data[central + 46:central + 46 + len(name)] == name
    struct.pack_into("<L", data, central + 24, stated)
    return bytes(data)


@pytest.mark.django_db
def test_a_zip_whose_headers_understate_its_size_is_refused_as_evidence():
    import zipfile

    content = lying_docx(real=8 * 1024 * 1024)  # about 8 KB on disk, 8 MB inflated, 1 KB stated
    with zipfile.ZipFile(io.BytesIO(content)) as archive:  # what the old check summed: the stated sizes
        assert sum(info.file_size for info in archive.infolist()) < 2000
    applicant = ApplicantFactory()
    application = ApplicationFactory(organisation=applicant.membership.organisation)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(EvidenceRejected, match="计算说明.docx.*压缩内容异常（解压后超过.*疑似压缩炸弹"):
        add_evidence(applicant, application, SimpleUploadedFile("计算说明.docx", content), kind=EvidenceKind.OTHER,
                     description="x")


@pytest.mark.django_db
def test_a_zip_whose_headers_lie_within_the_budget_is_refused_too():
    applicant = ApplicantFactory()
    application = ApplicationFactory(organisation=applicant.membership.organisation)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(EvidenceRejected, match="记录的大小与实际内容不符"):
        add_evidence(applicant, application, SimpleUploadedFile("说明.docx", lying_docx(real=20_000)),
                     kind=EvidenceKind.OTHER, description="x")


def test_the_archive_measure_counts_real_bytes_and_stops_at_the_budget():
    from portal import archives

    with pytest.raises(archives.ArchiveRefused) as refused:
        archives.measure(io.BytesIO(lying_docx(real=50 * 1024 * 1024)), max_bytes=1024 * 1024)
    assert refused.value.reason == "too_large"
    honest = lying_docx(real=30_000, stated=30_000)
    assert archives.measure(io.BytesIO(honest), max_bytes=1024 * 1024).inflated == 30_000 + len("<Types/>")


@pytest.mark.django_db
def test_the_admins_forms_normalise_text_and_keep_passwords_as_typed(client, superuser):
    from portal.models import District, User

    client.force_login(superuser)
    response = client.post("/admin/portal/user/add/", {
        "username": "newadmin", "usable_password": "true",
        "password1": " Pass\x0bword-2026 ", "password2": " Pass\x0bword-2026 ", "role": "applicant",
        "full_name": "王\x0b五\x07",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="newadmin")
    assert user.check_password(" Pass\x0bword-2026 ") and user.full_name == "王\n五"
    assert client.get(f"/admin/portal/user/{user.pk}/change/").status_code == 200
    response = client.post("/admin/portal/district/add/", {"name": "浦东\x0b新区\x07", "code": "pd", "order": "1"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert District.objects.filter(name="浦东\n新区").exists()
