"""The permission matrix: every named URL × every role × own and foreign objects → the expected status.

The table below is checked against the URL configuration (``test_every_url_has_an_entry``): a URL
added without an entry fails the suite, and so does an entry whose URL is gone. Each cell is its own
test, ``test_matrix[<url name>-<variant>-<role>]``; POST-only views answer GET with 405 once the
login (and, for administrator pages, the role) check has passed, so they are probed once more with
a POST by everyone who must be turned away: ``test_post_turned_away[...]`` (404, or the login page
for the anonymous). Those POSTs change nothing when the code is right, and every test runs in its
own savepoint, so even a wrong answer leaves the world as it was.

Rules the expectations encode:

* An object a person may not see answers 404, not 403, so its existence does not leak; pages of a
  role (administrators', recommenders', experts') answer 404 to other roles as well.
* The anonymous are sent to the login page (302, ``?next=`` the URL) — except by the awards views,
  which answer 404/405 without a login redirect on purpose (awards.views.determination) and the
  public pages (200).
* A conflicted expert (assigned, pledged, with a blocking conflict) sees nothing of that
  application anywhere: besides the 404s, no page answered 200 to an outsider may name it
  (``_assert_no_leak``).

The world is built once per module (``world``) inside a transaction rolled back at the end.
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from applications.models import ApplicationDocument, DuplicateCandidate
from applications.services import recommendation, submission
from awards.models import Award
from awards.services import determination as determination_service
from awards.services import publication
from portal import jobs
from portal.models import Job, JobStatus, OrganisationMembership, ProgrammeStatus
from portal.models.organisations import MembershipStatus
from portal.models.programmes import Level
from portal.models.users import Role
from portal.services.notify import notify
from scoring.models import AssignmentProposal, ConflictOfInterest, ConflictSource, ProgrammeRubric
from scoring.services import assignment as assignment_service
from scoring.services.defence import SessionInput, schedule_session
from scoring.services.panels import save_panel
from scoring.services.pledge import accept_pledge
from scoring.services.scores import save_score
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    DistrictFactory,
    EvidenceFactory,
    OrganisationFactory,
    OrganiserFactory,
    RecommendingUnitFactory,
    ReviewExpertFactory,
    UserFactory,
    b1_programme,
    complete_application,
    give_score,
    scored_programme,
)

ROLES = ("anonymous", "applicant", "other_applicant", "recommender", "other_recommender", "expert",
         "conflicted_expert", "administrator", "other_administrator")
SIGNED_IN = ROLES[1:]
ADMINS = ("administrator", "other_administrator")
LOGIN = "login"  # 302 to the login page with ?next=<the URL>

# Who may see application A (organisation X, recommended by unit R, programme P of organiser O)
# and application B (organisation Y, unit R2, programme P2 of organiser O2).
SEES_A = ("applicant", "recommender", "expert", "administrator")
SEES_B = ("other_applicant", "other_recommender", "other_administrator")
SEES_DRAFT = ("applicant", "administrator")  # X's draft in P naming R: not R's to see until submitted
# No page answered 200 to these may name the application (the project names are unique).
OUTSIDERS_A = ("anonymous", "other_applicant", "other_recommender", "conflicted_expert", "other_administrator")
OUTSIDERS_B = ("anonymous", "applicant", "recommender", "expert", "conflicted_expert", "administrator")
OUTSIDERS_DRAFT = tuple(role for role in ROLES if role not in SEES_DRAFT)

PROJECT_A = "矩阵甲：谐波减速器寿命保密攻关"
PROJECT_B = "矩阵乙：机器人关节精度保密攻关"
PROJECT_DRAFT = "矩阵丙：尚未提交的草稿攻关"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# ---- expectations ---------------------------------------------------------------------------------


def only(*allowed, ok=200, others=404, anonymous=LOGIN) -> dict:
    """``ok`` for the roles named, ``others`` for the rest of the signed-in, ``anonymous`` for them."""
    expected = {role: others for role in SIGNED_IN}
    expected.update({role: ok for role in allowed})
    expected["anonymous"] = anonymous
    return expected


def everyone(status, anonymous=LOGIN) -> dict:
    return only(*SIGNED_IN, ok=status, anonymous=anonymous)


def turned_away(*allowed, anonymous=LOGIN) -> dict:
    """POST probe: everyone but ``allowed`` (who are not probed) must get 404; the anonymous ``anonymous``."""
    expected = {role: 404 for role in SIGNED_IN if role not in allowed}
    expected["anonymous"] = anonymous
    return expected


@dataclass(frozen=True)
class Case:
    kwargs: object  # world -> dict of URL kwargs
    get: dict  # role -> expected GET status (or LOGIN)
    post: dict = field(default_factory=dict)  # role -> expected POST status, for those turned away
    data: dict = field(default_factory=dict)  # the POST body of the probe
    redirect: str = ""  # URL name a signed-in 302 must point to


def none(w):
    return {}


def pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def ppk(attr):
    return lambda w: {"programme_pk": getattr(w, attr).pk}


def _kwargs(spec):
    """A world attribute's name stands for ``{"pk": its pk}``; anything else is a world -> kwargs function."""
    return pk(spec) if isinstance(spec, str) else spec


