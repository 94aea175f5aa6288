"""A real S3 protocol server for tests: moto's standalone server, spoken to over HTTP by the same
boto3 / django-storages client production uses. It stands in for MinIO (and Aliyun OSS, Tencent
COS, Huawei OBS), which have no Debian or PyPI package here; compose runs MinIO itself.

What moto enforces and what it does not (checked by hand and by tests/portal/test_storage_s3.py): an anonymous
GET of a private object is refused (403) and of a public-read one allowed; it does NOT verify
signatures or expiry of presigned URLs, so tests check those parameters in the URL instead.
"""

import importlib
import socket
import subprocess
import sys
import time
import uuid

import boto3
import pytest
import requests
from botocore.config import Config

ACCESS_KEY, SECRET_KEY, REGION = "portal-test", "portal-test-secret", "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    port = _free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")  # closed below
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port), "-H", "127.0.0.1"],
                            stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(endpoint, timeout=2)
                break
            except requests.RequestException:  # not listening yet, or still starting
                time.sleep(0.1)
        else:
            raise RuntimeError("moto server did not start")
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def s3_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                        region_name=REGION, config=Config(s3={"addressing_style": "path"}))


@pytest.fixture
def s3(moto_endpoint):
    """A boto3 client of the test server, to look at the bucket from outside the portal."""
    return s3_client(moto_endpoint)


@pytest.fixture
def storage_env(monkeypatch):
    """``storage_env(**env)``: STORAGES["default"] as settings/infrastructure.py builds it from ``env``."""
    return lambda **env: storage_settings(monkeypatch, **env)


def storage_settings(monkeypatch, **env) -> dict:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from portal.settings import infrastructure

    try:
        return importlib.reload(infrastructure).STORAGES["default"]
    finally:
        for name in env:
            monkeypatch.delenv(name)
        importlib.reload(infrastructure)


@pytest.fixture
def s3_bucket(moto_endpoint, settings, monkeypatch):
    """A fresh private bucket, made the default storage the way the environment would select it."""
    bucket = f"portal-{uuid.uuid4().hex[:12]}"
    s3_client(moto_endpoint).create_bucket(Bucket=bucket)
    default = storage_settings(
        monkeypatch, PORTAL_STORAGE="s3", AWS_STORAGE_BUCKET_NAME=bucket, AWS_S3_ENDPOINT_URL=moto_endpoint,
        AWS_S3_REGION_NAME=REGION, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_S3_ADDRESSING_STYLE="path",
    )
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return bucket
