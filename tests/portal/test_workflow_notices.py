"""Warnings before a workflow move (issue 13): apps add notices to a transition (Workflow.add_notice);
the programme page shows them above the move's button and in its confirmation, and the move still works.
awards warns before 成果评定 when applications have fewer counted scores than experts per application."""

import html
import re

import pytest
from django.urls import reverse

from awards.services import determination
from portal.models import ProgrammeStatus
from portal.permissions import ALLOW
from portal.workflow import PROGRAMME_WORKFLOW, Transition, Workflow
from tests.factories import b1_programme, scored_programme

NOTICE_ID = "notice-start_determining-1"


# --- the API ---


def _workflow():
    return Workflow("thing", [Transition("go", ("a",), "b", "Go", lambda user, obj: ALLOW),
                              Transition("back", ("b",), "a", "Back", lambda user, obj: ALLOW)])


def test_notices_are_the_non_empty_warnings_in_registration_order():
    workflow = _workflow()
    assert workflow.notices("go", object()) == []
    workflow.add_notice("go", lambda obj: f"first {obj}")
    workflow.add_notice("go", lambda obj: None)  # nothing to say
    workflow.add_notice("go", lambda obj: "")
    workflow.add_notice("go", lambda obj: "second")
    assert workflow.notices("go", 7) == ["first 7", "second"]
    assert workflow.notices("back", 7) == []  # a notice belongs to its own transition


def test_add_notice_is_idempotent_and_fails_on_an_unknown_transition():
    workflow = _workflow()
    calls = []

    def notice(obj):
        calls.append(obj)
        return "careful"

    workflow.add_notice("go", notice)
    workflow.add_notice("go", notice)  # a second ready() (tests, autoreload)
    assert workflow.notices("go", 1) == ["careful"] and calls == [1]
    with pytest.raises(KeyError):
        workflow.add_notice("og", notice)


def test_a_notice_is_not_a_veto():
    workflow = _workflow()
    workflow.add_notice("go", lambda obj: "careful")
    assert workflow.check(None, object(), "go")
    assert [t.name for t in workflow.available("a", None, object())] == ["go"]


def test_awards_registers_its_notice_before_determination():
    assert determination.under_scored_notice in PROGRAMME_WORKFLOW.get("start_determining").notices


# --- the programme page ---


def _short_programme(organiser, status=ProgrammeStatus.REVIEWING):
    """Three experts per application configured: 甲 has 3 scores, 乙 2, 丙 1."""
    programme = b1_programme(organiser=organiser, experts_per_application=3, status=status)
    programme, apps, _experts = scored_programme([[90, 88, 92], [80, 82], [70]], programme=programme)
    for app, name in zip(apps, ("甲项目", "乙项目", "丙项目"), strict=True):
        app.project_name = name
        app.save(update_fields=["project_name"])
    return programme


def _page(client, programme) -> str:
    response = client.get(reverse("programme_detail", args=[programme.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _form(page, programme, name) -> str:
    """The move's form on the programme page, from <form to </form>."""
    start = page.index(f'action="{reverse("programme_transition", args=[programme.pk, name])}"')
    return page[page.rindex("<form", 0, start):page.index("</form>", start)]


@pytest.mark.django_db
def test_the_move_into_determination_warns_about_under_scored_applications(client, organiser, administrator):
    programme = _short_programme(organiser)
    client.force_login(administrator)
    form = _form(_page(client, programme), programme, "start_determining")
    expected = "2 个项目的有效评分少于每项 3 份：《丙项目》（1 份）、《乙项目》（2 份）。"
    notice = re.search(rf'<p class="small text-danger[^"]*" id="{NOTICE_ID}">(.*?)</p>', form, re.S)
    assert notice and expected in html.unescape(notice.group(1)), form
    button = re.search(r"<button [^>]*>", form[notice.end():]).group(0)  # below the notice
    assert f'aria-describedby="{NOTICE_ID}"' in button
    confirm = html.unescape(re.search(r'data-confirm="([^"]*)"', form).group(1))
    assert confirm.startswith("确定对“") and confirm.endswith("\n\n" + expected)


@pytest.mark.django_db
def test_no_warning_once_every_application_has_its_scores(client, organiser, administrator):
    programme = b1_programme(organiser=organiser, experts_per_application=2, status=ProgrammeStatus.REVIEWING)
    scored_programme([[90, 88], [80, 82]], programme=programme)
    client.force_login(administrator)
    page = _page(client, programme)
    form = _form(page, programme, "start_determining")
    assert "notice-" not in page and "aria-describedby" not in form and "text-danger" not in form
    assert re.search(r'data-confirm="[^"]*吗？"', form)  # the confirmation as before


@pytest.mark.django_db
@pytest.mark.parametrize("status", [s for s in ProgrammeStatus.values if s != ProgrammeStatus.REVIEWING])
def test_other_states_never_warn_nor_count_scores(client, organiser, administrator, monkeypatch, status):
    programme = _short_programme(organiser, status=status)
    counted = []
    monkeypatch.setattr(determination, "under_scored", lambda *a, **k: counted.append(a) or [])
    client.force_login(administrator)
    page = _page(client, programme)
    assert "notice-" not in page and "有效评分少于" not in page
    assert counted == []  # the notice runs only for a move the page offers: no extra queries


@pytest.mark.django_db
def test_the_warning_does_not_block_the_move(client, organiser, administrator):
    programme = _short_programme(organiser)
    client.force_login(administrator)
    response = client.post(reverse("programme_transition", args=[programme.pk, "start_determining"]),
                           {"note": "评分已催办"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DETERMINING


@pytest.mark.django_db
def test_only_those_who_may_move_see_the_warning(client, organiser, applicant, monkeypatch):
    programme = _short_programme(organiser)
    counted = []
    monkeypatch.setattr(determination, "under_scored", lambda *a, **k: counted.append(a) or [])
    client.force_login(applicant)  # sees the programme, may not move it
    page = _page(client, programme)
    assert "推进流程" not in page and "notice-" not in page and counted == []


@pytest.mark.django_db
def test_the_dashboard_sends_a_move_with_notices_to_the_programme_page(client, organiser, administrator):
    """The dashboard does not run the apps' checks (a dozen queries per programme): a move that may
    carry a warning links to the programme page, where the warning is shown; others stay one click."""
    programme = _short_programme(organiser)
    client.force_login(administrator)
    page = client.get(reverse("dashboard")).content.decode()
    move = reverse("programme_transition", args=[programme.pk, "start_determining"])
    assert f'action="{move}"' not in page
    assert f'href="{reverse("programme_detail", args=[programme.pk])}#transitions-heading"' in page
    programme.status = ProgrammeStatus.OPEN
    programme.save(update_fields=["status"])
    page = client.get(reverse("dashboard")).content.decode()
    assert f'action="{reverse("programme_transition", args=[programme.pk, "start_recommending"])}"' in page
