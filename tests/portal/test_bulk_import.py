"""Bulk import of recommending units and their users: any bad row, nothing imported."""

import pytest
import tablib

from portal.models import AuditEntry, RecommendingUnit, User
from portal.reference import load_reference
from portal.resources import RecommenderUserResource, RecommendingUnitResource

UNIT_HEADERS = ["名称", "类型", "所在区", "上级推荐单位", "联系人", "联系电话", "邮箱"]


def import_units(rows, user=None, dry_run=False):
    dataset = tablib.Dataset(*rows, headers=UNIT_HEADERS)
    return RecommendingUnitResource().import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, user=user
    )


@pytest.mark.django_db(transaction=True)
def test_good_units_file_imports_every_row_and_audits_it(superuser):
    load_reference()
    result = import_units([
        ["上海市质量协会", "行业协会", "", "", "王五", "021-1", "a@example.cn"],
        ["嘉定区新街镇", "街镇", "嘉定区", "上海市嘉定区市场监督管理局", "赵六", "021-2", ""],
    ], user=superuser)
    assert not result.has_errors() and not result.has_validation_errors()
    street = RecommendingUnit.objects.get(name="嘉定区新街镇")
    assert street.parent.name == "上海市嘉定区市场监督管理局" and street.kind == "street_town"
    entry = AuditEntry.objects.get(action="recommendingunit.import", object_id=str(street.pk))
    assert entry.via == "import" and entry.actor == superuser


@pytest.mark.django_db(transaction=True)
def test_one_bad_row_rolls_back_the_whole_file_and_names_row_and_column():
    load_reference()
    before = RecommendingUnit.objects.count()
    result = import_units([
        ["上海市质量协会", "行业协会", "", "", "王五", "021-1", ""],
        ["某街道", "街镇", "嘉定区", "", "赵六", "021-2", ""],  # a street needs its district bureau
        ["某单位", "研究所", "", "", "", "", ""],  # unknown kind
    ])
    assert result.has_validation_errors()
    assert RecommendingUnit.objects.count() == before
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {2, 3}
    assert "parent" in invalid[2]
    assert "kind" in invalid[3] and "研究所" in str(invalid[3]["kind"])


@pytest.mark.django_db(transaction=True)
def test_recommender_users_import_with_their_unit_and_no_usable_password():
    load_reference()
    dataset = tablib.Dataset(
        ["nanxiang2", "南翔推荐人", "nx@example.cn", "139", "嘉定区南翔镇"],
        headers=["用户名", "姓名", "邮箱", "手机", "推荐单位"],
    )
    result = RecommenderUserResource().import_data(dataset, use_transactions=True,
                                                   rollback_on_validation_errors=True)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    user = User.objects.get(username="nanxiang2")
    assert user.role == "recommender" and user.recommending_unit.name == "嘉定区南翔镇"
    assert not user.has_usable_password()


@pytest.mark.django_db(transaction=True)
def test_recommender_with_unknown_unit_is_refused():
    load_reference()
    dataset = tablib.Dataset(["x1", "某人", "x@example.cn", "1", "不存在的单位"],
                             headers=["用户名", "姓名", "邮箱", "手机", "推荐单位"])
    result = RecommenderUserResource().import_data(dataset, use_transactions=True,
                                                   rollback_on_validation_errors=True)
    assert result.has_validation_errors() or result.has_errors()
    assert not User.objects.filter(username="x1").exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_unit_twice_in_one_file_is_refused_not_last_row_wins():
    load_reference()
    result = import_units([
        ["上海市质量协会", "行业协会", "", "", "王五", "021-1", ""],
        ["上海市标准化协会", "行业协会", "", "", "", "", ""],
        ["上海市质量协会", "行业协会", "", "", "赵六", "021-2", ""],
    ])
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {1, 3}
    assert "第1、3行" in str(invalid[3]["name"])
    assert not RecommendingUnit.objects.filter(name__in=["上海市质量协会", "上海市标准化协会"]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_dataset_over_the_row_cap_imports_nothing(settings):
    load_reference()
    settings.IMPORT_MAX_ROWS = 2
    result = import_units([[f"单位{i}", "行业协会", "", "", "", "", ""] for i in range(3)])
    assert result.has_errors()
    assert "一次最多导入 2 行数据" in str(result.base_errors[0].error)
    assert not RecommendingUnit.objects.filter(name__startswith="单位").exists()