def own_foreign(own, foreign, seen_own, seen_foreign, *, post_only=False, admin_page=False, data=None,
                anonymous=LOGIN, post_anonymous=None):
    """The usual pair of variants: the primary world's object (``own``) and the other organisation's
    (``foreign``), each seen by the roles named (200) and nobody else (404).

    ``post_only``: GET answers 405 to whoever passes the login check (and, with ``admin_page``, the
    administrator check: 404 to other roles before the method check); the probe then POSTs as
    everyone who may not see the object."""
    cases = {}
    for variant, spec, seen in (("own", own, seen_own), ("foreign", foreign, seen_foreign)):
        if post_only:
            get = only(*ADMINS, ok=405, anonymous=anonymous) if admin_page else everyone(405, anonymous=anonymous)
            post = turned_away(*seen, anonymous=anonymous if post_anonymous is None else post_anonymous)
            cases[variant] = Case(_kwargs(spec), get, post, data or {})
        else:
            cases[variant] = Case(_kwargs(spec), only(*seen, anonymous=anonymous))
    return cases


def plain(get, post=None, data=None, redirect=""):
    """A URL without an object."""
    return {"": Case(none, get, post or {}, data or {}, redirect)}


def application(own="app", foreign="app_b", **options):
    """Pages and files of an application: whoever may see it (applications.visibility)."""
    return own_foreign(own, foreign, SEES_A, SEES_B, **options)


def programme_admin(own="programme", foreign="programme_b", **options):
    """Administrator pages of a programme (or of an object in it): its organiser's administrators only."""
    return own_foreign(own, foreign, ("administrator",), ("other_administrator",), **options)


def determination(own="published", foreign="programme_b", **options):
    """awards.views.determination: the programme's administrators; 404 for everyone else, the anonymous
    included (no login redirect, by design)."""
    return own_foreign(own, foreign, ("administrator",), ("other_administrator",), anonymous=404, **options)


def post_only_awards(own, foreign, seen_own=("administrator",), seen_foreign=("other_administrator",)):
    """awards POST views: require_POST alone, so GET is 405 for everyone, the anonymous too (before any
    lookup: nothing leaks); the probe finds 404 for everyone else, the anonymous included."""
    return own_foreign(own, foreign, seen_own, seen_foreign, post_only=True, anonymous=405, post_anonymous=404)


