"""The recommender's own unit: the contact person and phone that Annex 2's footer prints
(填报单位（加盖公章） · 联系人 · 联系电话). A recommender changes only its own unit's contact."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import RecommendingUnit
from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError
from portal.text import clean_text

from ..permissions import may_edit_unit_contact

CONTACT_FIELDS = ("contact_person", "contact_phone")
# Digits with the separators people write in a phone number: 021-59992872, 139 0000 0000, +86…, 转 8001.
PHONE = re.compile(r"^[0-9+\-() 转,，/]{5,32}$")


def update_contact(actor, unit: RecommendingUnit, *, contact_person: str, contact_phone: str,
                   via: str = "web") -> RecommendingUnit:
    """Sets the unit's contact person and phone; writes one audit row when something changed."""
    require(may_edit_unit_contact(actor, unit))
    person = " ".join(clean_text(contact_person or "").split())
    phone = " ".join(clean_text(contact_phone or "").split())
    if len(person) > RecommendingUnit._meta.get_field("contact_person").max_length:
        raise DomainError(_("联系人过长。"))
    if phone and not PHONE.match(phone):
        raise DomainError(_("联系电话格式不正确。"))
    with transaction.atomic():
        unit = RecommendingUnit.objects.select_for_update().get(pk=unit.pk)
        before = {name: getattr(unit, name) for name in CONTACT_FIELDS}
        after = {"contact_person": person, "contact_phone": phone}
        changes = {name: [before[name], after[name]] for name in CONTACT_FIELDS if before[name] != after[name]}
        if changes:
            for name, value in after.items():
                setattr(unit, name, value)
            unit.save(update_fields=list(changes))
            audit.record(actor, "recommending_unit.contact", unit, changes=changes, via=via, programme=None)
    return unit
