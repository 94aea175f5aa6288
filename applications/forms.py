"""Forms of the registration step. They only parse and check input shapes (types, lengths,
signs, the 8-member limit); rules of the procedure live in applications.services."""

from functools import lru_cache

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal import credit_code
from portal.form_text import CleanForm, CleanModelForm, validate_not_future
from portal.models import Organisation, ProgrammeStatus

from .models import Application, EvidenceKind, Section
from .models.application import ECONOMIC_COLUMNS, ECONOMIC_ROWS
from .models.choices import Education, Gender
from .models.people import MAX_CONFLICTS, MAX_TEAM_MEMBERS
from .sections import SECTION_FIELDS
from .services.filetypes import ACCEPT_ATTRIBUTE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SectionForm(CleanModelForm):
    """One tab of Table A.1. Nothing is required here (save draft at any time) except the
    project name, the application's identity. ``readonly`` renders every field disabled."""

    section: str = ""

    def __init__(self, *args, readonly=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name == "project_name"
            if isinstance(field.widget, forms.Textarea) and field.max_length:
                field.widget.attrs.update({"rows": 6, "data-char-counter": field.max_length})
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE
                # The completion and the signatures have happened when the form is filled in.
                field.validators.append(validate_not_future)
            field.disabled = readonly

    def section_data(self) -> dict:
        """Model field → cleaned value, for applications.services.drafts.save_draft."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}

    def bound(self, *names):
        return [self[n] for n in names if n in self.fields]


class CreditCodesField(forms.CharField):
    """Joint applicants (联合申报单位) by credit code, one per line: applicants never get a list
    of every registered organisation."""

    widget = forms.Textarea(attrs={"rows": 2})

    def clean(self, value):
        value = super().clean(value)
        codes = [credit_code.normalise(line) for line in (value or "").splitlines() if line.strip()]
        found = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                _("以下统一社会信用代码尚未在平台登记：%(codes)s。联合申报单位须先注册。"
                  ) % {"codes": "、".join(unknown)}
            )
        return list(dict.fromkeys(found[c] for c in codes))


class BasicForm(SectionForm):
    section = Section.BASIC
    joint_applicant_codes = CreditCodesField(
        label=_("联合申报单位"), required=False,
        help_text=_("如为联合申报，填写其他申报单位的统一社会信用代码，每行一个。"),
    )

    class Meta:
        model = Application
        fields = [f for f in SECTION_FIELDS[Section.BASIC] if f != "joint_applicants"]
        widgets = {"advancement_level": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programme = self.instance.programme
        self.fields["recommender"].queryset = programme.accepted_units.filter(is_active=True).order_by(
            "kind", "name")
        self.fields["recommender"].empty_label = _("请选择推荐单位")
        self.fields["category"].empty_label = _("请选择项目类别")
        # Radio buttons need no "---------" entry: none ticked means not chosen yet.
        self.fields["advancement_level"].choices = [c for c in self.fields["advancement_level"].choices if c[0]]
        if not programme.allow_self_declared:
            del self.fields["self_declared"]
        readonly = self.fields["project_name"].disabled
        # A bound, editable form shows and cleans what was posted: the stored codes are only needed to
        # show the form, or as the value of the disabled field. .all() uses a prefetch when the view made one.
        if self.instance.pk and (not self.is_bound or readonly):
            self.initial.setdefault("joint_applicant_codes", "\n".join(
                org.credit_code for org in self.instance.joint_applicants.all()))
        self.fields["joint_applicant_codes"].disabled = readonly

    def section_data(self) -> dict:
        data = super().section_data()
        data["joint_applicants"] = self.cleaned_data.get("joint_applicant_codes") or []
        return data


class IntroForm(SectionForm):
    section = Section.INTRO

    class Meta:
        model = Application
        fields = SECTION_FIELDS[Section.INTRO]


class QualityForm(SectionForm):
    section = Section.QUALITY

    class Meta:
        model = Application
        fields = SECTION_FIELDS[Section.QUALITY]


class EffectForm(SectionForm):
    section = Section.EFFECT

    class Meta:
        model = Application
        fields = SECTION_FIELDS[Section.EFFECT]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The grid's inputs carry their cell for the live growth computation (application-form.js).
        for col, col_label in ECONOMIC_COLUMNS:
            for row, row_label in ECONOMIC_ROWS:
                widget = self.fields[f"{col}_{row}"].widget
                widget.attrs.update({"data-economic": f"{col}_{row}", "class": "form-control form-control-sm",
                                     "aria-label": f"{col_label}（{row_label}）"})

    def economic_rows(self):
        """The grid: [(row label, [bound field × 5])] for the template."""
        return [(label, [self[f"{col}_{row}"] for col, _c in ECONOMIC_COLUMNS]) for row, label in ECONOMIC_ROWS]


class SignoffForm(SectionForm):
    section = Section.SIGNOFF

    class Meta:
        model = Application
        fields = SECTION_FIELDS[Section.SIGNOFF]

    def roles(self):
        roles = ("tech_head", "finance_head", "unit_head")
        return [self.bound(f"{r}_opinion", f"{r}_name", f"{r}_date") for r in roles]


SECTION_FORMS = [BasicForm, IntroForm, QualityForm, EffectForm, SignoffForm]


class TableRowForm(CleanForm):
    """A row of a table formset: the column header is the visual label, aria-label the spoken one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, attrs in _row_attrs(type(self), get_language()):
            self.fields[name].widget.attrs.update(attrs)


@lru_cache(maxsize=64)
def _row_attrs(form_class, language: str) -> tuple:
    """(field name, widget attributes) of a row form's fields, worked out once per class and
    language (a table has many rows, each translating every label again)."""
    found = []
    for name, field in form_class.base_fields.items():
        css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
        found.append((name, {"class": css, "aria-label": str(field.label)}))
    return tuple(found)


class TeamMemberForm(TableRowForm):
    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Gender.choices], required=False)
    title = forms.CharField(label=_("职务/职称"), max_length=64, required=False)
    education = forms.ChoiceField(label=_("学历"), choices=[("", "—"), *Education.choices], required=False)
    work_unit = forms.CharField(label=_("工作单位（部门）"), max_length=128, required=False)