TABLE: dict[str, dict[str, Case]] = {
    # ---- portal ---------------------------------------------------------------------------------
    "home": plain(everyone(302, anonymous=200), redirect="dashboard"),
    "dashboard": plain(everyone(200)),
    "healthz": plain(everyone(200, anonymous=200)),
    "readyz": plain(everyone(200, anonymous=200)),
    "register": plain(everyone(302, anonymous=200), redirect="dashboard"),
    "login": plain(everyone(200, anonymous=200)),
    "logout": plain(everyone(405, anonymous=405)),  # Django 5: POST only
    "password_change": plain(everyone(200)),
    "password_change_done": plain(everyone(200)),
    "password_reset": plain(everyone(200, anonymous=200)),
    "password_reset_done": plain(everyone(200, anonymous=200)),
    "password_reset_confirm": {"": Case(lambda w: {"uidb64": "MA", "token": "no-such-token"},
                                        everyone(200, anonymous=200))},  # the "invalid link" page
    "password_reset_complete": plain(everyone(200, anonymous=200)),
    # Organisations: their approved members, and the administrators who keep them — O (municipal)
    # keeps every organisation; O2 (a district organiser elsewhere) keeps Y, which applied to its P2,
    # but not X (portal.permissions.administered_organisations).
    "organisation_detail": own_foreign(pk("organisation"), pk("organisation_b"),
                                       ("applicant", "administrator"), ("other_applicant", *ADMINS)),
    "membership_requests": plain(everyone(200)),
    # A request to join X: X's first member or an administrator who keeps X decides.
    "decide_membership": own_foreign(pk("join_request"), pk("join_request_b"), ("applicant", "administrator"),
                                     ("other_applicant", *ADMINS), post_only=True, data={"decision": "reject"}),
    "programme_list": plain(everyone(200)),
    # Past-draft programmes are listed to everyone signed in, except recommenders whose unit the
    # programme does not accept and administrators of another organiser.
    "programme_detail": own_foreign(
        pk("programme"), pk("programme_b"),
        tuple(r for r in SIGNED_IN if r not in ("other_recommender", "other_administrator")),
        tuple(r for r in SIGNED_IN if r not in ("recommender", "administrator"))),
    "programme_transition": own_foreign(
        lambda w: {"pk": w.programme.pk, "name": "start_determining"},
        lambda w: {"pk": w.programme_b.pk, "name": "start_determining"},
        tuple(r for r in SIGNED_IN if r not in ("other_recommender", "other_administrator")),
        tuple(r for r in SIGNED_IN if r not in ("recommender", "administrator")), post_only=True),
    "audit_list": plain(only(*ADMINS)),
    "audit_export": plain(everyone(405), post=turned_away(*ADMINS)),
    # The trail of one object: for administrators who may see the object.
    "audit_for_object": {**own_foreign(
        lambda w: {"app_label": "applications", "model": "application", "object_id": str(w.app.pk)},
        lambda w: {"app_label": "applications", "model": "application", "object_id": str(w.app_b.pk)},
        ("administrator",), ("other_administrator",)),
        # A missing object answers as a hidden one does (no existence oracle).
        "missing": Case(lambda w: {"app_label": "applications", "model": "application", "object_id": "999999999"},
                        only())},
    "notifications": plain(everyone(200)),
    "notifications_read": plain(everyone(405), post={"anonymous": LOGIN}),
    # A job is its requester's only, while they may still see what it is about: E keeps the job on A
    # they asked for; C, who asked for one before the conflict, loses it (status, htmx, file, retry).
    "job_status": {**own_foreign(pk("job"), pk("job_b"), ("applicant",), ("other_applicant",)),
                   "expert": Case(pk("job_e"), only("expert")), "recused": Case(pk("job_c"), only())},
    "job_download": {**own_foreign(pk("job"), pk("job_b"), ("applicant",), ("other_applicant",)),
                     "expert": Case(pk("job_e"), only("expert")), "recused": Case(pk("job_c"), only())},
    "job_retry": {**own_foreign(pk("job"), pk("job_b"), ("applicant",), ("other_applicant",), post_only=True),
                  "recused": Case(pk("job_c_failed"), everyone(405), turned_away())},
    # ---- applications: whoever may see the application sees its pages and files -------------------
    "applications:list": plain(everyone(200)),
    "applications:new": plain(everyone(200)),  # the form; creating is refused by the service to non-members
    "applications:edit": {**application(), "draft": Case(pk("draft"), only(*SEES_DRAFT))},
    "applications:checklist": application(),
    # The form's background save: the form page's visibility; editing is the service's to refuse.
    "applications:autosave": {**application(post_only=True),
                              "draft": Case(pk("draft"), everyone(405), turned_away(*SEES_DRAFT))},
    "applications:versions": application(),
    "applications:diff": application(),
    "applications:documents": application(),
    "applications:document_download": application(pk("document"), pk("document_b")),
    "applications:evidence_download": {**application(pk("evidence"), pk("evidence_b")),
                                       "draft": Case(pk("draft_evidence"), only(*SEES_DRAFT))},
    "applications:documents_render": application(post_only=True),
    "applications:submit": application(post_only=True),
    "applications:return": application(post_only=True, data={"comment": "矩阵探测", "section": ""}),
    "applications:evidence_upload": application(post_only=True),
    "applications:evidence_delete": application(pk("evidence"), pk("evidence_b"), post_only=True),
    # The recommender's pages.
    "applications:recommend_workspace": plain(only("recommender", "other_recommender")),
    "applications:recommend_unit": plain(only("recommender", "other_recommender")),
    "applications:review": {
        **own_foreign(pk("app"), pk("app_b"), ("recommender", "administrator"),
                      ("other_recommender", "other_administrator")),
        "draft": Case(pk("draft"), only("administrator")),  # the named unit sees it once submitted
    },
    **{name: own_foreign(pk("app"), pk("app_b"), ("recommender", "administrator"),
                         ("other_recommender", "other_administrator"), post_only=True)
       for name in ("applications:endorse", "applications:decline", "applications:recommend_return",
                    "applications:return_to_street")},
    "applications:recommend_ranking": own_foreign(ppk("programme"), ppk("programme_b"), ("recommender",),
                                                  ("other_recommender",)),
    "applications:annex2_export": own_foreign(ppk("programme"), ppk("programme_b"), ("recommender", "administrator"),
                                              ("other_recommender", "other_administrator"), post_only=True,
                                              data={"format": "xlsx"}),
    "applications:recommend_progress": programme_admin(ppk("programme"), ppk("programme_b")),
    "applications:recommend_remind": programme_admin(ppk("programme"), ppk("programme_b"), post_only=True),
    # Suspected duplicates: the side by side needs both applications. A~D (both in P: R's and O's to read);
    # A~B (no one here reads both: 404 for all, though R, O, R2 and O2 learn it exists on their review page).
    "applications:duplicate_compare": own_foreign(pk("duplicate"), pk("duplicate_b"), ("recommender", "administrator"),
                                                  ()),
    "applications:duplicate_dismiss": own_foreign(pk("duplicate"), pk("duplicate_b"), ("recommender", "administrator"),
                                                  (), post_only=True, data={"reason": "矩阵探测"}),
    # ---- scoring: administrators' pages (404 to every other role) -----------------------------------
    "scoring:rubric_list": plain(only(*ADMINS)),  # rubrics are shared by all organisers
    "scoring:rubric_detail": {"": Case(pk("rubric"), only(*ADMINS))},
    "scoring:rubric_yaml": {"": Case(pk("rubric"), only(*ADMINS))},
    "scoring:rubric_copy": {"": Case(pk("rubric"), only(*ADMINS, ok=405), turned_away(*ADMINS))},
    "scoring:programme_rubric": programme_admin(),
    "scoring:expert_list": plain(only(*ADMINS)),
    "scoring:expert_template": plain(only(*ADMINS)),
    "scoring:expert_import": plain(only(*ADMINS)),
    "scoring:scoring_progress": programme_admin(),
    "scoring:scoring_remind": programme_admin(post_only=True, admin_page=True),
    "scoring:defence_list": programme_admin(),
    "scoring:defence_new": programme_admin(),
    "scoring:defence_edit": programme_admin(pk("session"), pk("session_b")),
    "scoring:defence_attendance": programme_admin(pk("session"), pk("session_b"), post_only=True, admin_page=True),
    "scoring:conflict_list": programme_admin(),
    "scoring:conflict_detect": programme_admin(post_only=True, admin_page=True),
    "scoring:conflict_add": programme_admin(post_only=True, admin_page=True),
    "scoring:conflict_decide": programme_admin(pk("conflict"), pk("conflict_b"), post_only=True, admin_page=True,
                                               data={"action": "dismiss"}),
    "scoring:panel_list": programme_admin(),
    "scoring:panel_new": programme_admin(),
    "scoring:panel_edit": {
        **programme_admin(lambda w: {"pk": w.programme.pk, "panel_pk": w.panel.pk},
                          lambda w: {"pk": w.programme_b.pk, "panel_pk": w.panel_b.pk}),
        # A panel of another programme under one's own programme: 404 for everyone.
        "mixed": Case(lambda w: {"pk": w.programme.pk, "panel_pk": w.panel_b.pk}, only()),
    },
    "scoring:panel_delete": {
        **programme_admin(lambda w: {"pk": w.programme.pk, "panel_pk": w.panel.pk},
                          lambda w: {"pk": w.programme_b.pk, "panel_pk": w.panel_b.pk}, post_only=True,
                          admin_page=True),
        "mixed": Case(lambda w: {"pk": w.programme.pk, "panel_pk": w.panel_b.pk}, only(*ADMINS, ok=405),
                      turned_away()),
    },
    "scoring:assign_overview": programme_admin(),
    "scoring:assign_auto": programme_admin(post_only=True, admin_page=True, data={"seed": "1"}),
    "scoring:assign_remind": programme_admin(post_only=True, admin_page=True),
    "scoring:assign_application": programme_admin(pk("app"), pk("app_b")),
    "scoring:assign_add": programme_admin(pk("app"), pk("app_b"), post_only=True, admin_page=True),
    "scoring:assign_remove": programme_admin(pk("assignment"), pk("assignment_b"), post_only=True, admin_page=True,
                                             data={"reason": "矩阵探测"}),
    "scoring:assign_reassign": programme_admin(pk("assignment"), pk("assignment_b"), post_only=True,
                                               admin_page=True),
    "scoring:proposal_detail": programme_admin(pk("proposal"), pk("proposal_b")),
    "scoring:proposal_apply": programme_admin(pk("proposal"), pk("proposal_b"), post_only=True, admin_page=True),
    # ---- scoring: the score sheet — the assigned expert and the programme's administrators ----------
    "scoring:score_sheet": {
        **own_foreign(pk("assignment"), pk("assignment_b"), ("expert", "administrator"), ("other_administrator",)),
        # The conflicted expert's own (still active) assignment to A: 404 to the expert.
        "conflicted": Case(pk("assignment_c"), only("administrator")),
    },
    "scoring:score_reopen": own_foreign(pk("score"), pk("score_b"), ("expert", "administrator"),
                                        ("other_administrator",), post_only=True, data={"reason": "矩阵探测"}),
    # ---- scoring: the expert's pages -----------------------------------------------------------------
    "scoring:expert_home": plain(only("expert", "conflicted_expert")),
    # P has an unconflicted assignment for both experts (C's is application D); nobody here sits in P2.
    "scoring:expert_programme": own_foreign(pk("programme"), pk("programme_b"), ("expert", "conflicted_expert"), ()),
    "scoring:pledge": own_foreign(pk("programme"), pk("programme_b"), ("expert", "conflicted_expert"), ()),
    "scoring:pledge_accept": own_foreign(pk("programme"), pk("programme_b"), ("expert", "conflicted_expert"), (),
                                         post_only=True),
    "scoring:conflict_declare_unit": own_foreign(pk("programme"), pk("programme_b"),
                                                 ("expert", "conflicted_expert"), ()),
    "scoring:conflict_declare": {
        **own_foreign(pk("assignment"), pk("assignment_b"), ("expert",), ()),
        "conflicted": Case(pk("assignment_c"), only()),
    },
    # Defence sessions: the organiser's administrators and the seated experts (E and C sit in S;
    # C's conflict came after seating, so S shows C everything but A). Applicants see their slots
    # on "my defence", not sessions.
    "scoring:defence_detail": own_foreign(pk("session"), pk("session_b"),
                                          ("administrator", "expert", "conflicted_expert"), ("other_administrator",)),
    "scoring:defence_mine": plain(only("applicant", "other_applicant", "expert", "conflicted_expert")),
    # ---- awards ------------------------------------------------------------------------------------
    "awards:public_list": plain(everyone(200, anonymous=200)),
    "awards:verify": own_foreign(lambda w: {"code": w.award.verification_code},
                                 lambda w: {"code": w.award_b.verification_code}, SIGNED_IN, SIGNED_IN,
                                 anonymous=200),
    # The annual report: everyone once published; before, the organiser's administrators only.
    "awards:report": {
        "published": Case(pk("published"), everyone(200, anonymous=200)),
        "unpublished": Case(pk("programme"), only("administrator", anonymous=404)),
    },
    "awards:report_pdf": {
        "published": Case(pk("published"), everyone(405, anonymous=405), {"anonymous": 404}),
        "unpublished": Case(pk("programme"), everyone(405, anonymous=405), turned_away("administrator",
                                                                                       anonymous=404)),
    },
    "awards:published_xlsx": {
        "published": Case(pk("published"), everyone(200, anonymous=200)),
        "unpublished": Case(pk("programme"), only(anonymous=404)),
    },
    "awards:ranking": determination(),
    "awards:application_scores": {
        **determination(lambda w: {"pk": w.published.pk, "application_pk": w.awarded_app.pk},
                        lambda w: {"pk": w.programme_b.pk, "application_pk": w.app_b.pk}),
        "mixed": Case(lambda w: {"pk": w.published.pk, "application_pk": w.app_b.pk}, only(anonymous=404)),
    },
    **{name: post_only_awards(pk("published"), pk("programme_b"))
       for name in ("awards:settings", "awards:seal", "awards:approve", "awards:reopen", "awards:publish",
                    "awards:unpublish")},
    "awards:override": {
        **post_only_awards(lambda w: {"pk": w.published.pk, "application_pk": w.awarded_app.pk},
                           lambda w: {"pk": w.programme_b.pk, "application_pk": w.app_b.pk}),
        "mixed": Case(lambda w: {"pk": w.published.pk, "application_pk": w.app_b.pk}, everyone(405, anonymous=405),
                      turned_away(anonymous=404), {"tier": "first", "reason": "矩阵探测"}),
    },
    "awards:export": {
        **post_only_awards(lambda w: {"pk": w.published.pk, "name": "score-sheet"},
                           lambda w: {"pk": w.programme_b.pk, "name": "score-sheet"}),
        # The published list of a programme not yet published: its administrators only.
        "published_list-unpublished": Case(lambda w: {"pk": w.programme.pk, "name": "published-list"},
                                           everyone(405, anonymous=405), turned_away("administrator", anonymous=404)),
    },
    # A certificate: the programme's administrators and the awarded organisation's members; nobody
    # for a project that won nothing.
    "awards:certificate": {
        **post_only_awards(pk("award"), pk("award_b"), ("applicant", "administrator"),
                           ("other_applicant", "administrator")),
        "not_awarded": Case(pk("award_none"), everyone(405, anonymous=405), turned_away(anonymous=404)),
    },
}


