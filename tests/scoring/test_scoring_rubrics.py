"""Rubrics as data: the two shipped rubrics, the checks that refuse a bad one, freezing and copying."""

import copy
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from portal.models import AuditEntry, ProgrammeStatus
from portal.models.programmes import ProjectType
from portal.services.errors import DomainError, PermissionDenied
from scoring.models import Band, BonusLevel, Criterion, ProgrammeRubric, Rubric, RubricSection
from scoring.services.rubric_format import InvalidRubric, parse_rubric
from scoring.services.rubrics import (
    RubricInUse,
    assign_rubric,
    copy_rubric,
    load_rubric,
    load_shipped_rubrics,
    rubric_to_dict,
)
from tests.factories import OrganiserFactory, ProgrammeFactory, UserFactory

RUBRICS = Path(settings.BASE_DIR) / "fixtures" / "rubrics"
B1 = RUBRICS / "table_b1.yaml"
FLAGSHIP = RUBRICS / "flagship_2025.yaml"


def b1_data() -> dict:
    return yaml.safe_load(B1.read_text(encoding="utf-8"))


def criterion_data(data: dict, code: str) -> dict:
    return next(c for s in data["sections"] for c in s["criteria"] if c["code"] == code)


def nothing_written():
    return not any(m.objects.exists() for m in (Rubric, RubricSection, Criterion, Band, BonusLevel, AuditEntry))


@pytest.mark.django_db
def test_table_b1_loads_and_adds_up():
    rubric = load_rubric(B1)
    assert (rubric.code, rubric.project_type, rubric.total_points, rubric.bonus_points) == (
        "table_b1", ProjectType.KEY_PRODUCT, 100, 0)
    sections = list(rubric.sections.all())
    assert [(s.name, s.points) for s in sections] == [("产品质量水平", 20), ("质量创新程度", 45), ("质量攻关成效", 35)]
    assert sum(s.points for s in sections) == 100
    for section in sections:
        assert sum(c.max_points for c in section.criteria.all()) == section.points
    criteria = {c.code: c for c in Criterion.objects.filter(section__rubric=rubric)}
    assert list(criteria) == ["1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4"]
    assert [c.max_points for c in criteria.values()] == [10, 10, 15, 10, 10, 10, 10, 10, 5, 10]

    def bands(code):
        return [(b.min_points, b.max_points) for b in criteria[code].bands.all()]

    assert bands("1.1") == [(7, 10), (4, 6), (3, 3)]
    assert bands("2.1") == [(12, 15), (8, 11), (4, 7)]
    assert bands("2.4") == [(8, 10), (5, 7), (2, 4), (1, 1)]
    assert bands("3.3") == [(4, 5), (2, 3), (1, 1)]
    assert [b.descriptor for b in criteria["1.2"].bands.all()] == ["国际先进或国内领先", "行业领先水平", "行业一般水平"]
    assert criteria["2.2"].name.startswith("针对具体技术难题，创新运用或采用先进质量管理工具")
    assert "≧500万元（小微企业≧100万元）" in criteria["3.2"].bands.first().descriptor
    assert AuditEntry.objects.filter(action="rubric.load", object_id=str(rubric.pk)).count() == 1


@pytest.mark.django_db
def test_flagship_2025_loads_and_adds_up_with_its_bonus():
    rubric = load_rubric(FLAGSHIP)
    assert (rubric.project_type, rubric.total_points, rubric.bonus_points) == (ProjectType.FLAGSHIP, 100, 5)
    sections = {s.name: s for s in rubric.sections.all()}
    assert [(name, s.points) for name, s in sections.items()] == [("质量举措", 60), ("质量成效", 40), ("加分项", 5)]

    def names_and_points(section):
        return [(c.name, c.max_points) for c in section.criteria.all()]

    assert names_and_points(sections["质量举措"]) == [
        ("创新质量提升工作机制", 14), ("开展产业质量状况调查", 8), ("加强质量基础设施建设", 10),
        ("建设专业质量队伍", 8), ("推动中小企业质量提升", 10), ("全面提高质量管理水平", 10)]
    assert names_and_points(sections["质量成效"]) == [
        ("产业发展", 10), ("质量提升", 8), ("绿色低碳", 6), ("标准提档", 8), ("品牌建设", 8)]
    assert sum(p for _n, p in names_and_points(sections["质量举措"])) == 60
    assert sum(p for _n, p in names_and_points(sections["质量成效"])) == 40
    industry = Criterion.objects.get(section__rubric=rubric, name="产业发展")
    assert [(b.min_points, b.max_points) for b in industry.bands.all()] == [(8, 10), (5, 7), (3, 4), (1, 2)]
    bonus = Criterion.objects.get(section__rubric=rubric, kind="bonus")
    assert bonus.name == "制造业企业质量管理能力等级" and not bonus.bands.exists()
    assert [(lv.label, lv.value) for lv in bonus.bonus_levels.all()] == [
        ("卓越级", 5), ("预防级", 4), ("保证级", 3), ("检验级", 2), ("经验级", 1)]


