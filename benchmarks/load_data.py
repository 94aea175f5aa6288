"""Accounts and data for benchmarks/load.py (run inside Django, against the load database)."""

import functools
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from applications.models import Application, ApplicationStatus
from applications.services import drafts
from portal import credit_code
from portal.demo import seed_demo
from portal.models import District, Organisation, OrganisationMembership, Programme, User
from portal.models.organisations import MembershipStatus
from portal.models.programmes import ProgrammeStatus, ProjectType
from portal.models.users import Role
from scoring.models import ExpertProfile, ProgrammeRubric, Rubric, Score
from scoring.services.assignment import assign_expert
from scoring.services.pledge import accept_pledge


def _organisation(n: int, district) -> Organisation:
    return Organisation.objects.create(
        credit_code=credit_code.with_check_character(f"91310199{n:09d}"), name=f"上海负载测试{n:03d}有限公司",
        legal_representative="测试", ownership="private", size="medium", industry="通用设备制造业",
        address="上海市", phone="021-1", contact_person="测试", mobile="139", email=f"load{n}@example.cn",
        district=district,
    )


def _user(username, role, password, domain="example.cn") -> User:
    user = User(username=username, role=role, full_name=username, email=f"{username}@{domain}")
    user.password = _hashed(password)
    user.save()
    return user


@functools.cache
def _hashed(password: str) -> str:
    """One hash for every account: hashing costs ~0.4 s of CPU, minutes for a ramp's hundreds."""
    return make_password(password)


def prepare(applicants: int, experts: int, password: str):
    demo = seed_demo()
    open_programme = demo["programmes"][0]
    district = District.objects.get(code="pudong")
    for i in range(applicants):
        user = _user(f"load_app{i:02d}", Role.APPLICANT, password)
        org = _organisation(i, district)
        OrganisationMembership.objects.create(user=user, organisation=org, status=MembershipStatus.APPROVED)
        app = drafts.create_draft(user, open_programme, f"负载测试项目{i:02d}")
        yield ["applicant", user.username, f"/applications/{app.pk}/", "background", user.username]

    admin = User.objects.get(username="city_admin")
    reviewing = Programme.objects.create(
        year=open_programme.year - 1, title="负载测试评审批次", organiser=admin.organiser,
        organiser_names="上海市市场监督管理局", project_type=ProjectType.KEY_PRODUCT,
        status=ProgrammeStatus.REVIEWING, scoring_deadline=timezone.now() + timedelta(days=10),
    )
    ProgrammeRubric.objects.create(programme=reviewing, rubric=Rubric.objects.get(code="table_b1"))
    apps = [
        Application.objects.create(programme=reviewing, organisation=_organisation(50000 + j, district),
                                   project_name=f"负载测试评审项目{j}", status=ApplicationStatus.SUBMITTED)
        for j in range(2 * experts)
    ]
    for e in range(experts):
        user = _user(f"load_exp{e}", Role.EXPERT, password, domain=f"expert{e}.example.org")
        profile = ExpertProfile.objects.create(user=user, work_unit=f"第{e}评审研究院")
        accept_pledge(user, reviewing)
        paths = []
        for app in apps[2 * e: 2 * e + 2]:
            assignment = assign_expert(admin, app, profile)
            paths.append(f"/scoring/assignments/{assignment.pk}/score/")
        yield ["expert", user.username, user.username, ",".join(paths)]


def sessions(usernames) -> list[tuple[str, str]]:
    """A signed-in session for each person, made as the login view makes one (Client.force_login
    does the same), without the password hash: hashing costs ~0.5 s of CPU a person, minutes for a
    ramp of hundreds, on the cores the run measures."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    found = {u.username: u for u in User.objects.filter(username__in=usernames)}
    made = []
    for username in usernames:
        user = found[username]
        store = store_class()
        store[SESSION_KEY] = user._meta.pk.value_to_string(user)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        made.append((username, store.session_key))
    return made


def lost_saves(acknowledged) -> int:
    """How many acknowledged last saves are not what the database holds."""
    lost = 0
    for key, value in acknowledged:
        if ":" in key:  # expert: "<user>:/scoring/assignments/<pk>/score/"
            pk = int(key.split("/assignments/")[1].split("/")[0])
            stored = Score.objects.filter(assignment_id=pk).values_list("overall_comment", flat=True).first()
        else:
            stored = Application.objects.filter(
                organisation__memberships__user__username=key).values_list("background", flat=True).first()
        lost += stored != value
    return lost
