"""Scoring rules (scoring.services.scores): bands, maximum, half points, the lowest-band comment,
bonus levels, the computed total, submit → lock → reopen, optimistic locking, and who may score."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from portal.models import AuditEntry, Notification, ProgrammeStatus
from portal.services.errors import DomainError, InvalidTransition, PermissionDenied
from scoring.models import (
    Assignment,
    AssignmentStatus,
    ConfidentialityPledge,
    ConflictOfInterest,
    ConflictSource,
    ProgrammeRubric,
    Score,
    ScoreStatus,
)
from scoring.services.rubrics import load_rubric
from scoring.services.scores import (
    ItemInput,
    ScoreRejected,
    StaleScore,
    reopen_score,
    save_score,
)
from scoring.sheets import rubric_criteria
from tests.factories import ApplicationFactory, ExpertProfileFactory, OrganiserFactory, ProgrammeFactory, UserFactory
from tests.scoring.test_scoring_rubrics import B1, FLAGSHIP, b1_data


class Sheet:
    """A programme under review with a rubric, one application and an assigned, pledged expert."""

    def __init__(self, administrator, rubric, *, project_type="key_product", pledged=True, **programme):
        self.programme = ProgrammeFactory(organiser=administrator.organiser, status=ProgrammeStatus.REVIEWING,
                                          project_type=project_type, **programme)
        ProgrammeRubric.objects.create(programme=self.programme, rubric=rubric)
        self.rubric = rubric
        self.criteria = {c.code: c for c in rubric_criteria(rubric)}
        self.application = ApplicationFactory(programme=self.programme, status="submitted")
        self.expert = ExpertProfileFactory()
        self.user = self.expert.user
        self.assignment = self.assign(self.expert, pledged=pledged)

    def assign(self, expert, *, pledged=True):
        if pledged:
            ConfidentialityPledge.objects.get_or_create(expert=expert, programme=self.programme,
                                                        defaults={"statement": "承诺"})
        return Assignment.objects.create(application=self.application, expert=expert)

    def item(self, code, points=None, comment="", *, band=None, level=None):
        """An item for criterion ``code``: the band holding ``points`` (or ``band``=(min, max));
        for a bonus criterion ``level``=value, or 0 for "no bonus"."""
        criterion = self.criteria[code]
        if level is not None:
            chosen = next((v for v in criterion.bonus_levels.all() if v.value == level), None)
            return ItemInput(criterion.pk, bonus_level_id=chosen.pk if chosen else None, no_bonus=level == 0)
        bands = criterion.bands.all()
        if band is not None:
            chosen = next(b for b in bands if (b.min_points, b.max_points) == band)
        else:
            chosen = next(b for b in bands if b.min_points <= points <= b.max_points)
        return ItemInput(criterion.pk, band_id=chosen.pk, points=None if points is None else D(str(points)),
                         comment=comment)

    def full(self, **overrides) -> list[ItemInput]:
        """Every criterion at its top band's minimum (bonus: no bonus), with ``overrides`` by code."""
        items = []
        for code, criterion in self.criteria.items():
            if code in overrides:
                items.append(overrides[code])
            elif criterion.kind == "bonus":
                items.append(self.item(code, level=0))
            else:
                top = max(criterion.bands.all(), key=lambda b: b.min_points)
                items.append(self.item(code, top.min_points))
        return items

    def save(self, items, *, user=None, version=None, submit=False, comment="总体评价"):
        score = Score.objects.filter(assignment=self.assignment).first()
        version = version if version is not None else (score.lock_version if score else 0)
        return save_score(user or self.user, self.assignment, items=items, overall_comment=comment,
                          lock_version=version, submit=submit)


@pytest.fixture
def b1(db):
    return load_rubric(B1)


@pytest.fixture
def sheet(administrator, b1):
    return Sheet(administrator, b1)


B1_TOP_MINIMA = 7 + 7 + 12 + 7 + 7 + 8 + 7 + 7 + 4 + 7


@pytest.mark.django_db
def test_total_is_computed_on_the_server(sheet):
    score = sheet.save([sheet.item("1.1", 8), sheet.item("2.1", 13)])
    assert score.status == ScoreStatus.DRAFT and score.total == D(21)
    score = sheet.save(sheet.full(), submit=True)
    assert score.status == ScoreStatus.SUBMITTED and score.total == D(B1_TOP_MINIMA)
    assert score.items.count() == 10 and score.submitted_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("points", "message"), [(6, "分档 7–10"), (11, "满分 10"), (-1, "分档 7–10")])
