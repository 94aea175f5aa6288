"""Serving a stored file to a person, after the view has checked that they may have it.

Every download (evidence, generated documents, job results) goes through ``serve_file``, so how
bytes reach the browser is decided here once, never with a public object URL:

- ``stream`` (the zero-set-up default): Django reads the file from the storage and streams it.
- ``redirect`` (S3-compatible storage): a 302 to a presigned GET URL that lives
  PORTAL_DOWNLOAD_URL_EXPIRY seconds (60) and names the file and its type
  (ResponseContentDisposition / ResponseContentType), so the bucket itself stays private.
- ``accel`` (PORTAL_ACCEL_REDIRECT_PREFIX set, nginx in front): an empty answer with
  ``X-Accel-Redirect`` that nginx follows to an ``internal`` location no browser can request:
  ``nginx_location()`` below writes that block (tests/portal/test_nginx_downloads.py runs it in a real
  nginx). With PORTAL_ACCEL_REDIRECT_PREFIX=/protected/, for local storage::

      location /protected/ {
          internal;
          alias /app/media/;            # MEDIA_ROOT, mounted read-only into nginx
          add_header ...;               # nosniff, SAMEORIGIN, the evidence CSP
      }

  and for the bucket (AWS_S3_ADDRESSING_STYLE=path; the redirect is /protected/<bucket>/<key>?<presigned
  query>, signed for the host of AWS_S3_ENDPOINT_URL)::

      location /protected/ {
          internal;
          proxy_pass http://minio:9000/;          # AWS_S3_ENDPOINT_URL, with the trailing slash
          proxy_set_header Host minio:9000;       # the signed host
          proxy_set_header Cookie "";             # the person's session stays with the portal
          proxy_set_header Authorization "";
          proxy_hide_header Set-Cookie; ...       # and the bucket's own headers
          add_header ...;
      }

  nginx keeps the Content-Type and Content-Disposition this module sets on the X-Accel answer.
"""

import mimetypes
from functools import cache
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def mode(storage=None) -> str:
    """How downloads reach the browser with this configuration: accel, redirect or stream."""
    if settings.PORTAL_ACCEL_REDIRECT_PREFIX:
        return "accel"
    if hasattr(storage or default_storage, "presigned_url"):
        return "redirect"
    return "stream"


def serve_file(fieldfile, *, filename: str, content_type: str | None = None, as_attachment: bool = True,
               headers: dict | None = None):
    """A response that delivers ``fieldfile`` under ``filename``; 404 when the file is gone."""
    storage, name = fieldfile.storage, fieldfile.name
    how = mode(storage)
    if how == "stream":
        response = _stream(fieldfile, filename, content_type, as_attachment)
    else:
        if not name or not storage.exists(name):
            raise Http404
        content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        disposition = content_disposition_header(as_attachment, filename)
        response = (_accel if how == "accel" else _redirect)(storage, name, content_type, disposition)
        # The address is for this person and this minute: never kept by a browser or a proxy.
        response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    for header, value in (headers or {}).items():
        response[header] = value
    return response


def _stream(fieldfile, filename, content_type, as_attachment):
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    # FileResponse writes Content-Disposition with an RFC 5987 filename* for non-ASCII names.
    return FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)


def _presign(storage, name, content_type, disposition=None, *, public: bool) -> str:
    parameters = {"ResponseContentType": content_type}
    if disposition:
        parameters["ResponseContentDisposition"] = disposition
    expire = settings.PORTAL_DOWNLOAD_URL_EXPIRY
    if public:
        return storage.presigned_url(name, expire=expire, parameters=parameters)
    return storage.url(name, parameters=parameters, expire=expire)  # signed for the servers' endpoint


def _redirect(storage, name, content_type, disposition):
    return HttpResponseRedirect(_presign(storage, name, content_type, disposition, public=True))


def _accel(storage, name, content_type, disposition):
    prefix = settings.PORTAL_ACCEL_REDIRECT_PREFIX.rstrip("/")
    if hasattr(storage, "presigned_url"):
        # nginx keeps this answer's Content-Disposition: the bucket must not send a second one.
        url = urlsplit(_presign(storage, name, content_type, public=False))
        target = f"{prefix}{url.path}?{url.query}"
    else:
        target = f"{prefix}/{quote(name)}"
    response = HttpResponse(content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Accel-Redirect"] = target
    return response


# What nginx adds to every file it sends from the internal location (the evidence view's own).
NGINX_HEADERS = (
    "add_header X-Content-Type-Options nosniff always;",
    "add_header X-Frame-Options SAMEORIGIN always;",
    "add_header Content-Security-Policy \"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "object-src 'self'; frame-ancestors 'self'\" always;",
)


def nginx_location(prefix: str = "/protected/", *, media_root: str = "", s3_endpoint: str = "") -> str:
    """The nginx ``location`` block for PORTAL_ACCEL_REDIRECT_PREFIX: ``alias`` to the media folder,
    or a proxy to the bucket's endpoint (the servers' AWS_S3_ENDPOINT_URL, path-style)."""
    lines = [f"location {prefix.rstrip('/')}/ {{", "    internal;"]
    if s3_endpoint:
        endpoint = urlsplit(s3_endpoint)
        lines += [
            f"    proxy_pass {endpoint.scheme}://{endpoint.netloc}/;",
            f"    proxy_set_header Host {endpoint.netloc};",  # the host the URL was signed for
            '    proxy_set_header Cookie "";',  # the person's session stays with the portal
            '    proxy_set_header Authorization "";',
            *(f"    proxy_hide_header {name};" for name in (
                "Set-Cookie", "Access-Control-Allow-Origin", "x-amz-request-id", "x-amz-id-2", "x-amzn-requestid")),
        ]
        if endpoint.scheme == "https":
            lines.append("    proxy_ssl_server_name on;")
    else:
        lines.append(f"    alias {media_root.rstrip('/')}/;")
    lines += [f"    {header}" for header in NGINX_HEADERS]
    return "\n".join([*lines, "}"])


@cache
def _origin_of(backend: str, endpoint: str) -> str:
    url = urlsplit(default_storage.presigned_url("origin-probe", expire=60))
    return f"{url.scheme}://{url.netloc}"


def download_origin() -> str:
    """The origin presigned downloads come from ("" unless downloads redirect): the pages that
    preview evidence in a frame or an image allow it (portal.middleware's Content-Security-Policy)."""
    if mode() != "redirect":
        return ""
    options = settings.STORAGES["default"].get("OPTIONS", {})
    return _origin_of(settings.STORAGES["default"]["BACKEND"],
                      str(options.get("public_endpoint_url") or options.get("endpoint_url")))
