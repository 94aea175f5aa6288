"""Serving a stored file to a person, after the view has checked that they may have it.

Every download (evidence, generated documents, job results) goes through ``serve_file``, so how
bytes reach the browser is decided here once, never with a public object URL:

- ``stream`` (the zero-set-up default): Django reads the file from the storage and streams it.
- ``redirect`` (S3-compatible storage): a 302 to a presigned GET URL that lives
  PORTAL_DOWNLOAD_URL_EXPIRY seconds (60) and names the file and its type
  (ResponseContentDisposition / ResponseContentType), so the bucket itself stays private.
- ``accel`` (PORTAL_ACCEL_REDIRECT_PREFIX set, nginx in front): an empty answer with
  ``X-Accel-Redirect`` that nginx follows to an ``internal`` location no browser can request.
  The nginx block, with PORTAL_ACCEL_REDIRECT_PREFIX=/protected/::

      # Local storage: the folder MEDIA_ROOT names, mounted into the nginx container read-only.
      location /protected/ {
          internal;
          alias /app/media/;
          add_header X-Content-Type-Options nosniff always;
          add_header X-Frame-Options SAMEORIGIN always;
          add_header Content-Security-Policy "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'" always;
      }

      # S3-compatible storage (AWS_S3_ADDRESSING_STYLE=path): the URL after the prefix is
      # /<bucket>/<key>?<presigned query>, signed for the host in AWS_S3_ENDPOINT_URL.
      location /protected/ {
          internal;
          proxy_pass http://minio:9000/;      # AWS_S3_ENDPOINT_URL, with the trailing slash
          proxy_set_header Host minio:9000;   # the signed host
          proxy_set_header Cookie "";         # the person's session stays with the portal
          proxy_set_header Authorization "";
          proxy_hide_header Set-Cookie;
          proxy_hide_header Access-Control-Allow-Origin;
          proxy_hide_header x-amz-request-id;
          proxy_hide_header x-amz-id-2;
          add_header X-Content-Type-Options nosniff always;
          add_header X-Frame-Options SAMEORIGIN always;
          add_header Content-Security-Policy "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'" always;
      }

nginx keeps the Content-Type and Content-Disposition this module sets on the X-Accel answer.
"""  # noqa: E501  (the nginx lines are copied as they are)

import mimetypes
from functools import cache
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def mode(storage=None) -> str:
    """How downloads reach the browser with this configuration: accel, redirect or stream."""
    if settings.PORTAL_ACCEL_REDIRECT_PREFIX:
        return "accel"
    if hasattr(storage or _default_storage(), "presigned_url"):
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


def _default_storage():
    from django.core.files.storage import default_storage

    return default_storage


@cache
def _origin_of(backend: str, endpoint: str) -> str:
    url = urlsplit(_default_storage().presigned_url("origin-probe", expire=60))
    return f"{url.scheme}://{url.netloc}"


def download_origin() -> str:
    """The origin presigned downloads come from ("" unless downloads redirect): the pages that
    preview evidence in a frame or an image allow it (portal.middleware's Content-Security-Policy)."""
    if mode() != "redirect":
        return ""
    options = settings.STORAGES["default"].get("OPTIONS", {})
    return _origin_of(settings.STORAGES["default"]["BACKEND"],
                      str(options.get("public_endpoint_url") or options.get("endpoint_url")))
