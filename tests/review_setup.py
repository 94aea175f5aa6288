"""Shared set-up of the expert-review tests (conflicts, pledge, visibility, assignment)."""

from portal.models import ProgrammeStatus
from scoring.models import Assignment, ConfidentialityPledge, ConflictOfInterest, ConflictSource
from tests.factories import ApplicationFactory, ProgrammeFactory, ProjectCategoryFactory, ReviewExpertFactory


def reviewing_programme(administrator=None, **kwargs):
    if administrator is not None:
        kwargs["organiser"] = administrator.organiser
    return ProgrammeFactory(status=ProgrammeStatus.REVIEWING, **kwargs)


def reviewable(programme, category=None, **kwargs):
    """An endorsed application (the state in which it goes to the experts)."""
    category = category or ProjectCategoryFactory(code="equipment", name="高端装备")
    return ApplicationFactory(programme=programme, status="endorsed", category=category, **kwargs)


def expert_for(category=None, **kwargs):
    expert = ReviewExpertFactory(**kwargs)
    if category is not None:
        expert.expertise.add(category)
    return expert


def assign(expert, app, pledge=True):
    """An active assignment made directly (bypassing checks), optionally with the pledge."""
    if pledge:
        ConfidentialityPledge.objects.get_or_create(expert=expert, programme=app.programme,
                                                    defaults={"statement": "承诺"})
    return Assignment.objects.create(application=app, expert=expert)


def pairs(rule=None, source=ConflictSource.AUTOMATIC):
    qs = ConflictOfInterest.objects.filter(source=source)
    if rule:
        qs = qs.filter(rule=rule)
    return set(qs.values_list("expert_id", "application_id"))
