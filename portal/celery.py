"""The Celery application. Tasks are thin: they take ids and call the domain services."""

import os
from pathlib import Path

from celery import Celery
from django.conf import settings  # a lazy object: read only once the app is configured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_embedded_broker_folders():
    """The file-system broker (the zero-set-up default) needs its folders to exist."""
    if str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "data_folder_processed", "control_folder"):
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)
        Path(settings.CELERY_DATA_DIR / "results").mkdir(parents=True, exist_ok=True)


app.on_configure.connect(lambda sender, **kw: _ensure_embedded_broker_folders(), weak=False)
