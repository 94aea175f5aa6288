"""Object storage for evidence, generated documents and job files: a private S3-compatible bucket
(MinIO, Aliyun OSS, Tencent COS, Huawei OBS, AWS) when settings select it (settings/infrastructure.py).

Objects are never public: no public ACL, and the only URLs handed out are presigned, short-lived,
and made after a view's permission check (portal/downloads.py).
"""

from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend with one addition: ``public_endpoint_url``, the address browsers
    reach the bucket at when the servers reach it at another (``http://minio:9000`` inside compose,
    a public name outside). A presigned URL's signature covers the host, so it is signed for the
    public address; without one, the server's own endpoint is used."""

    def get_default_settings(self):
        defaults = super().get_default_settings()
        defaults["public_endpoint_url"] = None
        return defaults

    def presigned_url(self, name: str, *, expire: int, parameters: dict | None = None) -> str:
        """A GET URL for ``name`` valid ``expire`` seconds (``parameters``: Response* overrides)."""
        if not self.public_endpoint_url:
            return self.url(name, parameters=parameters, expire=expire)
        params = dict(parameters or {}, Bucket=self.bucket_name, Key=self._normalize_name(clean_name(name)))
        return self._public_client().generate_presigned_url("get_object", Params=params, ExpiresIn=expire)

    def _public_client(self):
        client = getattr(self, "_public_client_cached", None)
        if client is None:
            # Signing needs no network: the client only computes the URL.
            client = self._create_session().client(
                "s3", region_name=self.region_name, use_ssl=self.use_ssl, endpoint_url=self.public_endpoint_url,
                config=self.client_config, verify=self.verify,
            )
            self._public_client_cached = client
        return client