# ---- the URL configuration ------------------------------------------------------------------------

SKIPPED = {"set_language"}  # Django's language switch; the admin site is checked in test_security


def url_names() -> set[str]:
    """Every pattern's name, namespaced ("applications:edit"); an unnamed pattern counts as
    "<unnamed …>" so that it fails the coverage test too."""

    def walk(resolver, namespace, route):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                if inner == "admin":
                    continue
                full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                yield from walk(pattern, full, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if pattern.name is None:
                    yield f"<unnamed {route}{pattern.pattern}>"
                else:
                    yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver(), "", "")) - SKIPPED


def test_every_url_has_an_entry():
    names = url_names()
    missing = sorted(names - set(TABLE))
    assert not missing, f"URLs without an entry in the permission matrix: {missing}"
    stale = sorted(set(TABLE) - names)
    assert not stale, f"entries for URLs that no longer exist: {stale}"


def test_every_entry_names_every_role():
    for name, variants in TABLE.items():
        for variant, case in variants.items():
            assert set(case.get) == set(ROLES), (name, variant)
            assert set(case.post) <= set(ROLES), (name, variant)


def _cell_id(name, variant, role):
    return "-".join(part for part in (name, variant, role) if part)


GET_CELLS = [pytest.param(name, variant, role, id=_cell_id(name, variant, role))
             for name, variants in TABLE.items() for variant, case in variants.items() for role in ROLES]
