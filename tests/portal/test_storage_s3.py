"""Evidence, generated documents and job files in a private S3-compatible bucket, through the real
boto3 / django-storages client against a real S3 protocol server (moto's standalone server, the
protocol-faithful stand-in for MinIO: tests/s3server.py). Downloads stay behind the permission
check and hand out only short-lived presigned URLs or X-Accel-Redirects, never an object URL."""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import EvidenceKind
from applications.services.evidence import add_evidence
from applications.views.pages import edit_url
from portal import jobs
from portal.models import Job, JobStatus
from tests.factories import MINIMAL_PDF, ApplicantFactory, ApplicationFactory, UserFactory

pytest_plugins = ["tests.s3server"]  # fixtures: moto_endpoint, s3 (a boto3 client), s3_bucket, storage_env

REPORT = "推荐汇总表.pdf"


@jobs.register("tests.s3_report", "测试")
def _report(job, progress):
    return REPORT, b"%PDF-1.7 rendered on a worker"


@pytest.fixture
def app(db):
    return ApplicationFactory()


@pytest.fixture
def member(app):
    return ApplicantFactory(organisation=app.organisation)


def upload(app, user, name="检测报告.pdf", content=MINIMAL_PDF):
    return add_evidence(user, app, SimpleUploadedFile("ignored", content), kind=EvidenceKind.TEST_REPORT, name=name)


def keys(s3, bucket):
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_the_environment_selects_a_private_bucket(storage_env):
    default = storage_env(AWS_STORAGE_BUCKET_NAME="portal-media",
                               AWS_S3_ENDPOINT_URL="https://oss-cn-shanghai.aliyuncs.com")
    assert default["BACKEND"] == "portal.storage.PrivateS3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "portal-media"
    assert options["querystring_auth"] is True and options["querystring_expire"] == 60
    assert options["default_acl"] is None and options["custom_domain"] is None
    assert options["file_overwrite"] is False
    assert options["max_memory_size"] > 0  # a large object read back spills to disk, not memory
    assert storage_env()["BACKEND"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.django_db
def test_evidence_goes_to_the_bucket_and_downloads_by_a_presigned_redirect(
        client, app, member, s3, s3_bucket, moto_endpoint, settings):
    evidence = upload(app, member)
    assert evidence.file.name in keys(s3, s3_bucket)
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))

    client.force_login(member)
    response = client.get(reverse("applications:evidence_download", args=[evidence.pk]))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{moto_endpoint}/{s3_bucket}/evidence/")
    query = parse_qs(urlsplit(location).query)
    # Signed (SigV4), for one minute, naming the file and its type.
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    assert query["response-content-type"] == ["application/pdf"]
    assert "inline" in query["response-content-disposition"][0]
    assert response["Cache-Control"] == "private, no-store"

    followed = requests.get(location, timeout=10)
    assert followed.status_code == 200
    assert followed.content == MINIMAL_PDF
    assert followed.headers["Content-Type"] == "application/pdf"
    assert "检测报告.pdf" in unquote(followed.headers["Content-Disposition"])

    client.force_login(ApplicantFactory())  # another organisation: the same 404 as on local disk
    refused = client.get(reverse("applications:evidence_download", args=[evidence.pk]))
    assert refused.status_code == 404 and "Location" not in refused


@pytest.mark.django_db
def test_objects_are_private_an_anonymous_get_is_refused(app, member, s3, s3_bucket, moto_endpoint):
    evidence = upload(app, member)
    object_url = f"{moto_endpoint}/{s3_bucket}/{evidence.file.name}"
    assert requests.get(object_url, timeout=10).status_code == 403
    grants = s3.get_object_acl(Bucket=s3_bucket, Key=evidence.file.name)["Grants"]
    assert not [g for g in grants if "URI" in g["Grantee"]]  # no AllUsers / AuthenticatedUsers grant
    # The refusal means something: the same server serves an object someone made public.
    s3.put_object(Bucket=s3_bucket, Key="public.txt", Body=b"x", ACL="public-read")
    assert requests.get(f"{moto_endpoint}/{s3_bucket}/public.txt", timeout=10).status_code == 200


@pytest.mark.django_db
def test_a_job_result_is_saved_to_the_bucket_and_downloaded(client, s3, s3_bucket,
                                                            django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(owner, "tests.s3_report", {})
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCEEDED and job.result.name in keys(s3, s3_bucket)

    client.force_login(UserFactory())
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    client.force_login(owner)
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 302
    followed = requests.get(response["Location"], timeout=10)
    assert followed.content == b"%PDF-1.7 rendered on a worker"
    assert followed.headers["Content-Disposition"].startswith("attachment;")
    assert REPORT in unquote(followed.headers["Content-Disposition"])


@pytest.mark.django_db
def test_no_object_url_appears_in_the_pages(client, app, member, s3_bucket, moto_endpoint):
    evidence = upload(app, member)
    client.force_login(member)
    page = client.get(edit_url(app, "evidence"))
    assert page.status_code == 200
    assert evidence.original_name in page.content.decode()
    assert moto_endpoint not in page.content.decode()
    assert s3_bucket not in page.content.decode()
    # Previews (a frame, an image) may load from the bucket's origin, and only from it.
    policy = page["Content-Security-Policy"]
    assert f"img-src 'self' data: {moto_endpoint}" in policy and f"frame-src 'self' {moto_endpoint}" in policy
    assert "script-src 'self';" in policy


@pytest.mark.django_db
def test_presigned_urls_use_the_public_endpoint_when_the_servers_reach_the_bucket_elsewhere(
        client, app, member, s3_bucket, moto_endpoint, settings):
    public = moto_endpoint.replace("127.0.0.1", "localhost")
    options = dict(settings.STORAGES["default"]["OPTIONS"], public_endpoint_url=public)
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": options}}
    evidence = upload(app, member)
    client.force_login(member)
    location = client.get(reverse("applications:evidence_download", args=[evidence.pk]))["Location"]
    assert location.startswith(f"{public}/{s3_bucket}/evidence/")
    assert requests.get(location, timeout=10).content == MINIMAL_PDF


@pytest.mark.django_db
def test_behind_nginx_downloads_answer_x_accel_redirect_to_the_signed_object(
        client, app, member, s3_bucket, moto_endpoint, settings):
    settings.PORTAL_ACCEL_REDIRECT_PREFIX = "/protected/"
    evidence = upload(app, member)
    client.force_login(member)
    response = client.get(reverse("applications:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200 and response.content == b""
    target = response["X-Accel-Redirect"]
    assert target.startswith(f"/protected/{s3_bucket}/{evidence.file.name}?")
    assert "X-Amz-Signature=" in target
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    # What nginx does with `proxy_pass <endpoint>/;` in the internal location.
    fetched = requests.get(moto_endpoint + target.removeprefix("/protected"), timeout=10)
    assert fetched.status_code == 200 and fetched.content == MINIMAL_PDF


@pytest.mark.django_db
def test_behind_nginx_local_files_answer_x_accel_redirect(client, app, member, settings):
    settings.PORTAL_ACCEL_REDIRECT_PREFIX = "/protected/"
    evidence = upload(app, member)
    client.force_login(member)
    response = client.get(reverse("applications:evidence_download", args=[evidence.pk]))
    assert response["X-Accel-Redirect"] == f"/protected/{evidence.file.name}"
    assert response.content == b""
    assert "filename*=utf-8''%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
    evidence.file.storage.delete(evidence.file.name)
    assert client.get(reverse("applications:evidence_download", args=[evidence.pk])).status_code == 404