def test_out_of_band_and_over_maximum_points_are_refused(sheet, points, message):
    item = sheet.item("1.1", band=(7, 10))
    item.points = D(points)
    with pytest.raises(ScoreRejected) as error:
        sheet.save([item])
    assert message in error.value.faults[0].message and error.value.faults[0].part == "points"
    assert not Score.objects.exists()  # nothing written


@pytest.mark.django_db
def test_a_band_of_another_criterion_or_points_without_a_band_are_refused(sheet):
    foreign = sheet.item("1.1", 8)
    foreign.band_id = sheet.item("1.2", 8).band_id
    with pytest.raises(ScoreRejected) as error:
        sheet.save([foreign])
    assert "不属于" in error.value.faults[0].message
    with pytest.raises(ScoreRejected) as error:
        sheet.save([ItemInput(sheet.criteria["1.1"].pk, points=D(8))])
    assert "先选择分档" in error.value.faults[0].message


@pytest.mark.django_db
def test_half_points_only_when_the_rubric_allows_them(administrator, sheet):
    with pytest.raises(ScoreRejected) as error:
        sheet.save([sheet.item("1.1", D("7.5"))])
    assert "整数" in error.value.faults[0].message
    data = b1_data() | {"code": "table_b1_half", "allows_half_points": True}
    half = Sheet(administrator, load_rubric(data))
    assert half.save([half.item("1.1", D("7.5")), half.item("1.2", D("10"))]).total == D("17.5")
    with pytest.raises(ScoreRejected) as error:
        half.save([half.item("1.1", D("7.25"))])
    assert ".5" in error.value.faults[0].message


@pytest.mark.django_db
def test_the_lowest_band_needs_a_comment_to_submit(sheet):
    sheet.save([sheet.item("1.1", 3)])  # a draft may leave it for later
    with pytest.raises(ScoreRejected) as error:
        sheet.save(sheet.full(**{"1.1": sheet.item("1.1", 3)}), submit=True)
    assert [(f.part, f.criterion_id) for f in error.value.faults] == [("comment", sheet.criteria["1.1"].pk)]
    score = sheet.save(sheet.full(**{"1.1": sheet.item("1.1", 3, "指标提升较小")}), submit=True)
    assert score.status == ScoreStatus.SUBMITTED


@pytest.mark.django_db
def test_submit_needs_every_criterion(sheet):
    items = sheet.full()[:-1]
    with pytest.raises(ScoreRejected) as error:
        sheet.save(items, submit=True)
    assert "3.4" in error.value.faults[0].message and not Score.objects.filter(status="submitted").exists()


@pytest.mark.django_db
def test_bonus_levels_are_discrete_and_counted(administrator):
    flagship = Sheet(administrator, load_rubric(FLAGSHIP), project_type="flagship")
    items = flagship.full(**{"3.1": flagship.item("3.1", level=4)})
    score = flagship.save(items, submit=True)
    normal = sum(max(c.bands.all(), key=lambda b: b.min_points).min_points
                 for c in flagship.criteria.values() if c.kind == "normal")
    assert score.total == D(normal + 4)
    assert score.items.get(criterion__code="3.1").bonus_level.label == "预防级"


@pytest.mark.django_db
def test_a_bonus_must_be_chosen_to_submit_and_a_foreign_level_is_refused(administrator, b1):
    flagship = Sheet(administrator, load_rubric(FLAGSHIP), project_type="flagship")
    missing = ItemInput(flagship.criteria["3.1"].pk)
    with pytest.raises(ScoreRejected) as error:
        flagship.save(flagship.full(**{"3.1": missing}), submit=True)
    assert "加分项" in error.value.faults[0].message
    foreign = ItemInput(flagship.criteria["3.1"].pk, bonus_level_id=flagship.criteria["1.1"].bands.first().pk)
    with pytest.raises(ScoreRejected):
        flagship.save([foreign])
    assert flagship.save(flagship.full(), submit=True).total > 0  # "no bonus" is an explicit 0


