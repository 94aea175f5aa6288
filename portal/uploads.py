"""The cap on a whole multipart request body (files included), checked before any of it is read.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE counts only the non-file parts of a multipart body; the files
stream to disk whatever their size, and the CSRF check reads the whole body to find its token. So
without this, an anonymous 300 MB POST is read and written to disk before it is refused. The
portal's largest legitimate body is one evidence file and its few fields (EVIDENCE_MAX_FILE_BYTES
plus MULTIPART_OVERHEAD_BYTES); nginx's client_max_body_size stops bigger bodies first.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

MULTIPART_OVERHEAD_BYTES = 1024 * 1024  # the form's other fields and the multipart boundaries


def max_multipart_bytes() -> int:
    return settings.EVIDENCE_MAX_FILE_BYTES + MULTIPART_OVERHEAD_BYTES


class RequestSizeLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses (400) a multipart body whose declared length is over
    the cap. The WSGI server never hands Django more than the declared length."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > max_multipart_bytes():
            raise RequestDataTooBig(f"Multipart body of {content_length} bytes is over {max_multipart_bytes()}.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data  # the next handler stores it

    def file_complete(self, file_size):
        return None
