"""Cleans text stored before input was normalised (portal.text.clean_text): a vertical tab pasted
from Word or a BEL in any text of the registration, review, award and shared-core tables becomes a
line break or disappears, so that no stored row can stop a PDF, Word or XLSX export.

Every CharField, TextField and the strings inside JSONFields (the submitted versions, the
organisation snapshot) of the portal, applications, scoring and awards models, except the audit
trail, which is never rewritten (its writers sanitise instead) and password hashes. Only rows that
change are written. Not reversible in content (the characters are gone); reversing is a no-op.
"""

import re

from django.db import migrations, models

APPS = ("portal", "applications", "scoring", "awards")
SKIP_MODELS = {("portal", "auditentry")}
SKIP_FIELDS = {"password"}
CHUNK = 500
# portal.text.clean_text as of this migration (frozen here: a migration must not change with the code).
_CONTROLS = re.compile("[\x00-\x08\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n|\r|\x0b|\u2028|\u2029")


def clean_text(value):
    if not isinstance(value, str):
        return value
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))


def _clean_json(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    if isinstance(value, dict):
        return {_clean_json(k): _clean_json(v) for k, v in value.items()}
    return value


def _text_fields(model):
    return [f for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            and not f.primary_key and f.name not in SKIP_FIELDS]


def clean_rows(apps, schema_editor):
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if (label, model._meta.model_name) in SKIP_MODELS or model._meta.proxy:
                continue
            fields = _text_fields(model)
            if not fields:
                continue
            names = [f.attname for f in fields]
            changed = []
            for row in model._base_manager.only("pk", *names).order_by("pk").iterator(chunk_size=CHUNK):
                dirty = False
                for field in fields:
                    value = getattr(row, field.attname)
                    cleaned = _clean_json(value) if isinstance(field, models.JSONField) else clean_text(value)
                    if cleaned != value:
                        setattr(row, field.attname, cleaned)
                        dirty = True
                if dirty:
                    changed.append(row)
            # Written after the read: SQLite does not isolate a table being read from writes to it.
            model._base_manager.bulk_update(changed, names, batch_size=CHUNK)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_audit_programme"),
        ("applications", "0003_recommendation"),
        ("scoring", "0002_review"),
        ("awards", "0001_initial"),
    ]

    operations = [migrations.RunPython(clean_rows, migrations.RunPython.noop, elidable=True)]
