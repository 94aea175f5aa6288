"""Protected downloads through a real nginx (Debian's package) in front of the portal: after the
permission check Django answers X-Accel-Redirect, and nginx sends the file from its `internal`
location, the block portal.downloads.nginx_location() writes: from the media folder, or proxied to
the private bucket on a real S3 protocol server (moto, the stand-in for MinIO). The location itself
cannot be requested from outside."""

import os
import pwd
import shutil
import socket
import subprocess
import time
from urllib.parse import unquote

import pytest
import requests

from portal import jobs
from portal.downloads import nginx_location
from portal.models import Job, JobStatus
from tests.factories import UserFactory

pytest_plugins = ["tests.s3server"]  # fixtures: moto_endpoint, s3 (a boto3 client), s3_bucket

NAME = "推荐汇总表 (终稿).pdf"
CONTENT = b"%PDF-1.7 sent by nginx"


@jobs.register("tests.nginx_report", "测试")
def _report(job, progress):
    return NAME, CONTENT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(tmp_path, live_server):
    """``start(location_block)`` runs nginx on a free port, proxying to the live server; returns its URL."""
    assert shutil.which("nginx"), "nginx (Debian package) is needed: apt-get install nginx-light"
    procs = []

    def start(location: str) -> str:
        port = _free_port()
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp_path / folder).mkdir(exist_ok=True)
        temp = " ".join(f"{name}_temp_path {tmp_path / folder};" for name, folder in (
            ("client_body", "body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"), ("uwsgi", "uwsgi"), ("scgi", "scgi")))
        # Workers read the media folder as this test's user (pytest's folders are private to it).
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""
        (tmp_path / "nginx.conf").write_text(f"""
daemon off;
{user}
pid {tmp_path / 'nginx.pid'};
error_log {tmp_path / 'error.log'} warn;
events {{}}
http {{
  access_log off;
  {temp}
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass {live_server.url}; proxy_set_header Host $http_host; }}
    {location}
  }}
}}
""")
        procs.append(subprocess.Popen(["nginx", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def _job_and_cookie(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(owner, "tests.nginx_report", {})
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCEEDED
    client.force_login(owner)
    return job, {"sessionid": client.cookies["sessionid"].value}


def _assert_sent_by_nginx(response):
    assert response.status_code == 200, response.text
    assert response.content == CONTENT
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert "," not in disposition  # one header, not the portal's and the bucket's joined
    assert disposition.startswith("attachment;") and NAME in unquote(disposition)
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Accel-Redirect" not in response.headers


@pytest.mark.django_db(transaction=True)
def test_nginx_sends_a_local_file_after_the_permission_check(nginx, client, settings,
                                                            django_capture_on_commit_callbacks):
    settings.PORTAL_ACCEL_REDIRECT_PREFIX = "/protected/"
    job, cookies = _job_and_cookie(client, django_capture_on_commit_callbacks)
    base = nginx(nginx_location("/protected/", media_root=str(settings.MEDIA_ROOT)))

    _assert_sent_by_nginx(requests.get(f"{base}/jobs/{job.pk}/download/", cookies=cookies, timeout=10))
    # Someone else: refused by the portal before nginx looks for anything.
    client.force_login(UserFactory())
    other = {"sessionid": client.cookies["sessionid"].value}
    assert requests.get(f"{base}/jobs/{job.pk}/download/", cookies=other, timeout=10).status_code == 404
    # The internal location answers nobody directly.
    assert requests.get(f"{base}/protected/{job.result.name}", timeout=10).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_nginx_sends_an_object_of_the_private_bucket_after_the_permission_check(
        nginx, client, settings, s3_bucket, moto_endpoint, django_capture_on_commit_callbacks):
    settings.PORTAL_ACCEL_REDIRECT_PREFIX = "/protected/"
    job, cookies = _job_and_cookie(client, django_capture_on_commit_callbacks)
    base = nginx(nginx_location("/protected/", s3_endpoint=moto_endpoint))

    response = requests.get(f"{base}/jobs/{job.pk}/download/", cookies=cookies, timeout=10)
    _assert_sent_by_nginx(response)
    assert moto_endpoint not in response.text and "X-Amz-Signature" not in str(response.headers)
    ranged = requests.get(f"{base}/jobs/{job.pk}/download/", cookies=cookies, headers={"Range": "bytes=0-7"},
                          timeout=10)
    assert ranged.status_code == 206 and ranged.content == CONTENT[:8]  # resumable downloads
    assert requests.get(f"{base}/protected/{s3_bucket}/{job.result.name}", timeout=10).status_code == 404
    anonymous = requests.get(f"{base}/jobs/{job.pk}/download/", timeout=10, allow_redirects=False)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]


def test_an_https_endpoint_is_proxied_with_its_server_name():
    block = nginx_location("/files/", s3_endpoint="https://oss-cn-shanghai.aliyuncs.com")
    assert "proxy_pass https://oss-cn-shanghai.aliyuncs.com/;" in block
    assert "proxy_set_header Host oss-cn-shanghai.aliyuncs.com;" in block
    assert "proxy_ssl_server_name on;" in block and block.startswith("location /files/ {")


def test_the_media_block_serves_the_folder_itself():
    block = nginx_location(media_root="/app/media")
    assert "alias /app/media/;" in block and "internal;" in block


def test_the_command_prints_the_block_for_the_configured_storage(settings, capsys, s3_bucket, moto_endpoint):
    from django.core.management import call_command

    call_command("nginx_location")
    assert f"proxy_pass {moto_endpoint}/;" in capsys.readouterr().out
    call_command("nginx_location", media_root="/app/media", s3_endpoint="")
    assert "alias /app/media/;" in capsys.readouterr().out
