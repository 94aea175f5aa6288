"""The organiser's seal on certificates (证书印章, issue 14): uploaded once per programme on the ranking
page, checked and re-encoded (awards.services.seal), printed over the issuers and the date; a refused
upload keeps the seal that was there; only the programme's administrators reach it; audited."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw
from pypdf import PdfReader

from awards.models import Award, AwardSettings
from awards.services import determination, publication, seal
from awards.services.certificates import certificate_pdf
from portal.models import AuditEntry
from portal.models.users import Role
from portal.services.errors import PermissionDenied
from tests.factories import ApplicantFactory, OrganiserFactory, UserFactory, b1_programme, scored_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(organiser, administrator):
    programme, apps, _experts = scored_programme([[95, 93, 94], [85, 84, 86]],
                                                 programme=b1_programme(organiser=organiser, year=2023))
    determination.update_settings(administrator, programme, {"first_value": 1, "second_value": 1, "third_value": 0})
    determination.approve(administrator, programme)
    publication.publish(administrator, programme)
    return programme, Award.objects.get(application=apps[0])


def _image(fmt="PNG", size=(500, 500), mode="RGBA") -> bytes:
    """A red ring on a transparent (PNG) or white (JPEG) ground, as an organiser's seal scan looks."""
    image = Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else "white")
    ImageDraw.Draw(image).ellipse((20, 20, size[0] - 20, size[1] - 20), outline=(200, 0, 0, 255), width=18)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _upload(name: str, data: bytes):
    return SimpleUploadedFile(name, data)


def _post(client, programme, name, data):
    return client.post(reverse("awards:seal", args=[programme.pk]), {"seal": _upload(name, data)})


