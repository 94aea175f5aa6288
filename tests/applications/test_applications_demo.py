"""Demo data: `seed_demo --applications N` creates N realistic applications, once."""

import random

import pytest
from django.core.management import call_command

from applications.demo import DEMO_CODE_PREFIX, generate_applications
from applications.models import Application, ApplicationStatus, ApplicationVersion
from applications.services.completeness import completeness_check


@pytest.mark.django_db
def test_generate_applications_is_idempotent_and_varied():
    assert generate_applications(60, random.Random(1)) == 60
    assert generate_applications(60, random.Random(2)) == 0
    assert Application.objects.count() == 60
    assert generate_applications(70, random.Random(3)) == 10
    apps = Application.objects.select_related("programme")
    assert {a.status for a in apps} == {ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED,
                                        ApplicationStatus.RETURNED}
    assert len({a.category_id for a in apps}) > 5
    assert len({a.organisation.district_id for a in apps.select_related("organisation")}) > 3
    submitted = apps.exclude(status=ApplicationStatus.DRAFT)
    assert ApplicationVersion.objects.count() == submitted.count()
    assert all(a.organisation_snapshot for a in submitted)
    # Everything but the files is filled in: the only missing item is the signed page.
    sample = apps.first()
    assert [m.section for m in completeness_check(sample)] in (["evidence"], ["evidence", "evidence"],
                                                                ["evidence", "evidence", "evidence"])
    assert 3 <= sample.team_members.count() <= 8


@pytest.mark.django_db
def test_seed_demo_command_option():
    call_command("seed_demo", "--applications", "5", stdout=open("/dev/null", "w"))
    call_command("seed_demo", "--applications", "5", stdout=open("/dev/null", "w"))
    # The bench data comes on top of the demo year's own applications (tests/portal/test_demo_year.py).
    generated = Application.objects.filter(organisation__credit_code__startswith=DEMO_CODE_PREFIX)
    assert generated.count() == 5
    assert Application.objects.count() > 5
