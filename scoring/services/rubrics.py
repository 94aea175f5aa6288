"""Rubrics in the database: loading (all-or-nothing, after parse_rubric passed), freezing once a
programme uses them, copying, and linking a programme to its rubric."""

import re
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Programme, ProgrammeStatus
from portal.permissions import administers_programme, require
from portal.services import audit
from portal.services.errors import DomainError
from scoring.models import Band, BonusLevel, Criterion, ProgrammeRubric, Rubric, RubricSection
from scoring.models.rubrics import CODE_PATTERN
from scoring.services.rubric_format import InvalidRubric, parse_rubric

SHIPPED_DIR = Path(settings.BASE_DIR) / "fixtures" / "rubrics"
RUBRIC_FIELDS = ("code", "name", "project_type", "total_points", "bonus_points", "allows_half_points", "source",
                 "tie_break_sections")
# Once experts may be scoring, a programme keeps the rubric it has.
RUBRIC_FIXED_FROM = (ProgrammeStatus.REVIEWING, ProgrammeStatus.DETERMINING, ProgrammeStatus.PUBLISHED,
                     ProgrammeStatus.CLOSED)


class RubricInUse(DomainError):
    """A rubric linked to a programme is frozen."""


def rubric_to_dict(rubric: Rubric) -> dict:
    """The canonical form (as parse_rubric returns it) of a stored rubric."""
    sections = rubric.sections.order_by("order", "pk").prefetch_related("criteria__bands", "criteria__bonus_levels")
    return {
        **{field: getattr(rubric, field) for field in RUBRIC_FIELDS},
        "sections": [
            {
                "code": s.code, "name": s.name, "points": s.points, "note": s.note,
                "criteria": [
                    {
                        "code": c.code, "name": c.name, "description": c.description, "max_points": c.max_points,
                        "kind": c.kind,
                        "bands": [{"min": b.min_points, "max": b.max_points, "descriptor": b.descriptor}
                                  for b in sorted(c.bands.all(), key=lambda b: (b.order, b.pk))],
                        "levels": [{"value": v.value, "label": v.label, "description": v.description}
                                   for v in c.bonus_levels.all()],
                    }
                    for c in sorted(s.criteria.all(), key=lambda c: (c.order, c.pk))
                ],
            }
            for s in sections
        ],
    }


def stored_faults(rubric: Rubric) -> list[str]:
    """What is wrong with a stored rubric (after edits in the admin); empty when it is consistent."""
    try:
        parse_rubric(rubric_to_dict(rubric))
    except InvalidRubric as error:
        return error.faults
    return []


def ensure_editable(rubric: Rubric) -> None:
    if rubric.is_in_use:
        raise RubricInUse(
            _("评分细则“%(code)s”已被申报批次使用，不能修改，只能复制。")
            % {"code": rubric.code}
        )


def _write_structure(rubric: Rubric, spec: dict) -> None:
    for s_order, s in enumerate(spec["sections"], start=1):
        section = RubricSection.objects.create(
            rubric=rubric, code=s["code"], name=s["name"], points=s["points"], note=s["note"], order=s_order
        )
        for c_order, c in enumerate(s["criteria"], start=1):
            criterion = Criterion.objects.create(
                section=section, code=c["code"], name=c["name"], description=c["description"],
                max_points=c["max_points"], kind=c["kind"], order=c_order,
            )
            Band.objects.bulk_create(
                Band(criterion=criterion, min_points=b["min"], max_points=b["max"], descriptor=b["descriptor"],
                     order=b_order)
                for b_order, b in enumerate(c["bands"], start=1)
            )
            BonusLevel.objects.bulk_create(
                BonusLevel(criterion=criterion, value=v["value"], label=v["label"], description=v["description"])
                for v in c["levels"]
            )


