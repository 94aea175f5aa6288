"""Evidence previews in Chromium when downloads redirect to presigned URLs of the private bucket
(S3 storage, no nginx): the page's Content-Security-Policy lets a frame and an image load from the
bucket's origin, and only from it. moto's S3 server stands in for MinIO (tests/s3server.py)."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import EvidenceKind
from applications.services.evidence import add_evidence
from tests.factories import MINIMAL_PDF, ApplicantFactory, ApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
pytest_plugins = ["tests.s3server"]  # fixtures: moto_endpoint, s3 (a boto3 client), s3_bucket

# A 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2e3d5b70000000049454e44ae426082"
)


def _wait(page, predicate: str, seconds: float = 15):
    """Polls from Python: wait_for_function evaluates strings, which the page's policy forbids."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(predicate):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not true after {seconds} s: {predicate}")


def test_previews_load_from_the_bucket_under_the_pages_policy(live_server, chromium, client, s3_bucket,
                                                             moto_endpoint):
    app = ApplicationFactory()
    member = ApplicantFactory(organisation=app.organisation)
    image = add_evidence(member, app, SimpleUploadedFile("x", PNG), kind=EvidenceKind.OTHER, name="现场照片.png")
    pdf = add_evidence(member, app, SimpleUploadedFile("x", MINIMAL_PDF), kind=EvidenceKind.TEST_REPORT,
                       name="检测报告.pdf")
    client.force_login(member)
    context = chromium.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text
            or "CSP" in message.text else None)
    page.goto(f"{live_server.url}/dashboard/")
    # What the review page's preview partial does: an image and a frame from the download view.
    page.evaluate("""([imageUrl, pdfUrl]) => {
        const img = document.createElement("img"); img.id = "preview-image"; img.src = imageUrl;
        const frame = document.createElement("iframe"); frame.id = "preview-pdf"; frame.src = pdfUrl;
        document.body.append(img, frame);
    }""", [f"/applications/evidence/{image.pk}/download/", f"/applications/evidence/{pdf.pk}/download/"])
    _wait(page, "() => document.getElementById('preview-image').complete")
    assert page.evaluate("document.getElementById('preview-image').naturalWidth") == 1
    _wait(page, "() => window.frames.length > 0")
    page.wait_for_timeout(500)
    frame_urls = [frame.url for frame in page.frames if frame != page.main_frame]
    assert any(url.startswith(f"{moto_endpoint}/{s3_bucket}/evidence/") for url in frame_urls), frame_urls
    assert violations == []

    # A script on the page may not reach anywhere else: the bucket was added to img-src and
    # frame-src only.
    page.evaluate("""() => { const s = document.createElement("script");
        s.src = arguments_url; document.body.append(s); }""".replace("arguments_url", repr(f"{moto_endpoint}/x.js")))
    page.wait_for_timeout(500)
    assert any("script-src" in text for text in violations), violations
    context.close()
