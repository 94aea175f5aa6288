"""The audit trail records every path: view, admin, service; and it is append-only."""

import pytest
from django.urls import reverse

from portal.models import AuditEntry, ProgrammeStatus
from portal.services import audit
from tests.factories import ApplicantFactory, OrganisationFactory, ProgrammeFactory


@pytest.mark.django_db
def test_change_through_a_view_is_recorded_with_before_and_after(client):
    applicant = ApplicantFactory()
    org = applicant.membership.organisation
    client.force_login(applicant)
    data = {f: getattr(org, f) for f in ["name", "legal_representative", "ownership", "size", "industry",
                                          "address", "phone", "contact_person", "mobile", "email"]}
    data.update(district=org.district_id, address="上海市嘉定区新地址9号")
    response = client.post(reverse("organisation_detail", args=[org.pk]), data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="organisation.update", object_id=str(org.pk))
    assert entry.actor == applicant
    assert entry.via == "web"
    assert entry.changes == {"address": ["上海市嘉定区测试路1号", "上海市嘉定区新地址9号"]}


@pytest.mark.django_db
def test_change_through_the_admin_is_recorded(client, superuser):
    org = OrganisationFactory(name="旧名称有限公司")
    client.force_login(superuser)
    url = reverse("admin:portal_organisation_change", args=[org.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"name": "新名称有限公司", "district": org.district_id,
                 "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = AuditEntry.objects.get(action="organisation.change", object_id=str(org.pk))
    assert entry.via == "admin"
    assert entry.actor == superuser
    assert entry.changes["name"] == ["旧名称有限公司", "新名称有限公司"]


@pytest.mark.django_db
def test_creation_and_deletion_through_the_admin_are_recorded(client, superuser):
    client.force_login(superuser)
    response = client.post(reverse("admin:portal_projectcategory_add"), {"code": "x", "name": "测试类别", "order": 99})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="projectcategory.create")
    pk = entry.object_id
    assert entry.changes["name"] == [None, "测试类别"]
    client.post(reverse("admin:portal_projectcategory_delete", args=[pk]), {"post": "yes"})
    assert AuditEntry.objects.filter(action="projectcategory.delete", object_id=pk).exists()


@pytest.mark.django_db
def test_entries_cannot_be_rewritten_or_deleted():
    org = OrganisationFactory()
    entry = audit.record(None, "test", org)
    entry.note = "changed"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.django_db
def test_administrator_filters_the_trail_and_reads_it_per_object(client, administrator):
    programme = ProgrammeFactory(status=ProgrammeStatus.DRAFT, organiser=administrator.organiser)
    other = OrganisationFactory(name="无关单位")
    audit.record(administrator, "programme.open", programme)
    audit.record(None, "organisation.update", other)
    client.force_login(administrator)
    listing = client.get(reverse("audit_list"), {"action": "programme"}).content.decode()
    assert f"开放申报“{programme.title}”" in listing and "无关单位" not in listing  # the action in words
    per_object = client.get(reverse("audit_for_object", args=["portal", "programme", programme.pk]))
    assert per_object.status_code == 200
    assert f"开放申报“{programme.title}”" in per_object.content.decode()


@pytest.mark.django_db
def test_audit_list_query_count_does_not_grow(client, administrator, django_assert_max_num_queries):
    org = OrganisationFactory()
    client.force_login(administrator)
    for n in (3, 40):
        for _ in range(n):
            audit.record(administrator, "x.test", org)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("audit_list")).status_code == 200


@pytest.mark.django_db
def test_audit_export_is_for_administrators(client, administrator, applicant, django_capture_on_commit_callbacks):
    client.force_login(applicant)
    assert client.post(reverse("audit_export")).status_code == 404
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit_export"))
    assert response.status_code == 302 and "/jobs/" in response["Location"]


@pytest.mark.django_db
def test_administrators_read_only_their_own_organisers_programme_entries(client, administrator):
    from tests.factories import OrganiserFactory, UserFactory

    mine = ProgrammeFactory(organiser=administrator.organiser, title="本部门的批次")
    theirs = ProgrammeFactory(title="别的部门的批次")
    other_admin = UserFactory(role="administrator", organiser=OrganiserFactory())
    theirs.organiser = other_admin.organiser
    theirs.save()
    audit.record(administrator, "programme.open", mine)
    audit.record(other_admin, "programme.open", theirs)
    shared = audit.record(None, "organisation.update", OrganisationFactory(name="共享单位"))
    assert shared.programme_id is None
    client.force_login(administrator)
    html = client.get(reverse("audit_list")).content.decode()
    assert "本部门的批次" in html and "共享单位" in html and "别的部门的批次" not in html
    assert client.get(reverse("audit_for_object", args=["portal", "programme", theirs.pk])).status_code == 404
    assert client.get(reverse("audit_for_object", args=["portal", "programme", mine.pk])).status_code == 200


@pytest.mark.django_db
def test_an_entry_carries_the_programme_given_or_else_the_objects():
    """record(programme=...) wins over the object's path (an expert profile leads to no programme);
    without it the object's programme is found; programme=None says "shared object"."""
    programme, other = ProgrammeFactory(), ProgrammeFactory()
    org = OrganisationFactory()
    assert audit.record(None, "conflict.declare_unit", org, programme=programme).programme_id == programme.pk
    assert audit.record(None, "conflict.detect", org, programme=other.pk).programme_id == other.pk
    assert audit.record(None, "organisation.update", org).programme_id is None
    assert audit.record(None, "programme.open", programme).programme_id == programme.pk
    assert audit.record(None, "programme.open", programme, programme=None).programme_id is None
    entry = audit.save_with_audit(None, org, "organisation.update", programme=programme)
    assert entry.programme_id == programme.pk


@pytest.mark.django_db
def test_the_changes_list_shows_a_change_named_items(client, superuser):
    """score.discard records the sheet's lines under "items": the template must list it, not call dict.items."""
    org = OrganisationFactory()
    audit.record(superuser, "score.discard", org, changes={"items": [[{"criterion": "1.1", "comment": "好"}], None],
                                                         "total": ["80.0", None]})
    client.force_login(superuser)
    response = client.get(reverse("audit_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'change-field">评分明细<' in text and 'change-field">总分<' in text and "1.1" in text
