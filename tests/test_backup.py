"""`manage.py backup` and `manage.py restore` round-trip a populated portal: rows and files."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from portal.demo import seed_demo
from portal.models import AuditEntry, Organisation, User
from tests.factories import OrganisationFactory


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_back_rows_and_files(tmp_path):
    seed_demo()
    kept = OrganisationFactory(name="备份前的单位有限公司")
    stored = default_storage.save("evidence/report.pdf", ContentFile(b"%PDF-1.7 evidence"))
    counts = (User.objects.count(), Organisation.objects.count(), AuditEntry.objects.count())
    archive = tmp_path / "portal.tar.gz"

    call_command("backup", output=str(archive))
    assert archive.stat().st_size > 0

    # Damage: delete a row and a file, add a stray row.
    kept.delete()
    default_storage.delete(stored)
    OrganisationFactory(name="备份后才有的单位有限公司")

    call_command("restore", str(archive), yes=True)

    assert Organisation.objects.filter(name="备份前的单位有限公司").exists()
    assert not Organisation.objects.filter(name="备份后才有的单位有限公司").exists()
    assert (User.objects.count(), Organisation.objects.count(), AuditEntry.objects.count()) == counts
    assert User.objects.get(username="applicant").check_password("demo2026")
    with default_storage.open(stored) as fh:
        assert fh.read() == b"%PDF-1.7 evidence"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_missing_archive(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "nope.tar.gz"), yes=True)
