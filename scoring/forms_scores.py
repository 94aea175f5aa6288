"""The score form: built from the programme's rubric. It only parses what was typed; every scoring
rule (bands, maximum, half points, the lowest-band comment, completeness) is checked by
scoring.services.scores, whose faults are put back on the fields here."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.form_text import CleanForm
from portal.templatetags.fastfields import described_radios
from scoring.models import CriterionKind
from scoring.services.scores import ItemInput, lowest_band

NO_BONUS = "none"


def _field_names(criterion) -> dict[str, str]:
    prefix = f"c{criterion.pk}"
    return {part: f"{prefix}_{part}" for part in ("band", "points", "comment", "level")}


class ScoreForm(CleanForm):
    overall_comment = forms.CharField(
        label=_("总体评价"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "data-char-counter": 2000}),
    )
    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, data=None, *, criteria, score=None, **kwargs):
        self.criteria = criteria
        # A bound form shows what was posted: the stored items would only be read for nothing.
        super().__init__(data, initial=self._initial(criteria, score, items=data is None), **kwargs)
        for criterion in criteria:
            self.fields.update(INPUTS[criterion.kind].fields(criterion, _field_names(criterion)))

    @staticmethod
    def _initial(criteria, score, *, items=True) -> dict:
        initial = {"lock_version": score.lock_version if score else 0,
                   "overall_comment": score.overall_comment if score else ""}
        if score is None or not items:
            return initial
        stored = {item.criterion_id: item for item in score.items.all()}
        for criterion in criteria:
            item = stored.get(criterion.pk)
            if item is None:
                continue
            initial.update(INPUTS[criterion.kind].initial(item, _field_names(criterion)))
        return initial

    def items(self) -> list[ItemInput]:
        return [INPUTS[c.kind].read(c, self.cleaned_data, _field_names(c)) for c in self.criteria]

    def add_faults(self, faults) -> None:
        by_pk = {c.pk: c for c in self.criteria}
        for fault in faults:
            criterion = by_pk.get(fault.criterion_id)
            if criterion is None:
                self.add_error(None, fault.message)
                continue
            part = INPUTS[criterion.kind].fault_part or fault.part
            self.add_error(_field_names(criterion)[part], f"{criterion.code}：{fault.message}")

    def rows(self, suggestions=None) -> list[dict]:
        """Sections with their criteria and fields, for the template. What the template would
        otherwise work out per field, band or level (ids, names, values, errors, which one is chosen,
        data-points) is worked out here once; the band radios are written by fastfields.described_radios."""
        suggestions = suggestions or {}
        unit = gettext("分")
        sections: dict[int, dict] = {}
        for criterion in self.criteria:
            entry = sections.setdefault(criterion.section_id, {"section": criterion.section, "criteria": []})
            row = {"criterion": criterion, "suggestion": suggestions.get(criterion.pk)}
            row.update(INPUTS[criterion.kind].row(self, criterion, _field_names(criterion), unit))
            entry["criteria"].append(row)
        return list(sections.values())


class BandInputs:
    """A normal criterion (评分项): a band (分档), points inside it and a comment."""

    fault_part = None  # the service names the part at fault: band, points or comment

    @staticmethod
    def fields(criterion, names) -> dict:
        return {
            names["band"]: forms.ChoiceField(
                label=_("分档"), required=False,
                choices=[("", _("请选择分档"))] + [(str(b.pk), b.points_label) for b in criterion.bands.all()],
            ),
            names["points"]: forms.DecimalField(label=_("得分"), required=False, max_digits=6),
            names["comment"]: forms.CharField(label=_("评语"), required=False, max_length=1000),
        }

    @staticmethod
    def initial(item, names) -> dict:
        return {names["band"]: str(item.band_id) if item.band_id else "", names["points"]: _plain(item.points),
                names["comment"]: item.comment}

    @staticmethod
    def read(criterion, data, names) -> ItemInput:
        band = data.get(names["band"]) or ""
        return ItemInput(criterion.pk, band_id=int(band) if band.isdigit() else None,
                         points=data.get(names["points"]), comment=data.get(names["comment"]) or "")

    @staticmethod
    def row(form, criterion, names, unit) -> dict:
        band = form[names["band"]]
        return {"bonus": False, "band": _shown(band), "points": _shown(form[names["points"]]),
                "comment": _shown(form[names["comment"]]), "band_radios": _band_radios(band, criterion, unit)}


class LevelInputs:
    """A bonus criterion (加分项): one of its levels (加分等级), or "no bonus" (0 points)."""

    fault_part = "level"

    @staticmethod
    def fields(criterion, names) -> dict:
        choices = [("", _("请选择")), (NO_BONUS, _("不加分（0分）"))] + [
            (str(v.pk), f"{v.label}（{v.value}分）") for v in criterion.bonus_levels.all()]
        return {names["level"]: forms.ChoiceField(label=criterion.name, choices=choices, required=False)}

    @staticmethod
    def initial(item, names) -> dict:
        return {names["level"]: str(item.bonus_level_id) if item.bonus_level_id else (
            NO_BONUS if item.points is not None else "")}

    @staticmethod
    def read(criterion, data, names) -> ItemInput:
        level = data.get(names["level"]) or ""
        return ItemInput(criterion.pk, bonus_level_id=int(level) if level.isdigit() else None,
                         no_bonus=level == NO_BONUS)

    @staticmethod
    def row(form, criterion, names, unit) -> dict:
        level = form[names["level"]]
        levels = list(criterion.bonus_levels.all())
        chosen = str(level.value())  # compared as text, as the posted or initial value is
        points = {str(v.pk): v.value for v in levels} | {NO_BONUS: 0}
        return {"bonus": True, "level": _shown(level), "levels": levels, "options": [
            {"value": value, "label": label, "points": points.get(value), "selected": value == chosen}
            for value, label in level.field.choices]}


# How the form reads each kind of criterion; the rules they are checked against are
# scoring.services.scores.RULES, keyed the same way. A new kind is one entry in each.
INPUTS = {CriterionKind.NORMAL: BandInputs, CriterionKind.BONUS: LevelInputs}


def _shown(field) -> dict:
    """What score_form.html reads of a bound field, read once (each read of a BoundField property
    from a template goes through several failed look-ups first)."""
    return {"id": field.auto_id, "name": field.html_name, "value": field.value(), "errors": field.errors}


def _band_radios(field, criterion, unit: str) -> str:
    """The criterion's bands as radio buttons (fastfields.described_radios): the band's points and
    unit in bold, then its descriptor; data-min / data-max for score-form.js, data-lowest on the
    band whose choice needs a comment."""
    lowest = lowest_band(criterion)
    return described_radios(field, [
        (b.pk, b.points_label, b.descriptor, {"data-score-band": True, "data-min": b.min_points,
                                             "data-max": b.max_points,
                                             "data-lowest": bool(lowest and b.pk == lowest.pk)})
        for b in criterion.bands.all()], suffix=unit)


def _plain(value):
    """8.0 → "8", 7.5 → "7.5" (what the number input shows)."""
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else str(value)


class ReopenForm(CleanForm):
    reason = forms.CharField(label=_("退回理由"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))
