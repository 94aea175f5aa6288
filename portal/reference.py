"""Loads fixtures/reference.yaml: districts, categories, recommending units and organisers."""

from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from portal.models import District, Organiser, ProjectCategory, RecommendingUnit
from portal.models.organisations import RecommendingUnitKind as Kind

REFERENCE_FILE = Path(settings.BASE_DIR) / "fixtures" / "reference.yaml"


def street_unit_name(district: District, street: str) -> str:
    return f"{district.name}{street}"


@transaction.atomic
def load_reference(path: Path = REFERENCE_FILE) -> dict[str, int]:
    """Creates what is missing; returns how many rows of each kind were created."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = dict.fromkeys(["districts", "categories", "units", "organisers"], 0)

    districts = {}
    for order, row in enumerate(data["districts"], start=1):
        code, name, *flags = row
        obj, new = District.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "is_special_area": "special" in flags}
        )
        districts[code] = obj
        created["districts"] += new
    for order, (code, name) in enumerate(data["categories"], start=1):
        created["categories"] += ProjectCategory.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )[1]

    def unit(name, kind, **extra):
        obj, new = RecommendingUnit.objects.get_or_create(name=name, defaults={"kind": kind, **extra})
        created["units"] += new
        return obj

    bureaus = {}
    names = data["district_bureaus"]
    for code, district in districts.items():
        name = names.get(code) or names["default"].format(district=district.name)
        bureaus[code] = unit(name, Kind.DISTRICT_BUREAU, district=district)
    for code, streets in data["streets"].items():
        for street in streets:
            unit(street_unit_name(districts[code], street), Kind.STREET_TOWN, district=districts[code],
                 parent=bureaus[code])
    for name in data["group_companies"]:
        unit(name, Kind.GROUP_COMPANY)
    for name in data["industry_associations"]:
        unit(name, Kind.INDUSTRY_ASSOCIATION)

    for row in data["organisers"]:
        district = districts.get(row.get("district"))
        created["organisers"] += Organiser.objects.get_or_create(
            name=row["name"], defaults={"level": row["level"], "district": district}
        )[1]
    return created