@pytest.mark.django_db
def test_load_rubrics_command_is_idempotent(capsys):
    call_command("load_rubrics")
    call_command("load_rubrics")
    out = capsys.readouterr().out
    assert "table_b1.yaml: created" in out and "table_b1.yaml: unchanged" in out
    assert Rubric.objects.count() == 2
    assert Criterion.objects.count() == 10 + 12
    assert AuditEntry.objects.filter(action="rubric.load").count() == 2


@pytest.mark.django_db
def test_shipped_loader_keeps_a_rubric_an_administrator_edited():
    load_shipped_rubrics()
    band = Band.objects.filter(criterion__section__rubric__code="table_b1").first()
    band.descriptor = "管理员修改过的说明"
    band.save()
    assert load_shipped_rubrics()["table_b1.yaml"] == "kept"
    band.refresh_from_db()
    assert band.descriptor == "管理员修改过的说明"


def test_stored_form_round_trips_the_file():
    spec = parse_rubric(B1)
    assert parse_rubric(copy.deepcopy(spec)) == spec


@pytest.mark.django_db
def test_database_form_equals_the_parsed_file():
    for path in (B1, FLAGSHIP):
        assert rubric_to_dict(load_rubric(path)) == parse_rubric(path)


def _overlap(data):
    bands = criterion_data(data, "2.1")["bands"]
    bands[1].update(min=6, max=9)


def _band_above_max(data):
    criterion_data(data, "1.1")["bands"][0]["max"] = 12


def _criteria_do_not_add_up(data):
    criterion = criterion_data(data, "1.2")
    criterion["max_points"] = 8
    criterion["bands"][0]["max"] = 8


def _sections_do_not_add_up(data):
    data["total_points"] = 95


def _top_band_short(data):
    criterion_data(data, "3.4")["bands"][0]["max"] = 9


def _duplicate_code(data):
    criterion_data(data, "2.3")["code"] = "2.2"


def _unknown_field(data):
    criterion_data(data, "1.1")["maximum"] = 10


def _bonus_without_bonus_points(data):
    data["sections"].append({"code": "4", "name": "加分项", "points": 5, "criteria": [
        {"code": "4.1", "name": "能力等级", "kind": "bonus", "max_points": 5,
         "levels": [{"value": 5, "label": "卓越级"}, {"value": 6, "label": "超卓越"}]}]})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_overlap, "评分细则“table_b1”第2.1项的分档 4–7 与 6–9 重叠 (bands overlap)"),
        (_band_above_max, "评分细则“table_b1”第1.1项的分档 7–12 超出该项满分 10 分"),
        (_criteria_do_not_add_up, "第1部分“产品质量水平”各项满分合计 18 分，与该部分分值 20 分不符"),
        (_sections_do_not_add_up, "评分细则“table_b1”各部分分值合计 100 分，与总分 95 分不符"),
        (_top_band_short, "第3.4项的最高分档为 7–9，未达到该项满分 10 分"),
        (_duplicate_code, "评价内容编号“2.2”重复"),
        (_unknown_field, "第1.1项含未知字段“maximum”"),
        (_bonus_without_bonus_points, "加分项合计 5 分，与加分 0 分不符"),
        (_bonus_without_bonus_points, "“超卓越” 6 分超出该项满分 5 分"),
    ],
)
def test_a_bad_rubric_is_refused_naming_the_fault_and_nothing_is_written(mutate, expected):
    data = b1_data()
    mutate(data)
    with pytest.raises(InvalidRubric) as refused:
        load_rubric(data)
    assert any(expected in fault for fault in refused.value.faults), refused.value.faults
    assert expected in str(refused.value)
    assert nothing_written()


