import pytest

from portal.models import District, Organiser, ProjectCategory, RecommendingUnit
from portal.models.organisations import RecommendingUnitKind as Kind
from portal.reference import load_reference


@pytest.mark.django_db
def test_reference_data_loads_once():
    first = load_reference()
    again = load_reference()
    assert all(v == 0 for v in again.values())
    assert first["districts"] == 17
    assert District.objects.count() == 17
    assert District.objects.filter(is_special_area=True).get().name == "临港新片区"
    assert list(ProjectCategory.objects.values_list("name", flat=True)) == [
        "集成电路", "生物医药", "人工智能", "电子信息", "生命健康", "汽车",
        "高端装备", "先进材料", "时尚消费品", "现代农业", "交通", "其他",
    ]
    assert RecommendingUnit.objects.filter(kind=Kind.DISTRICT_BUREAU).count() == 17
    assert Organiser.objects.count() == 2


@pytest.mark.django_db
def test_jiading_streets_sit_under_the_jiading_bureau_and_validate():
    load_reference()
    bureau = RecommendingUnit.objects.get(name="上海市嘉定区市场监督管理局")
    streets = RecommendingUnit.objects.filter(kind=Kind.STREET_TOWN)
    assert streets.count() == 12
    for street in streets:
        assert street.parent == bureau
        street.full_clean()


@pytest.mark.django_db
def test_a_street_without_a_district_bureau_parent_is_invalid():
    from django.core.exceptions import ValidationError

    load_reference()
    street = RecommendingUnit(name="某街道", kind=Kind.STREET_TOWN, district=District.objects.first())
    with pytest.raises(ValidationError):
        street.full_clean()
