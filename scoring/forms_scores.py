"""The score form: built from the programme's rubric. It only parses what was typed; every scoring
rule (bands, maximum, half points, the lowest-band comment, completeness) is checked by
scoring.services.scores, whose faults are put back on the fields here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.models import CriterionKind
from scoring.services.scores import ItemInput, lowest_band

NO_BONUS = "none"


def _field_names(criterion) -> dict[str, str]:
    prefix = f"c{criterion.pk}"
    return {part: f"{prefix}_{part}" for part in ("band", "points", "comment", "level")}


class ScoreForm(forms.Form):
    overall_comment = forms.CharField(
        label=_("总体评价"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "data-char-counter": 2000}),
    )
    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, data=None, *, criteria, score=None, **kwargs):
        self.criteria = criteria
        super().__init__(data, initial=self._initial(criteria, score), **kwargs)
        for criterion in criteria:
            names = _field_names(criterion)
            if criterion.kind == CriterionKind.BONUS:
                choices = [("", _("请选择")), (NO_BONUS, _("不加分（0分）"))] + [
                    (str(v.pk), f"{v.label}（{v.value}分）") for v in criterion.bonus_levels.all()]
                self.fields[names["level"]] = forms.ChoiceField(label=criterion.name, choices=choices, required=False)
                continue
            self.fields[names["band"]] = forms.ChoiceField(
                label=_("分档"), required=False,
                choices=[("", _("请选择分档"))] + [(str(b.pk), b.points_label) for b in criterion.bands.all()],
            )
            self.fields[names["points"]] = forms.DecimalField(label=_("得分"), required=False, max_digits=6)
            self.fields[names["comment"]] = forms.CharField(label=_("评语"), required=False, max_length=1000)

    @staticmethod
    def _initial(criteria, score) -> dict:
        initial = {"lock_version": score.lock_version if score else 0,
                   "overall_comment": score.overall_comment if score else ""}
        if score is None:
            return initial
        stored = {item.criterion_id: item for item in score.items.all()}
        for criterion in criteria:
            item = stored.get(criterion.pk)
            if item is None:
                continue
            names = _field_names(criterion)
            if criterion.kind == CriterionKind.BONUS:
                initial[names["level"]] = str(item.bonus_level_id) if item.bonus_level_id else (
                    NO_BONUS if item.points is not None else "")
            else:
                initial[names["band"]] = str(item.band_id) if item.band_id else ""
                initial[names["points"]] = _plain(item.points)
                initial[names["comment"]] = item.comment
        return initial

    def items(self) -> list[ItemInput]:
        data, found = self.cleaned_data, []
        for criterion in self.criteria:
            names = _field_names(criterion)
            if criterion.kind == CriterionKind.BONUS:
                level = data.get(names["level"]) or ""
                found.append(ItemInput(criterion.pk, bonus_level_id=int(level) if level.isdigit() else None,
                                       no_bonus=level == NO_BONUS))
            else:
                band = data.get(names["band"]) or ""
                found.append(ItemInput(criterion.pk, band_id=int(band) if band.isdigit() else None,
                                       points=data.get(names["points"]), comment=data.get(names["comment"]) or ""))
        return found

    def add_faults(self, faults) -> None:
        by_pk = {c.pk: c for c in self.criteria}
        for fault in faults:
            criterion = by_pk.get(fault.criterion_id)
            if criterion is None:
                self.add_error(None, fault.message)
                continue
            part = "level" if criterion.kind == CriterionKind.BONUS else fault.part
            self.add_error(_field_names(criterion)[part], f"{criterion.code}：{fault.message}")

    def rows(self, suggestions=None) -> list[dict]:
        """Sections with their criteria and bound fields, for the template."""
        suggestions = suggestions or {}
        sections: dict[int, dict] = {}
        for criterion in self.criteria:
            entry = sections.setdefault(criterion.section_id, {"section": criterion.section, "criteria": []})
            names = _field_names(criterion)
            fields = {part: self[name] for part, name in names.items() if name in self.fields}
            lowest = lowest_band(criterion)
            entry["criteria"].append({
                "criterion": criterion, "bonus": criterion.kind == CriterionKind.BONUS,
                "bands": list(criterion.bands.all()), "levels": list(criterion.bonus_levels.all()),
                "lowest_pk": lowest.pk if lowest else None, "suggestion": suggestions.get(criterion.pk),
                **fields,
            })
        return list(sections.values())


def _plain(value):
    """8.0 → "8", 7.5 → "7.5" (what the number input shows)."""
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else str(value)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))