@pytest.mark.django_db
def test_every_fault_is_reported_at_once():
    data = b1_data()
    _overlap(data)
    _band_above_max(data)
    _sections_do_not_add_up(data)
    with pytest.raises(InvalidRubric) as refused:
        load_rubric(data)
    assert len(refused.value.faults) == 3
    assert nothing_written()


@pytest.mark.django_db
def test_the_command_refuses_a_bad_file_naming_the_fault(tmp_path):
    data = b1_data()
    _overlap(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="重叠"):
        call_command("load_rubric", str(path))
    assert nothing_written()


@pytest.mark.django_db
def test_unreadable_yaml_is_refused():
    with pytest.raises(InvalidRubric, match="YAML"):
        load_rubric("code: [unclosed\n")


@pytest.mark.django_db
def test_same_code_different_content_needs_replace(administrator):
    load_rubric(B1)
    data = b1_data()
    data["name"] = "改过的名称"
    with pytest.raises(DomainError, match="已存在且内容不同"):
        load_rubric(data)
    replaced = load_rubric(data, existing="replace", actor=administrator)
    assert replaced.load_status == "replaced" and replaced.name == "改过的名称"
    assert Criterion.objects.filter(section__rubric=replaced).count() == 10
    assert load_rubric(data).load_status == "unchanged"


@pytest.fixture
def programme(administrator):
    return ProgrammeFactory(organiser=administrator.organiser, status=ProgrammeStatus.OPEN)


@pytest.mark.django_db
def test_a_rubric_in_use_cannot_be_changed_but_can_be_copied(administrator, programme):
    rubric = load_rubric(B1)
    assign_rubric(administrator, programme, rubric)
    assert rubric.is_in_use
    data = b1_data()
    data["name"] = "改过的名称"
    with pytest.raises(RubricInUse, match="只能复制"):
        load_rubric(data, existing="replace")
    rubric.refresh_from_db()
    assert rubric.name != "改过的名称"

    copied = copy_rubric(rubric, "table_b1_2027", actor=administrator)
    assert not copied.is_in_use
    assert {**rubric_to_dict(copied), "code": "table_b1", "name": rubric.name} == rubric_to_dict(rubric)
    assert AuditEntry.objects.filter(action="rubric.copy", object_id=str(copied.pk)).exists()
    with pytest.raises(DomainError, match="已被使用"):
        copy_rubric(rubric, "table_b1_2027")


@pytest.mark.django_db
def test_assign_rubric_is_for_the_programmes_administrators_and_audited(administrator, programme):
    rubric = load_rubric(B1)
    for outsider in (UserFactory(role="administrator", organiser=OrganiserFactory()), UserFactory(role="expert")):
        with pytest.raises(PermissionDenied):
            assign_rubric(outsider, programme, rubric)
    assert not ProgrammeRubric.objects.exists()
    link = assign_rubric(administrator, programme, rubric)
    assert link.rubric == rubric and link.assigned_by == administrator
    entry = AuditEntry.objects.get(action="programme.assign_rubric")
    assert entry.changes == {"rubric": [None, "table_b1"]} and entry.object_id == str(programme.pk)


@pytest.mark.django_db
def test_assign_rubric_refuses_a_mismatched_type_and_a_change_once_reviewing(administrator, programme):
    b1, flagship = load_rubric(B1), load_rubric(FLAGSHIP)
    with pytest.raises(DomainError, match="项目类型"):
        assign_rubric(administrator, programme, flagship)
    assign_rubric(administrator, programme, b1)
    other = copy_rubric(b1, "table_b1_v2")
    programme.status = ProgrammeStatus.REVIEWING
    programme.save()
    with pytest.raises(DomainError, match="不能更换"):
        assign_rubric(administrator, programme, other)
    assert ProgrammeRubric.objects.get(programme=programme).rubric == b1


@pytest.mark.django_db
def test_assign_rubric_refuses_a_rubric_broken_by_editing(administrator, programme):
    rubric = load_rubric(B1)
    band = Band.objects.filter(criterion__section__rubric=rubric, criterion__code="1.1").first()
    band.max_points = 11
    band.save()
    with pytest.raises(InvalidRubric, match="超出该项满分"):
        assign_rubric(administrator, programme, rubric)


