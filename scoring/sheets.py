"""The score sheet as its pages read it: ``load_sheet(user, pk)`` gives the assignment (through
scoring.visibility, so anything else is None: 404), the programme's rubric and criteria, and
``may_score``'s decision — in as few queries as the page allows, without the caller knowing how.

Two things make it cheap, both hidden here:

* the assignment is read in one query with everything the page shows beside it; for the expert,
  the two facts ``may_score`` would otherwise look up (``blocked``, ``pledged``) are those that
  score_sheets_for's own filter guarantees for any row it finds, so they are stated, not asked
  (save_score, which locks the row, asks them with ``with_scoring_facts``); a save reads only the
  rubric link (``saving``);
* the rubric's rows (sections, criteria, bands, levels) are read once per process and programme
  link and kept as plain values (``_RUBRIC_ROWS``); every call builds fresh model instances from
  them, so no object is shared between requests.

Why the kept rows cannot go stale: they are keyed by the programme link (ProgrammeRubric) through
which they were read — the rubric's pk, the link's pk and the link's ``assigned_at``. A rubric that
any programme links to is frozen (scoring.services.rubrics.ensure_editable; the admin is read-only
for linked rubrics), so while that link exists the rows cannot change. To change the rubric, every
link to it must go first; linking it again saves the link, which stamps a new ``assigned_at``
(auto_now) or creates a new pk — a new key, read afresh. An entry is only ever reached through a
link that still exists (the key comes from the link read in the same request).

An expert who has not yet accepted the programme's pledge gets ``PledgeRequired`` (the view shows
the pledge page); the gate is asked only when the look-up fails, since the look-up itself requires
the pledge — so a pledged expert's sheet costs no gate query.
"""

import copy
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Value, prefetch_related_objects

from portal.kept import MISSING, Kept
from portal.permissions import Decision
from scoring.models import (
    Assignment,
    Band,
    BonusLevel,
    ConfidentialityPledge,
    ConflictOfInterest,
    Criterion,
    ProgrammeRubric,
    Rubric,
    RubricSection,
    Score,
    ScoreStatus,
)
from scoring.models.review import BLOCKING_CONFLICT_STATUSES
from scoring.permissions import expert_profile_of, may_score, pledge_gate
from scoring.visibility import score_sheets_for

# What the page shows beside the assignment, read in the same query: the programme and its rubric
# link (programme_rubric), the organisation header and the 3.2 suggestion (district), the project
# category, the recommending unit, the stored score and the expert (their name, through the user,
# only for others than the expert). The score's items are read only when shown (load_items).
SHEET_RELATED = ("application__programme__rubric_link", "application__organisation__district",
                 "application__category", "application__recommender", "score", "expert")
# A save needs only the rubric here: save_score reads the assignment again under lock with the facts
# may_score needs, and a refused save reads the whole sheet again to show it.
SAVE_ONLY = ("application__programme__rubric_link__rubric_id", "application__programme__rubric_link__assigned_at")


class PledgeRequired(Exception):
    """The expert would see the sheet once the programme's pledge is accepted."""

    def __init__(self, programme_id: int):
        self.programme_id = programme_id
        super().__init__(programme_id)


@dataclass
class ScoreSheet:
    assignment: Assignment
    rubric: Rubric | None  # None: the programme has no rubric yet
    criteria: list
    decision: Decision | None  # may_score for the assigned expert; None: someone else reads the sheet

    @property
    def score(self) -> Score | None:
        try:
            return self.assignment.score  # read with the assignment (SHEET_RELATED)
        except Score.DoesNotExist:
            return None

    @property
    def is_expert(self) -> bool:
        return self.decision is not None

    @property
    def editable(self) -> bool:
        score = self.score
        return bool(self.decision) and (score is None or score.status == ScoreStatus.DRAFT)


def with_scoring_facts(assignments):
    """``assignments`` annotated with ``blocked`` (a blocking conflict for the pair) and ``pledged``
    (the assigned expert's pledge for the programme), which scoring.permissions.may_score reads
    instead of asking again."""
    return assignments.annotate(
        blocked=Exists(ConflictOfInterest.objects.filter(
            expert_id=OuterRef("expert_id"), application_id=OuterRef("application_id"),
            status__in=BLOCKING_CONFLICT_STATUSES)),
        pledged=Exists(ConfidentialityPledge.objects.filter(
            expert_id=OuterRef("expert_id"), programme_id=OuterRef("application__programme_id"))),
    )


