"""Workflow guards that apps register: portal's programme workflow asks awards before publishing."""

import pytest
from django.utils import timezone

from awards.models import Determination
from awards.permissions import may_publish
from portal.models import AuditEntry, ProgrammeStatus
from portal.permissions import ALLOW, deny
from portal.services.errors import PermissionDenied
from portal.services.programmes import transition_programme
from portal.workflow import PROGRAMME_WORKFLOW, Transition, Workflow
from tests.factories import ProgrammeFactory


def _workflow():
    return Workflow("test", [Transition("go", ("a",), "b", "go", lambda user, obj: ALLOW)])


def test_every_guard_must_allow_and_the_first_refusal_gives_its_reason():
    workflow = _workflow()
    workflow.add_guard("go", lambda user, obj: ALLOW)
    workflow.add_guard("go", lambda user, obj: deny("scoring says no"))
    workflow.add_guard("go", lambda user, obj: deny("never asked"))
    decision = workflow.get("go").allowed(None, None)
    assert not decision and decision.reason == "scoring says no"
    assert workflow.available("a", object(), None) == []


def test_the_permission_is_asked_before_the_guards():
    asked = []
    workflow = Workflow("test", [Transition("go", ("a",), "b", "go", lambda user, obj: deny("not yours"))])
    workflow.add_guard("go", lambda user, obj: asked.append(obj) or ALLOW)
    assert workflow.get("go").allowed(None, None).reason == "not yours" and asked == []


def test_a_guard_is_registered_once_and_only_on_an_existing_transition():
    workflow = _workflow()

    def guard(user, obj):
        return ALLOW

    workflow.add_guard("go", guard)
    workflow.add_guard("go", guard)
    assert workflow.get("go").guards == [guard]
    with pytest.raises(KeyError):
        workflow.add_guard("og", guard)


def test_awards_registers_its_publication_rule_at_start_up():
    assert may_publish in PROGRAMME_WORKFLOW.get("publish").guards


@pytest.mark.django_db
def test_an_apps_guard_vetoes_the_move_with_its_reason(administrator):
    programme = ProgrammeFactory(status=ProgrammeStatus.REVIEWING, organiser=administrator.organiser)
    transition = PROGRAMME_WORKFLOW.get("start_determining")

    def scoring_guard(user, obj):
        return deny("尚有评分表未提交。")

    transition.guards.append(scoring_guard)
    try:
        with pytest.raises(PermissionDenied, match="尚有评分表未提交"):
            transition_programme(administrator, programme, "start_determining")
    finally:
        transition.guards.remove(scoring_guard)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.REVIEWING
    assert transition_programme(administrator, programme, "start_determining").status == ProgrammeStatus.DETERMINING


@pytest.mark.django_db
def test_publishing_without_an_approved_determination_is_refused_by_the_workflow_itself(administrator):
    programme = ProgrammeFactory(status=ProgrammeStatus.DETERMINING, organiser=administrator.organiser)
    with pytest.raises(PermissionDenied, match="评定结果尚未批准"):
        transition_programme(administrator, programme, "publish")
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DETERMINING
    assert not AuditEntry.objects.filter(action="programme.publish").exists()

    Determination.objects.create(programme=programme, approved_at=timezone.now())
    assert transition_programme(administrator, programme, "publish").status == ProgrammeStatus.PUBLISHED