POST_CELLS = [pytest.param(name, variant, role, id=_cell_id(name, variant, role))
              for name, variants in TABLE.items() for variant, case in variants.items() for role in case.post]


# ---- the world ------------------------------------------------------------------------------------


class World:
    """Attributes are the objects the table's kwargs name; ``users`` maps role → user (None: anonymous)."""

    users: dict


def _at(days, hour):
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def build_world() -> World:
    """The cast: organisers O (municipal) and O2 (a district's) with administrators; recommending
    units R and R2 with recommenders; organisations X and Y with applicants; experts E and C (and
    E2, C2 on the other side, who are no roles here). Programme P of O under review with A (X's, recommended by R) and
    D; programme P2 of O2 under review with B (Y's, recommended by R2); programme Q of O published,
    in which X and Y won prizes."""
    w = World()
    # O is municipal (keeps every organisation); O2 is a district organiser of a district where
    # neither X nor Y is (both are in Jiading), so it keeps Y only through Y's application to P2.
    organiser = OrganiserFactory(level=Level.MUNICIPAL)
    other_organiser = OrganiserFactory(level=Level.DISTRICT, district=DistrictFactory(code="minhang", name="闵行区"))
    unit, other_unit = RecommendingUnitFactory(), RecommendingUnitFactory()  # district bureaus
    w.users = {
        "anonymous": None,
        "applicant": ApplicantFactory(),
        "other_applicant": ApplicantFactory(),
        "recommender": UserFactory(role=Role.RECOMMENDER, recommending_unit=unit),
        "other_recommender": UserFactory(role=Role.RECOMMENDER, recommending_unit=other_unit),
        "administrator": UserFactory(role=Role.ADMINISTRATOR, organiser=organiser),
        "other_administrator": UserFactory(role=Role.ADMINISTRATOR, organiser=other_organiser),
    }
    applicant, other_applicant = w.users["applicant"], w.users["other_applicant"]
    admin, other_admin = w.users["administrator"], w.users["other_administrator"]
    w.organisation = applicant.membership.organisation
    w.organisation_b = other_applicant.membership.organisation

    # Programmes P (organiser O, accepts R) and P2 (O2, accepts R2), open; A and B submitted and
    # endorsed through the services, then both programmes move on to expert review.
    w.programme = b1_programme(organiser=organiser, status=ProgrammeStatus.OPEN)
    w.programme_b = b1_programme(organiser=other_organiser, status=ProgrammeStatus.OPEN)
    w.rubric = ProgrammeRubric.objects.get(programme=w.programme).rubric
    w.app = complete_application(programme=w.programme, organisation=w.organisation, recommender=unit,
                                 created_by=applicant, project_name=PROJECT_A)
    w.app_b = complete_application(programme=w.programme_b, organisation=w.organisation_b, recommender=other_unit,
                                   created_by=other_applicant, project_name=PROJECT_B)
    for app, member, recommender in ((w.app, applicant, w.users["recommender"]),
                                     (w.app_b, other_applicant, w.users["other_recommender"])):
        submission.submit(member, app)
        recommendation.endorse(recommender, app, opinion="同意推荐。", actual_effect="significant",
                               leading_degree="domestic", completion_date=app.completion_date)
    # X's draft in P naming R (not submitted: R must not see it yet), with a file.
    w.draft = ApplicationFactory(programme=w.programme, organisation=w.organisation, recommender=unit,
                                 created_by=applicant, project_name=PROJECT_DRAFT)
    w.draft_evidence = EvidenceFactory(application=w.draft)
    # D: another organisation's endorsed application in P, for the conflicted expert's clean assignment.
    app_d = ApplicationFactory(programme=w.programme, organisation=OrganisationFactory(), recommender=unit,
                               category=w.app.category, status="endorsed", submitted_at=timezone.now())
    for programme in (w.programme, w.programme_b):
        programme.status = ProgrammeStatus.REVIEWING
        programme.save(update_fields=["status"])
    for app in (w.app, w.app_b):
        app.refresh_from_db()
        assert app.status == "endorsed", app.status

    # Files: A's and B's evidence (complete_application made one each), a rendered document each.
    w.evidence, w.evidence_b = w.app.evidence.get(), w.app_b.evidence.get()
    w.document, w.document_b = (
        ApplicationDocument.objects.create(application=app, version=1, format="pdf", size=len(PDF),
                                           file=ContentFile(PDF, name="form.pdf"))
        for app in (w.app, w.app_b))

    # Experts: E and C assigned to A (C also to D), both pledged; E has a draft score. E2 scores B.
    expert, conflicted, expert_b, conflicted_b = (ReviewExpertFactory() for _ in range(4))
    w.users["expert"], w.users["conflicted_expert"] = expert.user, conflicted.user
    w.assignment = assignment_service.assign_expert(admin, w.app, expert)
    w.assignment_c = assignment_service.assign_expert(admin, w.app, conflicted)
    assignment_service.assign_expert(admin, app_d, conflicted)
    w.assignment_b = assignment_service.assign_expert(other_admin, w.app_b, expert_b)
    for profile, programme in ((expert, w.programme), (conflicted, w.programme), (expert_b, w.programme_b)):
        accept_pledge(profile.user, programme)
    w.score = save_score(expert.user, w.assignment, items=[], overall_comment="草稿", lock_version=0)
    w.score_b = save_score(expert_b.user, w.assignment_b, items=[], overall_comment="草稿", lock_version=0)

    # Panels, defence sessions (E and C seated in S with A and D; C's conflict comes after seating).
    w.panel = save_panel(admin, w.programme, name="矩阵装备组", categories=[w.app.category],
                         experts=[expert, conflicted])
    w.panel_b = save_panel(other_admin, w.programme_b, name="矩阵装备组", categories=[w.app_b.category],
                           experts=[expert_b])
    w.session = schedule_session(admin, w.programme, SessionInput(
        title="矩阵答辩第一场", starts_at=_at(7, 9), ends_at=_at(7, 12), place="市局301会议室",
        experts=[expert, conflicted], slots=[(w.app, 20), (app_d, 20)]))
    w.session_b = schedule_session(other_admin, w.programme_b, SessionInput(
        title="矩阵答辩第二场", starts_at=_at(7, 9), ends_at=_at(7, 12), place="区局会议室",
        experts=[expert_b], slots=[(w.app_b, 20)]))

    # Before C's conflict: E and C ask for A's Table A.1 (C's render also once failed), and C is told
    # of A by name (as submitting a score tells them).
    w.job_e, w.job_c, w.job_c_failed = (
        jobs.start_job(user, "applications.render_documents", {"application_id": w.app.pk, "version": 1})
        for user in (expert.user, conflicted.user, conflicted.user))
    for job in (w.job_e, w.job_c):
        job.status, job.progress, job.result_name = JobStatus.SUCCEEDED, 100, "登记表.pdf"
        job.result.save("form.pdf", ContentFile(PDF))
    w.job_c_failed.status = JobStatus.FAILED
    w.job_c_failed.save()
    notify([conflicted.user], f"评分已提交：{PROJECT_A}", about=w.app)

    # The blocking conflict: an applicant-requested recusal, not yet decided, assignment still
    # active — so only the conflict keeps C away from A (the strictest case). One on B as well.
    w.conflict = ConflictOfInterest.objects.create(expert=conflicted, application=w.app,
                                                   source=ConflictSource.APPLICANT, rule="applicant_declared",
                                                   reason="申报单位申请回避")
    w.conflict_b = ConflictOfInterest.objects.create(expert=conflicted_b, application=w.app_b,
                                                     source=ConflictSource.APPLICANT, rule="applicant_declared",
                                                     reason="申报单位申请回避")
    w.proposal, w.proposal_b = (
        AssignmentProposal.objects.create(programme=programme, created_by=creator, pairs=[[app.pk, profile.pk]],
                                          parameters={"loads": {str(profile.pk): 1}})
        for programme, creator, app, profile in ((w.programme, admin, w.app, expert),
                                                 (w.programme_b, other_admin, w.app_b, expert_b)))

    # Jobs with a file: each applicant's own.
    w.job, w.job_b = (Job.objects.create(kind="applications.render_documents", requested_by=member,
                                         params={"application_id": app.pk, "version": 1},
                                         status=JobStatus.SUCCEEDED, progress=100, result_name="登记表.pdf")
                      for member, app in ((applicant, w.app), (other_applicant, w.app_b)))
    for job in (w.job, w.job_b):
        job.result.save("form.pdf", ContentFile(PDF))

    # Requests to join X and Y, pending.
    w.join_request, w.join_request_b = (
        OrganisationMembership.objects.create(user=UserFactory(), organisation=organisation,
                                              status=MembershipStatus.PENDING)
        for organisation in (w.organisation, w.organisation_b))

    # Q: a published programme of O. X's and Y's applications won the first and second prizes.
    w.published, apps, _experts = scored_programme([[95, 93, 94], [85, 84, 86], [60, 61, 62]],
                                                  programme=b1_programme(organiser=organiser))
    w.awarded_app = apps[0]
    for app, organisation in ((apps[0], w.organisation), (apps[1], w.organisation_b)):
        app.organisation = organisation
        app.save(update_fields=["organisation"])
    determination_service.update_settings(admin, w.published, {"first_value": 1, "second_value": 1,
                                                               "third_value": 0})
    determination_service.approve(admin, w.published)
    publication.publish(admin, w.published)
    w.published.refresh_from_db()
    w.award, w.award_b, w.award_none = (Award.objects.get(application=app) for app in apps)
    assert w.award.is_awarded and w.award_b.is_awarded and not w.award_none.is_awarded

    # B needs a counted (submitted) score to have a row in P2's ranking, the foreign variant of the
    # determination pages.
    give_score(w.app_b, ReviewExpertFactory(), 70)

    # Suspected duplicates of A: D in P (made here), B in P2 (A and B share their text: found on submission).
    app_d_pk = w.programme.applications.exclude(pk__in=[w.app.pk, w.draft.pk]).get().pk
    w.duplicate, w.duplicate_b = (
        DuplicateCandidate.objects.update_or_create(a_id=min(w.app.pk, other), b_id=max(w.app.pk, other),
                                                    defaults={"similarity": 0.9, "status": "open"})[0]
        for other in (app_d_pk, w.app_b.pk))

    # One session per person, made once: each cell only presents its cookie.
    w.sessions = {}
    for role, user in w.users.items():
        if user is not None:
            browser = Client()
            browser.force_login(user)
            w.sessions[role] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(MEDIA_ROOT=str(media), EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                               PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            w = build_world()
        w.media = media
        yield w
        transaction.set_rollback(True)


@pytest.fixture
def world_media(_unit_test_settings, settings, world):
    """The world's files live in its own folder, not in each test's throw-away one."""
    settings.MEDIA_ROOT = str(world.media)


# ---- the cells ------------------------------------------------------------------------------------


def _request(client, world, name, variant, role, method):
    case = TABLE[name][variant]
    url = reverse(name, kwargs=case.kwargs(world))
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    if method == "get":
        return case, url, client.get(url)
    return case, url, client.post(url, case.data)


def _check(case, url, response, expected, role, method):
    observed = response.status_code
    assert observed == (302 if expected == LOGIN else expected), (
        f"{method.upper()} {url} as {role}: expected {expected}, got {observed}")
    if expected == LOGIN:
        target = urlsplit(response["Location"])
        assert target.path == reverse("login") and parse_qs(target.query).get("next") == [url], response["Location"]
    elif observed == 302 and case.redirect:
        assert urlsplit(response["Location"]).path == reverse(case.redirect), response["Location"]


def _assert_no_leak(url, response, role):
    """A page answered 200 to someone who may not see A (or B) must not name it."""
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return
    text = response.content.decode()
    for project, outsiders in ((PROJECT_A, OUTSIDERS_A), (PROJECT_B, OUTSIDERS_B), (PROJECT_DRAFT, OUTSIDERS_DRAFT)):
        assert not (role in outsiders and project in text), f"GET {url} as {role} names {project}"


@pytest.mark.django_db
@pytest.mark.usefixtures("world_media")
@pytest.mark.parametrize(("name", "variant", "role"), GET_CELLS)
def test_matrix(client, world, name, variant, role):
    case, url, response = _request(client, world, name, variant, role, "get")
    _check(case, url, response, case.get[role], role, "get")
    _assert_no_leak(url, response, role)


@pytest.mark.django_db
@pytest.mark.usefixtures("world_media")
@pytest.mark.parametrize(("name", "variant", "role"), POST_CELLS)
def test_post_turned_away(client, world, name, variant, role):
    case, url, response = _request(client, world, name, variant, role, "post")
    _check(case, url, response, case.post[role], role, "post")
