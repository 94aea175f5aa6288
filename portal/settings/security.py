"""Doors and limits: login throttling, the real client address behind proxies, request bodies and
bulk imports."""

# Bulk import: one transaction per file, rolled back on any bad row; CSV and XLSX only.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # the audit trail records imports (via="import")
IMPORT_EXPORT_FORMATS = ["import_export.formats.base_formats.CSV", "import_export.formats.base_formats.XLSX"]