class ConflictForm(TableRowForm):
    expert_name = forms.CharField(label=_("专家姓名"), max_length=64, required=False)
    work_unit = forms.CharField(label=_("工作单位"), max_length=128, required=False)
    reason = forms.CharField(label=_("回避理由"), max_length=200, required=False)


class RowsFormSet(forms.BaseFormSet):
    """A formset whose rows come back as an ordered list of dicts, blank rows dropped."""

    too_many = ""

    def __init__(self, *args, readonly=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.readonly = readonly
        if readonly:
            for form in self.forms:
                for field in form.fields.values():
                    field.disabled = True

    def full_clean(self):
        self.error_messages = {**self.error_messages, "too_many_forms": self.too_many}
        super().full_clean()

    def rows(self) -> list[dict]:
        forms_in_order = self.ordered_forms if self.can_order else [
            f for f in self.forms if f not in self.deleted_forms]
        columns = list(self.form.base_fields)
        rows = [{c: f.cleaned_data.get(c, "") for c in columns} for f in forms_in_order]
        return [r for r in rows if any(str(v).strip() for v in r.values())]


class TeamFormSet(RowsFormSet):
    too_many = _("攻关项目组成员最多%(num)d名。")


class ConflictFormSet(RowsFormSet):
    too_many = _("申请回避最多%(num)d项。")


TeamFormSetFactory = forms.formset_factory(
    TeamMemberForm, formset=TeamFormSet, extra=0, max_num=MAX_TEAM_MEMBERS, validate_max=True,
    can_order=True, can_delete=True,
)
ConflictFormSetFactory = forms.formset_factory(
    ConflictForm, formset=ConflictFormSet, extra=0, max_num=MAX_CONFLICTS, validate_max=True, can_delete=True,
)


class NewApplicationForm(CleanForm):
    programme = forms.ModelChoiceField(label=_("申报批次"), queryset=None, empty_label=_("请选择申报批次"))
    project_name = forms.CharField(label=_("项目名称"), max_length=200)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes.filter(status=ProgrammeStatus.OPEN)


class EvidenceForm(CleanForm):
    kind = forms.ChoiceField(label=_("材料类别"), choices=EvidenceKind.choices)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    file = forms.FileField(
        label=_("文件"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_("PDF、JPG、PNG、DOCX或XLSX。"),
    )


class ReturnForm(CleanForm):
    comment = forms.CharField(label=_("退回意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              required=False)
    section = forms.ChoiceField(
        label=_("涉及部分"), required=False,
        choices=[("", _("整体")), *[(v, label) for v, label in Section.choices if v != Section.CHECK]],
    )
