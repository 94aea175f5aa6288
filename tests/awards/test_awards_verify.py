"""Certificate verification: codes typed with spaces, hyphens, lower case or full-width characters
are found; the answer is "证书有效" or "未找到该证书", each on a page of its own."""

import pytest
from django.urls import reverse

from awards.models import Award
from awards.services import determination, publication
from awards.verification import candidates, looks_like_code, normalise_code
from tests.factories import b1_programme, scored_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(organiser, administrator):
    programme, apps, _experts = scored_programme([[92, 90, 94], [70, 72, 71]],
                                                 programme=b1_programme(organiser=organiser, year=2024))
    apps[0].project_name = "验证测试项目：高可靠伺服电机"
    apps[0].save()
    determination.update_settings(administrator, programme, {"first_value": 1, "second_value": 0, "third_value": 0})
    determination.approve(administrator, programme)
    publication.publish(administrator, programme)
    return Award.objects.get(application=apps[0])


def test_normalising_what_people_type():
    assert normalise_code(" abcd-efgh 2345 ") == "ABCDEFGH2345"
    assert normalise_code("ABCD–EFGH—2345") == "ABCDEFGH2345"  # en and em dashes from a word processor
    assert normalise_code("ａｂｃｄ－ｅｆｇｈ　２３４５") == "ABCDEFGH2345"  # full-width, ideographic space
    assert candidates("AB0CD1E8") == ["AB0CD1E8", "ABOCDIEB"]
    assert candidates("ABCD") == ["ABCD"]
    assert looks_like_code("ABCDEFGH2345") and not looks_like_code("") and not looks_like_code("ABC/DEF")
    assert not looks_like_code("A" * 17) and not looks_like_code("证书")


def _variants(code: str) -> list[str]:
    spaced = " ".join(code[i:i + 4] for i in range(0, len(code), 4))
    return [code, code.lower(), spaced, spaced.replace(" ", "-").lower(), f"  {code[:6]} - {code[6:]}  "]


def test_the_public_form_accepts_codes_as_typed(client, award):
    for typed in _variants(award.verification_code):
        response = client.get(reverse("awards:public_list"), {"code": typed}, follow=True)
        assert response.status_code == 200, typed
        page = response.content.decode()
        assert "证书有效" in page and award.project_name in page, typed
        assert response.redirect_chain[-1][0] == reverse("awards:verify", args=[award.verification_code])


def test_the_verification_link_accepts_codes_as_typed(client, award):
    for typed in _variants(award.verification_code.lower()):
        response = client.get(reverse("awards:verify", args=[typed.strip()]))
        assert response.status_code == 200, typed
        assert award.project_name in response.content.decode()


def test_look_alike_digits_are_read_as_letters(client, award):
    Award.objects.filter(pk=award.pk).update(verification_code="ABCDEFGHIJKO")
    response = client.get(reverse("awards:verify", args=["abcd-efgh-1jk0"]))
    assert response.status_code == 200 and award.project_name in response.content.decode()


@pytest.mark.parametrize("typed", ["ZZZZ-ZZZZ-ZZZZ", "not a code!", "证书编号"])
def test_an_unknown_code_says_so_on_its_own_page(client, award, typed):
    response = client.get(reverse("awards:public_list"), {"code": typed}, follow=True)
    assert response.status_code == 404
    page = response.content.decode()
    assert "未找到该证书" in page and "证书有效" not in page
    assert award.project_name not in page
    assert [t.name for t in response.templates][0] == "awards/verify_result.html"


def test_a_withdrawn_publication_is_not_found(client, award, superuser):
    publication.unpublish(superuser, award.programme, "名单有误")
    response = client.get(reverse("awards:verify", args=[award.verification_code]))
    assert response.status_code == 404 and "未找到该证书" in response.content.decode()