def _images(pdf: bytes) -> int:
    """Image XObjects on the first page, looking inside form XObjects too (an opacity group is one)."""
    def count(resources) -> int:
        found = 0
        for ref in (resources or {}).get("/XObject", {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                found += 1
            elif xobject.get("/Subtype") == "/Form":
                found += count(xobject.get("/Resources"))
        return found

    return count(PdfReader(io.BytesIO(pdf)).pages[0].get("/Resources"))


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _settings(programme) -> AwardSettings:
    return AwardSettings.objects.get(programme=programme)


def test_a_png_seal_is_stored_audited_shown_and_printed(client, published, administrator):
    programme, award = published
    before = certificate_pdf(award)
    assert _images(before) == 0  # the QR code is vector; nothing else is an image

    client.force_login(administrator)
    response = _post(client, programme, "公章.png", _image())
    assert response.status_code == 302 and response["Location"].startswith(reverse("awards:ranking",
                                                                                    args=[programme.pk]))
    stored = _settings(programme).seal
    assert stored.name.startswith("awards/seals/") and stored.name.endswith(".png")
    with Image.open(stored.open("rb")) as image:
        assert image.format == "PNG" and image.mode == "RGBA" and image.size == (500, 500)

    entry = AuditEntry.objects.get(action="awards.seal.change")
    assert entry.programme_id == programme.pk and entry.actor == administrator
    assert entry.changes == {"seal": [False, True]} and "公章.png" in entry.note

    page = client.get(reverse("awards:ranking", args=[programme.pk])).content.decode()
    assert "证书印章已保存" in page and 'src="data:image/png;base64,' in page and "删除印章" in page

    after = certificate_pdf(award)
    assert _images(after) == 1
    assert "".join(_text(after).split()) == "".join(_text(before).split())  # stamped over: no text lost


def test_a_jpeg_is_accepted_and_stored_as_png(client, published, administrator):
    programme, _award = published
    client.force_login(administrator)
    _post(client, programme, "seal.JPG", _image("JPEG", (2400, 1600), "RGB"))
    with Image.open(_settings(programme).seal.open("rb")) as image:
        assert image.format == "PNG" and image.size == (seal.SEAL_STORED_SIDE, 800)  # scaled down, same shape


def _noise_png(side: int) -> bytes:
    """A PNG that does not compress: about 3 MB at 1000×1000."""
    image = Image.frombytes("RGB", (side, side), random.Random(14).randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _bomb() -> bytes:
    """20,000 × 20,000 pixels in a few hundred kilobytes: refused from its header, never decoded."""
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    return buffer.getvalue()


REFUSED = [
    ("seal.png", lambda: "这不是图片".encode(), "文件内容不是 PNG 或 JPG 图片"),
    ("seal.gif", lambda: b"GIF89a" + b"\0" * 100, "只接受 PNG 或 JPG 格式的图片"),
    ("seal.png", lambda: _noise_png(1000), "超过 2 MB 的上限"),
    ("seal.png", _bomb, "图片像素尺寸过大"),
    ("seal.png", lambda: _image(size=(4100, 120)), "图片像素尺寸过大"),
    ("seal.png", lambda: _image(size=(60, 60)), "图片太小"),
    ("seal.png", lambda: _image()[:400], "图片已损坏或无法读取"),
    ("seal.jpg", lambda: _image("JPEG", mode="RGB")[:2000], "图片已损坏或无法读取"),
]


@pytest.mark.parametrize(("name", "make", "message"), REFUSED,
                         ids=["text", "gif", "2mb", "bomb", "wide", "tiny", "cut-png", "cut-jpeg"])
def test_a_bad_file_is_refused_in_chinese_and_the_seal_is_kept(client, published, administrator, name, make,
                                                                message):
    programme, award = published
    client.force_login(administrator)
    _post(client, programme, "原印章.png", _image())
    kept = _settings(programme).seal.name

    response = _post(client, programme, name, make())
    assert response.status_code == 302
    assert _settings(programme).seal.name == kept and _settings(programme).seal.storage.exists(kept)
    assert AuditEntry.objects.filter(action="awards.seal.change").count() == 1

    page = client.get(response["Location"]).content.decode()
    assert message in page
    # Beside the input, tied to it; once: the next visit no longer shows it there.
    assert 'aria-describedby="seal-error seal-help"' in page and 'aria-invalid="true"' in page
    assert 'id="seal-error"' not in client.get(response["Location"]).content.decode()
    assert _images(certificate_pdf(award)) == 1


def test_posting_no_file_asks_for_one(client, published, administrator):
    programme, _award = published
    client.force_login(administrator)
    response = client.post(reverse("awards:seal", args=[programme.pk]), {}, follow=True)
    assert "请选择印章图片。" in response.content.decode()
    assert not _settings(programme).seal


def test_remove_deletes_the_seal_after_commit_and_certificates_lose_it(client, published, administrator,
                                                                       django_capture_on_commit_callbacks):
    programme, award = published
    client.force_login(administrator)
    _post(client, programme, "公章.png", _image())
    stored = _settings(programme).seal
    name, storage = stored.name, stored.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("awards:seal", args=[programme.pk]), {"remove": "1"}, follow=True)
    assert "证书印章已删除。" in response.content.decode() and "尚未上传印章" in response.content.decode()
    assert not _settings(programme).seal and not storage.exists(name)
    assert _images(certificate_pdf(award)) == 0
    last = AuditEntry.objects.filter(action="awards.seal.change").latest("pk")
    assert last.changes == {"seal": [True, False]} and last.programme_id == programme.pk


def test_replacing_deletes_the_old_file_only_after_commit(client, published, administrator,
                                                          django_capture_on_commit_callbacks):
    programme, _award = published
    client.force_login(administrator)
    _post(client, programme, "一.png", _image())
    first = _settings(programme).seal
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _post(client, programme, "二.png", _image(size=(600, 600)))
    assert first.storage.exists(first.name)  # not yet committed: a rollback would still find it
    for callback in callbacks:
        callback()
    assert not first.storage.exists(first.name) and _settings(programme).seal.name != first.name


@pytest.mark.parametrize("who", ["other_administrator", "applicant", "anonymous"])
def test_only_the_programmes_administrators_reach_the_seal(client, published, administrator, who):
    programme, _award = published
    client.force_login(administrator)
    _post(client, programme, "公章.png", _image())
    kept = _settings(programme).seal.name
    client.logout()
    users = {"other_administrator": lambda: UserFactory(role=Role.ADMINISTRATOR, organiser=OrganiserFactory()),
             "applicant": ApplicantFactory, "anonymous": lambda: None}
    user = users[who]()
    if user is not None:
        client.force_login(user)
    url = reverse("awards:seal", args=[programme.pk])
    assert client.post(url, {"remove": "1"}).status_code == 404  # as every awards page: no leak, no login redirect
    assert _post(client, programme, "x.png", _image()).status_code == 404
    assert client.get(url).status_code == 405
    assert _settings(programme).seal.name == kept
    if who == "other_administrator":
        with pytest.raises(PermissionDenied):
            seal.set_seal(user, programme, None)


def test_the_form_is_labelled_and_says_what_to_upload(client, published, administrator):
    programme, _award = published
    client.force_login(administrator)
    page = client.get(reverse("awards:ranking", args=[programme.pk])).content.decode()
    assert '<label class="form-label small" for="id_seal">证书印章</label>' in page
    assert 'aria-describedby="seal-help"' in page and 'enctype="multipart/form-data"' in page
    assert "透明背景 PNG，建议 400×400 像素以上，不超过 2 MB" in page