@pytest.mark.django_db
def test_admin_shows_a_rubric_in_use_read_only(client, superuser, administrator, programme):
    rubric = load_rubric(B1)
    client.force_login(superuser)
    url = f"/admin/scoring/rubric/{rubric.pk}/change/"
    assert 'name="_save"' in client.get(url).content.decode()
    assign_rubric(administrator, programme, rubric)
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(url, {"code": rubric.code, "name": "改名", "project_type": "key_product",
                                 "total_points": 100, "bonus_points": 0})
    assert response.status_code == 403
    criterion = Criterion.objects.filter(section__rubric=rubric).first()
    assert client.post(f"/admin/scoring/criterion/{criterion.pk}/change/", {}).status_code == 403
    rubric.refresh_from_db()
    assert rubric.name != "改名"


@pytest.mark.django_db
def test_admin_copy_action(client, superuser, administrator, programme):
    rubric = load_rubric(B1)
    assign_rubric(administrator, programme, rubric)
    client.force_login(superuser)
    client.post("/admin/scoring/rubric/", {"action": "copy_selected", "_selected_action": [rubric.pk]})
    copied = Rubric.objects.get(code="table_b1-copy")
    assert not copied.is_in_use and Criterion.objects.filter(section__rubric=copied).count() == 10


@pytest.mark.django_db
def test_admin_cannot_add_a_criterion_to_a_rubric_in_use(client, superuser, administrator, programme):
    rubric = load_rubric(B1)
    assign_rubric(administrator, programme, rubric)
    section = rubric.sections.first()
    client.force_login(superuser)
    client.post("/admin/scoring/criterion/add/", {
        "section": section.pk, "code": "1.3", "name": "新增", "max_points": 5, "kind": "normal", "order": 3,
        "bands-TOTAL_FORMS": 0, "bands-INITIAL_FORMS": 0, "bonus_levels-TOTAL_FORMS": 0,
        "bonus_levels-INITIAL_FORMS": 0,
    })
    assert not Criterion.objects.filter(section=section, code="1.3").exists()


@pytest.mark.django_db
def test_admin_adds_a_criterion_to_an_unused_rubric_and_warns_it_no_longer_adds_up(client, superuser):
    rubric = load_rubric(B1)
    section = rubric.sections.first()
    client.force_login(superuser)
    response = client.post("/admin/scoring/criterion/add/", {
        "section": section.pk, "code": "1.3", "name": "新增", "max_points": 5, "kind": "normal", "order": 3,
        "bands-TOTAL_FORMS": 1, "bands-INITIAL_FORMS": 0, "bands-0-order": 1, "bands-0-min_points": 1,
        "bands-0-max_points": 5, "bands-0-descriptor": "说明",
        "bonus_levels-TOTAL_FORMS": 0, "bonus_levels-INITIAL_FORMS": 0,
    }, follow=True)
    assert Criterion.objects.filter(section=section, code="1.3").exists()
    assert "各项满分合计 25 分，与该部分分值 20 分不符" in response.content.decode()


@pytest.mark.django_db
def test_levels_in_any_order_reload_as_unchanged():
    data = yaml.safe_load(FLAGSHIP.read_text(encoding="utf-8"))
    criterion_data(data, "3.1")["levels"].reverse()
    load_rubric(data)
    assert load_rubric(data).load_status == "unchanged"


@pytest.mark.django_db
def test_the_rubric_names_the_standard_by_its_title():
    """DB31/T 1368—2022 is 《重点产品质量攻关成果评价要求》, never 《…评价规范》 (issue 14)."""
    from scoring.services.rubrics import load_rubric

    source = load_rubric(B1, existing="keep").source
    assert "《重点产品质量攻关成果评价要求》" in source and "评价规范" not in source


def test_every_criterion_kind_is_read_by_the_form_and_checked_by_the_service():
    from scoring.forms_scores import INPUTS
    from scoring.models import CriterionKind
    from scoring.services.scores import RULES

    assert set(INPUTS) == set(RULES) == set(CriterionKind.values)
    assert {INPUTS[k].fault_part for k in CriterionKind.values} == {None, "level"}