def load_rubric(source, *, actor=None, existing: str = "refuse", via: str = "import") -> Rubric:
    """Checks ``source`` (path, YAML text, uploaded file or dict) completely, then writes it in one
    transaction. A rubric with the same code that has the same content is left alone; otherwise
    ``existing`` decides: "refuse" (default), "keep" (leave the stored one) or "replace" (only while
    no programme uses it). The returned rubric carries ``load_status``: created, unchanged, kept or
    replaced."""
    spec = parse_rubric(source)  # raises InvalidRubric before anything is written
    with transaction.atomic():
        rubric = Rubric.objects.select_for_update().filter(code=spec["code"]).first()
        if rubric is None:
            rubric = Rubric.objects.create(**{f: spec[f] for f in RUBRIC_FIELDS})
            _write_structure(rubric, spec)
            audit.record(actor, "rubric.load", rubric, changes=audit.diff({}, spec), via=via)
            rubric.load_status = "created"
            return rubric
        before = rubric_to_dict(rubric)
        if before == spec:
            rubric.load_status = "unchanged"
        elif existing == "keep":
            rubric.load_status = "kept"
        elif existing == "replace":
            ensure_editable(rubric)
            for field in RUBRIC_FIELDS:
                setattr(rubric, field, spec[field])
            rubric.save()
            rubric.sections.all().delete()
            _write_structure(rubric, spec)
            audit.record(actor, "rubric.replace", rubric, changes=audit.diff(before, spec), via=via)
            rubric.load_status = "replaced"
        else:
            raise DomainError(
                _("评分细则“%(code)s”已存在且内容不同；如需覆盖请选择替换。")
                % {"code": spec["code"]}
            )
        return rubric


def load_shipped_rubrics(actor=None) -> dict[str, str]:
    """Loads fixtures/rubrics/*.yaml; existing rubrics are kept as administrators may have edited them."""
    return {
        path.name: load_rubric(path, actor=actor, existing="keep").load_status
        for path in sorted(SHIPPED_DIR.glob("*.yaml"))
    }


@transaction.atomic
def copy_rubric(rubric: Rubric, new_code: str, *, actor=None, name: str = "", via: str = "web") -> Rubric:
    """A new, unused rubric with the same content under ``new_code``: how a frozen rubric is changed."""
    new_code = (new_code or "").strip()
    if not re.fullmatch(CODE_PATTERN, new_code):
        raise DomainError(_("代码只能包含字母、数字、下划线和连字符。"))
    if Rubric.objects.filter(code=new_code).exists():
        raise DomainError(_("代码“%(code)s”已被使用。") % {"code": new_code})
    spec = {**rubric_to_dict(rubric), "code": new_code, "name": name or _("%(name)s（副本）") % {"name": rubric.name}}
    copy = Rubric.objects.create(**{f: spec[f] for f in RUBRIC_FIELDS})
    _write_structure(copy, spec)
    audit.record(actor, "rubric.copy", copy, changes=audit.diff({}, {"code": new_code, "name": copy.name}),
                 note=_("复制自 %(code)s") % {"code": rubric.code}, via=via)
    return copy


def free_copy_code(rubric: Rubric) -> str:
    """``<code>-copy``, or ``<code>-copy-2`` … if taken."""
    base = f"{rubric.code}-copy"[:58]
    candidate, n = base, 1
    while Rubric.objects.filter(code=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def assign_rubric(actor, programme: Programme, rubric: Rubric, *, via: str = "web") -> ProgrammeRubric:
    """Links ``programme`` to ``rubric`` (its administrators only). The rubric must suit the
    programme's project type and be consistent; once reviewing has begun it can no longer change."""
    require(administers_programme(actor, programme))
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    link = ProgrammeRubric.objects.filter(programme=programme).select_related("rubric").first()
    if link is not None and link.rubric_id == rubric.pk:
        return link
    if link is not None and programme.status in RUBRIC_FIXED_FROM:
        raise DomainError(
            _("批次“%(title)s”已进入“%(status)s”阶段，不能更换评分细则。")
            % {"title": programme.title, "status": programme.get_status_display()}
        )
    if rubric.project_type != programme.project_type:
        raise DomainError(
            _("评分细则“%(code)s”适用于“%(rtype)s”，与批次的项目类型“%(ptype)s”不符。")
            % {"code": rubric.code, "rtype": rubric.get_project_type_display(),
               "ptype": programme.get_project_type_display()}
        )
    faults = stored_faults(rubric)
    if faults:
        raise InvalidRubric(faults)
    old = link.rubric.code if link else None
    link, _created = ProgrammeRubric.objects.update_or_create(
        programme=programme, defaults={"rubric": rubric, "assigned_by": actor}
    )
    audit.record(actor, "programme.assign_rubric", programme, changes={"rubric": [old, rubric.code]}, via=via)
    return link
