"""Certificates: the PDF holds the project and its verification code, which resolves to the public entry."""

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from awards.models import Award
from awards.services import determination, publication
from awards.services.certificates import verification_url
from portal import jobs
from portal.models import Job, JobStatus
from tests.factories import b1_programme, scored_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(organiser, administrator, applicant):
    programme, apps, _experts = scored_programme([[95, 93, 94], [85, 84, 86], [60, 61, 62]],
                                                 programme=b1_programme(organiser=organiser, year=2023))
    apps[0].organisation = applicant.membership.organisation
    apps[0].project_name = "船舶废气洗涤脱硫设备关键质量性能攻关"
    apps[0].save()
    determination.update_settings(administrator, programme, {"first_value": 1, "second_value": 1, "third_value": 0})
    determination.approve(administrator, programme)
    publication.publish(administrator, programme)
    return programme, apps


def _run(user, kind, params, capture):
    with capture(execute=True):
        job = jobs.start_job(user, kind, params)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_certificate_holds_project_and_code_and_the_code_resolves(client, published, applicant, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://zlgg.example.gov.cn"
    programme, apps = published
    award = Award.objects.get(application=apps[0])
    client.force_login(applicant)
    response = client.post(reverse("awards:certificate", args=[award.pk]))
    job = Job.objects.get(kind="awards.certificate")
    assert response.status_code == 302 and job.requested_by == applicant
    if job.status != JobStatus.SUCCEEDED:  # eager Celery ran it on commit in the request already
        job = _run(applicant, "awards.certificate", {"award_id": award.pk}, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    pdf = job.result.read()
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert len(reader.pages) == 1 and float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
    text = _text(pdf).replace("\n", "")
    assert "船舶废气洗涤脱硫设备关键质量性能攻关" in text and award.verification_code in text
    assert "一等奖" in text and "上海市市场监督管理局" in text and "2023" in text
    url = verification_url(award)
    assert url == f"https://zlgg.example.gov.cn/awards/verify/{award.verification_code}/"
    client.logout()
    entry = client.get(url.removeprefix(settings.SITE_URL))
    assert entry.status_code == 200 and "船舶废气洗涤脱硫设备关键质量性能攻关" in entry.content.decode()


def test_all_certificates_as_a_zip_for_the_administrator(published, administrator, django_capture_on_commit_callbacks):
    programme, apps = published
    job = _run(administrator, "awards.certificates_zip", {"programme_id": programme.pk},
               django_capture_on_commit_callbacks)
    with zipfile.ZipFile(io.BytesIO(job.result.read())) as archive:
        names = archive.namelist()
        assert len(names) == 2  # first and second; the third application is not awarded
        assert "船舶废气洗涤脱硫设备关键质量性能攻关" in _text(archive.read(names[0])).replace("\n", "")


def test_codes_are_unguessable_base32():
    from awards.services.determination import new_code

    codes = {new_code() for _n in range(200)}
    assert len(codes) == 200 and all(len(c) == 12 and set(c) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for c in codes)


# --- issue 14: worded as an award certificate, joint awardees named everywhere the awardee is ------


def test_the_certificate_names_the_award_the_awardee_and_joint_awardees_the_project_issuers_and_date(
        client, published):
    from awards.services.certificates import award_title, certificate_pdf
    from tests.factories import OrganisationFactory

    programme, apps = published
    joint = sorted(["上海联合乙研究院", "上海联合甲有限公司"])
    apps[0].joint_applicants.add(*(OrganisationFactory(name=name) for name in joint))
    award = Award.objects.select_related("programme__determination").get(application=apps[0])
    text = _text(certificate_pdf(award)).replace("\n", "").replace(" ", "")
    assert award_title(programme) == "上海市重点产品质量攻关成果"
    assert "上海市重点产品质量攻关成果一等奖" in text
    assert f"{award.organisation_name}：联合获奖单位：{'、'.join(joint)}" in text
    assert "“船舶废气洗涤脱硫设备关键质量性能攻关”项目" in text and "特发此证" in text
    published_on = award.programme.determination.published_at.astimezone()
    assert "上海市市场监督管理局" in text and f"{published_on.year}年{published_on.month}月{published_on.day}日" in text
    assert "成果申报" not in text and text.count(str(programme.year)) == 1  # the year once, not the call's title
    # the public list and the verification page name the joint applicants too
    page = client.get(reverse("awards:public_list"), {"year": programme.year}).content.decode()
    assert "联合申报单位：" in page and "上海联合甲有限公司" in page
    verify = client.get(reverse("awards:verify", args=[award.verification_code])).content.decode()
    assert "联合申报单位" in verify and "上海联合乙研究院" in verify


def test_a_district_programmes_award_is_named_after_its_district():
    from awards.services.certificates import award_title
    from portal.models.programmes import Level, ProjectType
    from tests.factories import DistrictFactory, ProgrammeFactory

    jiading = DistrictFactory()
    district = ProgrammeFactory(level=Level.DISTRICT, district=jiading)
    assert award_title(district) == f"{jiading.name}重点产品质量攻关成果"
    assert award_title(ProgrammeFactory(project_type=ProjectType.FLAGSHIP)) == "上海市产业质量提升标志性项目"
