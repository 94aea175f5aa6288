"""The load generator's form scraper (benchmarks/load.py) reads the portal's real form pages as a
browser would post them: checked against html.parser, a full HTML parser, on the application
form (with a team row, ticked boxes, a chosen option and escaped text) and the score sheet."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from benchmarks.load import scrape
from tests.factories import ApplicantFactory, ApplicationFactory, complete_application
from tests.scoring.test_scoring_rubrics import B1
from tests.scoring.test_scoring_scores import Sheet


class ReferenceScraper(HTMLParser):
    """What a browser posts for <form id=…>: named controls inside it or naming it with form=,
    no buttons or file inputs, unticked boxes left out, a select's chosen (or first) option."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not (self.inside or a.get("form") == self.form_id):
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("submit", "button", "file", "image", "reset"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append([name, a.get("value") or "on"])
                return
            self.fields.append([name, a.get("value") or ""])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self._select[2] = value if self._select[2] is None else self._select[2]
            if "selected" in a and self._select[1] is None:
                self._select[1] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            # The newline straight after <textarea> is not part of the value.
            self._textarea[1] = self._textarea[1].removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, chosen, first = self._select
            if chosen is not None or first is not None:
                self.fields.append([name, chosen if chosen is not None else first])
            self._select = None


def reference(page: str, form_id: str) -> list[list[str]]:
    parser = ReferenceScraper(form_id)
    parser.feed(page)
    return parser.fields


@pytest.mark.django_db
def test_the_application_form_is_scraped_as_a_browser_posts_it(client):
    app = complete_application()
    app.background = '背景 <b>"引号"</b> & 符号\n第二行'
    app.save()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    page = client.get(reverse("applications:edit", args=[app.pk])).content.decode()
    fields = scrape(page, "application-form")
    assert fields == reference(page, "application-form")
    values = dict(fields)
    assert values["background"] == app.background
    assert values["category"] == str(app.category_id)
    assert values["team-TOTAL_FORMS"] == str(app.team_members.count())
    assert "csrfmiddlewaretoken" in values and "lock_version" in values


@pytest.mark.django_db
def test_a_blank_draft_posts_the_first_option_of_each_select(client):
    app = ApplicationFactory()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    page = client.get(reverse("applications:edit", args=[app.pk])).content.decode()
    fields = scrape(page, "application-form")
    assert fields == reference(page, "application-form")
    assert dict(fields)["category"] == ""


@pytest.mark.django_db
def test_the_score_sheet_is_scraped_as_a_browser_posts_it(client, administrator):
    from scoring.services.rubrics import load_rubric

    sheet = Sheet(administrator, load_rubric(B1))
    client.force_login(sheet.user)
    page = client.get(reverse("scoring:score_sheet", args=[sheet.assignment.pk])).content.decode()
    fields = scrape(page, "score-form")
    assert fields == reference(page, "score-form")
    assert "overall_comment" in dict(fields)


@pytest.mark.django_db
def test_the_load_test_signs_people_in_without_their_password(client, settings):
    """benchmarks/load_data.sessions makes the session the login view would (no password hashing,
    which would cost the ramp minutes of CPU): the person is signed in with it, and no one is with
    a made-up key."""
    from benchmarks.load_data import sessions
    from tests.factories import UserFactory

    user = UserFactory()
    [(username, key)] = sessions([user.username])
    assert username == user.username
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    response = client.get(reverse("notifications"))
    assert response.status_code == 200 and response.wsgi_request.user == user
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    assert client.get(reverse("notifications")).status_code == 302
