"""Serving a stored file to a person, after the view has checked that they may have it.

Every download (evidence, generated documents, job results) goes through ``serve_file``, so how
bytes reach the browser is decided here once: streamed by Django from the configured storage.
"""

from django.http import FileResponse, Http404


def serve_file(fieldfile, *, filename: str, content_type: str | None = None, as_attachment: bool = True,
               headers: dict | None = None):
    """A response that delivers ``fieldfile`` under ``filename``; 404 when the file is gone."""
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    # FileResponse writes Content-Disposition with an RFC 5987 filename* for non-ASCII names.
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    for name, value in (headers or {}).items():
        response[name] = value
    return response
