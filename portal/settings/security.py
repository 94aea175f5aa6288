"""Doors and limits: login throttling, the real client address behind proxies, request bodies and
bulk imports."""

import datetime

from portal.imports import CappedCSV, CappedXLSX

from .env import env_int

# The real client address. Each reverse proxy in front of Django appends the address it received
# the request from to X-Forwarded-For; PORTAL_TRUSTED_PROXY_COUNT says how many such proxies there
# are (nginx alone: 1; a cloud load balancer in front of nginx: 2). The client is then the
# COUNT-th address from the right of that header; anything further left was written by the client
# and is ignored. 0 (the default, for a portal reached directly) trusts no header: REMOTE_ADDR.
# One rule for the login throttle (django-axes) and the registration/reset limits: portal.throttle.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)

# Login throttle (django-axes, on every door that calls authenticate(): /accounts/login/ and
# /admin/login/). Five failures for one account from one address lock that account from that
# address for 15 minutes; other accounts at that address and the same account elsewhere are not
# affected, so a shared office address or a proxy never locks out people who did nothing wrong.
# axes applies one failure limit to every lock-out key, so there is no separate, higher per-address
# limit: at 5 it would lock whole offices behind one egress address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.views.auth.locked_out"  # the Chinese 429 page, like the other limits
AXES_HTTP_RESPONSE_CODE = 429
# Attempts are kept in the database (axes' default handler): shared by every web node, and an
# administrator unlocks an account by deleting its row in the admin (访问尝试 / Access attempts).

# Request bodies. Non-file data (form fields, or a whole urlencoded body): the application form's
# page has 77 fields and 25,040 characters at most, about 0.23 MB once Chinese is URL-encoded (9
# bytes a character); 2.5 MB leaves room, and a bigger body is refused (400) before it is read.
# Files: one evidence file per request (EVIDENCE_MAX_FILE_BYTES, 20 MB); portal.uploads refuses a
# multipart body over that plus 1 MB before reading it, and nginx's client_max_body_size (21m)
# stops it even earlier. Files up to 2.5 MB stay in memory while parsed; bigger ones go to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "portal.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Bulk import: one transaction per file, rolled back on any bad row; CSV and XLSX only, capped
# (portal.imports; the expert-pool import uses the same caps). django-import-export wants the
# format classes themselves, not their dotted paths.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # the audit trail records imports (via="import")
IMPORT_EXPORT_FORMATS = [CappedCSV, CappedXLSX]
# Between the preview and the confirmation the file waits in the default storage (the bucket when
# one is configured), not in one web node's /tmp: the confirmation may reach another node.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 2000)
# A 2,000-row template file inflates to about 2 MB. An 869 KB file that inflates to 204 MB took openpyxl
# 11.5 s and 55 MB to read; it is now refused after 10 MB of inflating, in milliseconds.
IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES", 10 * 1024 * 1024)