@pytest.mark.django_db
def test_submit_locks_and_an_administrator_reopens_with_a_reason(sheet, administrator):
    score = sheet.save(sheet.full(), submit=True)
    with pytest.raises(InvalidTransition):
        sheet.save(sheet.full())
    with pytest.raises(DomainError, match="理由"):
        reopen_score(administrator, score, reason="  ")
    other_admin = UserFactory(role="administrator", organiser=OrganiserFactory())
    for person in (sheet.user, other_admin):
        with pytest.raises(PermissionDenied):
            reopen_score(person, score, reason="请复核")
    score = reopen_score(administrator, score, reason="第2.1项分数与评语不一致，请复核")
    assert score.status == ScoreStatus.DRAFT and score.submitted_at is None
    entry = AuditEntry.objects.get(action="score.reopen")
    assert entry.note == "第2.1项分数与评语不一致，请复核" and entry.actor == administrator
    assert Notification.objects.filter(recipient=sheet.user, body__contains="请复核").exists()
    with pytest.raises(PermissionDenied, match="已提交"):
        reopen_score(administrator, score, reason="再次退回")  # a draft cannot be reopened
    assert sheet.save(sheet.full(), submit=True).status == ScoreStatus.SUBMITTED


@pytest.mark.django_db
def test_a_stale_lock_version_is_refused_and_nothing_is_overwritten(sheet):
    first = sheet.save([sheet.item("1.1", 9)], comment="第一次")
    assert first.lock_version == 1
    with pytest.raises(StaleScore, match="未保存"):
        sheet.save([sheet.item("1.1", 7)], version=0, comment="旧窗口")
    stored = Score.objects.get(pk=first.pk)
    assert (stored.lock_version, stored.total, stored.overall_comment) == (1, D(9), "第一次")


@pytest.mark.django_db
def test_only_the_assigned_expert_may_score(sheet, administrator):
    stranger = ExpertProfileFactory()
    ConfidentialityPledge.objects.create(expert=stranger, programme=sheet.programme, statement="承诺")
    for person in (stranger.user, administrator):
        with pytest.raises(PermissionDenied, match="分配的专家本人"):
            sheet.save([sheet.item("1.1", 8)], user=person)
    assert not Score.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "message"), [(AssignmentStatus.RECUSED, "已回避"),
                                                 (AssignmentStatus.REMOVED, "已撤销")])
def test_recused_and_removed_assignments_are_refused(sheet, status, message):
    Assignment.objects.filter(pk=sheet.assignment.pk).update(status=status)
    with pytest.raises(PermissionDenied, match=message):
        sheet.save([sheet.item("1.1", 8)])


@pytest.mark.django_db
def test_a_blocking_conflict_refuses_the_score_and_a_dismissed_one_does_not(sheet):
    conflict = ConflictOfInterest.objects.create(expert=sheet.expert, application=sheet.application,
                                                 source=ConflictSource.EXPERT, reason="曾任职")
    with pytest.raises(PermissionDenied, match="回避关系"):
        sheet.save([sheet.item("1.1", 8)])
    conflict.status = "dismissed"
    conflict.save()
    assert sheet.save([sheet.item("1.1", 8)]).total == D(8)


@pytest.mark.django_db
def test_scores_after_the_deadline_are_refused(administrator, b1):
    late = Sheet(administrator, b1, scoring_deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(PermissionDenied, match="截止"):
        late.save([late.item("1.1", 8)])
    ok = Sheet(administrator, b1, scoring_deadline=timezone.now() + timedelta(days=1))
    assert ok.save([ok.item("1.1", 8)]).total == D(8)


@pytest.mark.django_db
def test_no_pledge_or_no_review_no_score(administrator, b1):
    unpledged = Sheet(administrator, b1, pledged=False)
    with pytest.raises(PermissionDenied, match="承诺"):
        unpledged.save([unpledged.item("1.1", 8)])
    closed = Sheet(administrator, b1)
    closed.programme.status = ProgrammeStatus.DETERMINING
    closed.programme.save()
    with pytest.raises(PermissionDenied, match="专家评价阶段"):
        closed.save([closed.item("1.1", 8)])


@pytest.mark.django_db
def test_saves_and_submissions_are_audited(sheet):
    sheet.save([sheet.item("1.1", 8, "良好")])
    sheet.save(sheet.full(), submit=True)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["rubric.load", "score.save_draft", "score.submit"]
    draft = AuditEntry.objects.get(action="score.save_draft")
    assert draft.changes["1.1"] == [None, "7–10 / 8.0 / 良好"] and draft.changes["total"] == ["0.0", "8.0"]