def load_sheet(user, pk, *, saving: bool = False) -> ScoreSheet | None:
    """The sheet of assignment ``pk`` as ``user`` may open it (scoring.visibility.score_sheets_for),
    or None (the view answers 404). Raises PledgeRequired for an expert whose only obstacle is the
    programme's pledge. ``saving``: only what a save needs before save_score (which checks may_score
    under lock), so the decision is left None."""
    profile = expert_profile_of(user)
    sheets = score_sheets_for(user).select_related(None)
    if saving:
        sheets = sheets.select_related("application__programme__rubric_link").only(*SAVE_ONLY)
    else:
        sheets = sheets.select_related(*SHEET_RELATED, *(() if profile is not None else ("expert__user",)))
    if profile is not None and not saving:
        # score_sheets_for keeps only the expert's own unconflicted, pledged assignments (its WHERE,
        # in this same query), so the two facts may_score reads hold for any row found: stated here
        # instead of asked again by two subqueries (with_scoring_facts).
        sheets = sheets.annotate(blocked=Value(False), pledged=Value(True))
    assignment = sheets.filter(pk=pk).first()
    if assignment is None:
        if profile is not None:
            gate = pledge_gate(user, "assignment", pk)
            if gate is not None and not gate[1]:
                raise PledgeRequired(gate[0])
        return None
    rubric, criteria = programme_rubric(assignment.application.programme)
    decision = None
    if not saving and (profile is not None and assignment.expert_id == profile.pk):
        decision = may_score(user, assignment)
    return ScoreSheet(assignment, rubric, criteria, decision)


# ---- the rubric -------------------------------------------------------------------------------


def rubric_criteria(rubric) -> list:
    """The rubric's criteria in order, with bands and bonus levels loaded. The rows are kept on
    ``rubric`` (rubric.sections.all(), their criteria, bands and levels read them afterwards)."""
    prefetch_related_objects([rubric], Prefetch(
        "sections", queryset=RubricSection.objects.order_by("order", "pk").prefetch_related(
            "criteria__bands", "criteria__bonus_levels")))
    return _in_order(rubric.sections.all())


def _in_order(sections) -> list:
    return [c for s in sections for c in sorted(s.criteria.all(), key=lambda c: (c.order, c.pk))]


# {(rubric pk, link pk, link assigned_at): plain rows} — see the module doc (and portal.kept) for why
# it cannot go stale. A few rubrics are in use at a time.
_RUBRIC_ROWS = Kept("rubric rows", max_entries=32)


def programme_rubric(programme) -> tuple:
    """(rubric, its criteria as rubric_criteria gives them) of ``programme``, or (None, []): fresh
    instances, the caller's own. Reads only the programme's link (none when the caller
    select_related "programme__rubric_link"); the rubric's rows once per process and link."""
    try:
        link = programme.rubric_link
    except ProgrammeRubric.DoesNotExist:
        return None, []
    key = (link.rubric_id, link.pk, link.assigned_at)
    rows = _RUBRIC_ROWS.get(key)
    if rows is not MISSING:
        return _build(rows)
    rubric = Rubric.objects.get(pk=link.rubric_id)
    criteria = rubric_criteria(rubric)
    _RUBRIC_ROWS.put(key, _rows(rubric))
    return rubric, criteria


def _values(obj) -> tuple:
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def _rows(rubric) -> tuple:
    """The loaded rubric as plain values: (rubric, ((section, ((criterion, bands, levels), …)), …)),
    each object a tuple of its concrete fields, in the order its prefetched relation gives them."""
    return (_values(rubric), tuple(
        (_values(section), tuple(
            (_values(c), tuple(_values(b) for b in c.bands.all()), tuple(_values(v) for v in c.bonus_levels.all()))
            for c in section.criteria.all()))
        for section in rubric.sections.all()))


def _instance(model, values: tuple):
    # JSON values (a rubric's tie_break_sections) are copied: nothing mutable is shared.
    return model.from_db("default", None, [copy.deepcopy(v) if isinstance(v, list | dict) else v for v in values])


def _prefetched(instance, name: str, objects: list) -> None:
    """Makes ``instance.<name>.all()`` answer ``objects`` without a query, as a prefetch does."""
    # Django has no public API to fill a prefetch cache: these are the attributes prefetch_related sets.
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache, queryset._prefetch_done = objects, True  # noqa: SLF001
    instance._prefetched_objects_cache = {  # noqa: SLF001
        **getattr(instance, "_prefetched_objects_cache", {}), name: queryset}


def _build(rows) -> tuple:
    rubric_values, section_rows = rows
    rubric = _instance(Rubric, rubric_values)
    sections = []
    for section_values, criterion_rows in section_rows:
        section = _instance(RubricSection, section_values)
        section.rubric = rubric  # the back references a prefetch sets too
        criteria = []
        for criterion_values, band_rows, level_rows in criterion_rows:
            criterion = _instance(Criterion, criterion_values)
            criterion.section = section
            for name, model, values in (("bands", Band, band_rows), ("bonus_levels", BonusLevel, level_rows)):
                children = [_instance(model, v) for v in values]
                for child in children:
                    child.criterion = criterion
                _prefetched(criterion, name, children)
            criteria.append(criterion)
        _prefetched(section, "criteria", criteria)
        sections.append(section)
    _prefetched(rubric, "sections", sections)
    return rubric, _in_order(sections)
