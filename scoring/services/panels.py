"""Panels (评审组): a programme's experts for a set of categories. Panel membership makes an expert
eligible for the panel's categories in automatic assignment (besides their own expertise)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError
from portal.services.notify import notify
from scoring.models import Panel
from scoring.permissions import may_manage_review


def _members(panel) -> dict:
    return {"name": panel.name, "categories": sorted(panel.categories.values_list("pk", flat=True)),
            "experts": sorted(panel.experts.values_list("pk", flat=True))}


@transaction.atomic
def save_panel(user, programme, *, name: str, categories, experts, panel=None, via: str = "web") -> Panel:
    """Creates (``panel`` None) or updates a panel; new members are told."""
    require(may_manage_review(user, programme))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写评审组名称。"))
    if panel is not None and panel.programme_id != programme.pk:
        raise DomainError(_("评审组不属于该批次。"))
    before = _members(panel) if panel is not None else {}
    try:
        with transaction.atomic():
            if panel is None:
                panel = Panel.objects.create(programme=programme, name=name)
            else:
                panel.name = name
                panel.save(update_fields=["name"])
    except IntegrityError as error:
        raise DomainError(_("该批次已有同名评审组。")) from error
    panel.categories.set(categories)
    panel.experts.set(experts)
    after = _members(panel)
    audit.record(user, "panel.create" if not before else "panel.update", panel, via=via,
                 changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v})
    added = set(after["experts"]) - set(before.get("experts", []))
    new_members = [e.user for e in panel.experts.filter(pk__in=added).select_related("user")]
    notify(new_members, "panel.joined", params={"programme": programme.title, "panel": panel.name}, about=programme)
    return panel


@transaction.atomic
def delete_panel(user, panel, *, via: str = "web") -> None:
    require(may_manage_review(user, panel.programme))
    before = _members(panel)
    audit.record(user, "panel.delete", panel, via=via, changes={k: [v, None] for k, v in before.items()})
    panel.delete()
