"""From the database to the solver's plain problem and back: which applications are reviewed,
which experts may take them (expertise or panel), work-unit keys, conflicts and existing load.
A fixed number of queries whatever the size of the programme."""

from collections import defaultdict

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from applications.models import Application, ApplicationStatus
from scoring.models import Assignment, AssignmentStatus, ExpertProfile, Panel
from scoring.services.conflict_rules import normalise_org_name
from scoring.services.conflicts import blocking_conflicts
from scoring.services.solver import ApplicationIn, ExpertIn, Problem

# Applications that go to the experts: endorsed by their recommender, or self-declared (自行申报,
# no recommender) once submitted.
REVIEWABLE = Q(status=ApplicationStatus.ENDORSED) | Q(status=ApplicationStatus.SUBMITTED, self_declared=True)


def reviewable_applications(programme):
    return Application.objects.filter(programme=programme).filter(REVIEWABLE)


def active_count():
    """The outer application's active assignments, as a correlated subquery: annotated on a page of
    the assignment overview it counts the page's 50 rows only (``Count("assignments")`` grouped
    every application of the programme by all its columns before the page was cut: 250 ms at 2,000)."""
    counted = (Assignment.objects.filter(application_id=OuterRef("pk"), status=AssignmentStatus.ACTIVE)
               .order_by().values("application_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def unit_keys(rows) -> dict[int, str]:
    """Expert id → work-unit key; two experts share a key when their normalised unit names are
    equal or their unit credit codes are (union of both). ``rows``: (id, work_unit, credit_code)."""
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tokens = {}
    for pk, unit, code in rows:
        own = []
        key = normalise_org_name(unit)
        own.append(f"n:{key}" if key else f"x:{pk}")
        if code:
            own.append(f"c:{code.upper()}")
        tokens[pk] = own
        for token in own[1:]:
            a, b = find(own[0]), find(token)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {pk: find(own[0]) for pk, own in tokens.items()}


def same_unit(expert_a, expert_b) -> bool:
    keys = unit_keys([(e.pk, e.work_unit, e.work_unit_credit_code) for e in (expert_a, expert_b)])
    return keys[expert_a.pk] == keys[expert_b.pk]


def expert_categories(programme, expert_ids=None) -> dict[int, set]:
    """Expertise ∪ categories of the programme's panels the expert sits on."""
    result = defaultdict(set)
    through = ExpertProfile.expertise.through.objects.all()
    if expert_ids is not None:
        through = through.filter(expertprofile_id__in=expert_ids)
    for expert_id, category_id in through.values_list("expertprofile_id", "projectcategory_id"):
        result[expert_id].add(category_id)
    panels = Panel.objects.filter(programme=programme)
    panel_categories = defaultdict(set)
    for panel_id, category_id in Panel.categories.through.objects.filter(panel__in=panels).values_list(
            "panel_id", "projectcategory_id"):
        panel_categories[panel_id].add(category_id)
    for panel_id, expert_id in Panel.experts.through.objects.filter(panel__in=panels).values_list(
            "panel_id", "expertprofile_id"):
        result[expert_id] |= panel_categories[panel_id]
    return result


def build_problem(programme, seed: int) -> tuple[Problem, dict]:
    """The programme's solver input, and a summary for the proposal's parameters."""
    apps = list(reviewable_applications(programme).values_list("pk", "category_id"))
    app_ids = [pk for pk, _c in apps]
    assignments = Assignment.objects.filter(application__programme=programme)
    active = defaultdict(list)
    load = defaultdict(int)
    excluded = set()
    for app_id, expert_id, status in assignments.values_list("application_id", "expert_id", "status"):
        if status == AssignmentStatus.ACTIVE:
            active[app_id].append(expert_id)
            load[expert_id] += 1
        else:
            excluded.add((app_id, expert_id))
    pool = ExpertProfile.objects.filter(Q(is_active=True, user__is_active=True) | Q(pk__in=list(load)))
    rows = list(pool.values_list("pk", "work_unit", "work_unit_credit_code", "is_active", "user__is_active"))
    keys = unit_keys([(pk, unit, code) for pk, unit, code, _a, _u in rows])
    categories = expert_categories(programme, [r[0] for r in rows])
    experts = tuple(
        ExpertIn(id=pk, unit=keys[pk], categories=frozenset(categories.get(pk, ())), load=load[pk],
                 available=bool(is_active and user_active))
        for pk, _unit, _code, is_active, user_active in sorted(rows)
    )
    conflicts = frozenset(blocking_conflicts().filter(application_id__in=app_ids).values_list(
        "application_id", "expert_id"))
    problem = Problem(
        applications=tuple(ApplicationIn(id=pk, category=c, assigned=tuple(sorted(active[pk]))) for pk, c in apps),
        experts=experts, k=programme.experts_per_application, min_load=programme.min_load_per_expert,
        max_load=programme.max_load_per_expert, conflicts=conflicts, excluded=frozenset(excluded), seed=seed,
    )
    summary = {
        "k": problem.k, "min_load": problem.min_load, "max_load": problem.max_load,
        "applications": len(apps), "experts": sum(1 for e in experts if e.available),
        "conflicts": len(conflicts), "existing": sum(len(v) for v in active.values()),
    }
    return problem, summary
