"""The rubric names the sections that break ties; the ranking follows them and states them."""

import importlib
from pathlib import Path

import pytest
import yaml
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from awards.services import ranking
from portal.models import ProgrammeStatus
from scoring.models import ProgrammeRubric, Rubric
from scoring.services.rubric_format import InvalidRubric, parse_rubric
from scoring.services.rubrics import load_rubric, rubric_to_dict
from tests.factories import ExpertProfileFactory, ProgrammeFactory, ScoredApplicationFactory, give_score

RUBRICS = Path(settings.BASE_DIR) / "fixtures" / "rubrics"
# The tie rule the ranking page stated before the rubric carried it: Table B.1 must read the same.
B1_TIE_RULE = ("同分时依次比较：第二部分（质量创新程度）小计较高者在前；第三部分（质量攻关成效）小计较高者在前；"
               "提交时间较早者在前。各部分小计按与总分相同的统计量计算。")


def two_parts(tie_break=None) -> dict:
    """A rubric whose sections are not Table B.1's: A 质量举措 50 + B 质量成效 50."""
    data = {"code": "two_parts", "name": "两部分评分表", "project_type": "key_product", "total_points": 100,
            "sections": [
                {"code": code, "name": name, "points": 50, "criteria": [
                    {"code": f"{code}.1", "name": name, "max_points": 50,
                     "bands": [{"min": 0, "max": 50, "descriptor": "按成效评分"}]}]}
                for code, name in (("A", "质量举措"), ("B", "质量成效"))]}
    if tie_break is not None:
        data["tie_break_sections"] = tie_break
    return data


def programme_with(rubric_data, organiser):
    rubric = load_rubric(rubric_data)
    programme = ProgrammeFactory(status=ProgrammeStatus.DETERMINING, organiser=organiser)
    ProgrammeRubric.objects.create(programme=programme, rubric=rubric)
    return programme


def tie(programme, sheets):
    """Applications scored ``{name: ({criterion: points}, hours after now)}`` by one expert; the ranked names."""
    expert, t0 = ExpertProfileFactory(), timezone.now()
    for name, (points, hours) in sheets.items():
        application = ScoredApplicationFactory(programme=programme, project_name=name,
                                               submitted_at=t0 + timezone.timedelta(hours=hours))
        give_score(application, expert, points=points)
    return ranking.build(programme)


@pytest.mark.django_db
def test_a_rubric_with_other_sections_breaks_ties_on_its_own_sections(client, organiser, administrator):
    programme = programme_with(two_parts(["A"]), organiser)
    # Both 80; "later" leads on A, "earlier" on B (the section in Table B.1's second place) and in time.
    result = tie(programme, {"later": ({"A.1": 50, "B.1": 30}, 1), "earlier": ({"A.1": 30, "B.1": 50}, 0)})
    assert [r.application.project_name for r in result.rows] == ["later", "earlier"]
    assert result.tie_rule == ("同分时依次比较：第A部分（质量举措）小计较高者在前；提交时间较早者在前。"
                               "各部分小计按与总分相同的统计量计算。")
    client.force_login(administrator)
    page = client.get(reverse("awards:ranking", args=[programme.pk])).content.decode()
    assert "第A部分（质量举措）小计较高者在前" in page and "质量创新程度" not in page


@pytest.mark.django_db
def test_a_rubric_without_tie_break_sections_ranks_ties_by_the_total_and_says_so(client, organiser, administrator):
    programme = programme_with(two_parts(), organiser)
    result = tie(programme, {"later": ({"A.1": 30, "B.1": 50}, 1), "earlier": ({"A.1": 50, "B.1": 30}, 0)})
    assert [r.application.project_name for r in result.rows] == ["earlier", "later"]
    client.force_login(administrator)
    page = client.get(reverse("awards:ranking", args=[programme.pk])).content.decode()
    assert "该评分细则未指定同分时比较的部分：同分时只比较总分，提交时间较早者在前。" in page


@pytest.mark.django_db
def test_table_b1_states_the_same_tie_rule_as_before(organiser):
    rubric = load_rubric(RUBRICS / "table_b1.yaml")
    assert rubric.tie_break_sections == ["2", "3"]
    programme = ProgrammeFactory(status=ProgrammeStatus.DETERMINING, organiser=organiser)
    ProgrammeRubric.objects.create(programme=programme, rubric=rubric)
    assert tie(programme, {}).tie_rule == B1_TIE_RULE  # no scores yet: the rule still comes from the rubric


@pytest.mark.parametrize(
    ("tie_break", "fault"),
    [
        (["C"], "同分比较部分“C”不是该评分细则的部分序号"),
        (["A", "A"], "同分比较部分有重复"),
        (["A", "B", "A"], "同分比较部分有重复"),
        ("A", "“tie_break_sections”应为列表"),
    ],
)
def test_tie_break_sections_must_name_this_rubrics_sections(tie_break, fault):
    with pytest.raises(InvalidRubric) as refused:
        parse_rubric(two_parts(tie_break))
    assert any(fault in f for f in refused.value.faults), refused.value.faults


@pytest.mark.django_db
def test_the_shipped_rubrics_store_their_tie_break_sections_and_round_trip():
    for path in sorted(RUBRICS.glob("*.yaml")):
        spec = parse_rubric(path)
        assert spec["tie_break_sections"] == yaml.safe_load(path.read_text(encoding="utf-8"))["tie_break_sections"]
        rubric = load_rubric(path)
        assert rubric_to_dict(rubric) == spec
        assert load_rubric(path).load_status == "unchanged"


@pytest.mark.django_db
def test_the_migration_keeps_every_existing_rubrics_old_tie_rule():
    migration = importlib.import_module("scoring.migrations.0004_rubric_tie_break")
    b1 = load_rubric(RUBRICS / "table_b1.yaml")
    flagship = load_rubric(RUBRICS / "flagship_2025.yaml")
    parts = load_rubric(two_parts())
    Rubric.objects.update(tie_break_sections=[])  # as the rows stood before the field existed
    migration.keep_the_old_tie_rule(django_apps, None)
    # The ranking compared the second and third sections, whatever they were.
    assert {r.code: r.tie_break_sections for r in Rubric.objects.all()} == {
        b1.code: ["2", "3"], flagship.code: ["2", "3"], parts.code: ["B"]}
