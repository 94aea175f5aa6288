"""Forms of conflicts, pledges, panels and assignment (kept apart from scoring.forms, which the
rubric and score-sheet pages use)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.form_text import CleanForm
from portal.models import ProjectCategory
from scoring.models import ConflictSource, ConflictStatus, ExpertProfile


class ReasonForm(CleanForm):
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class DeclareUnitForm(CleanForm):
    unit_name = forms.CharField(label=_("单位名称"), max_length=128, required=False,
                                help_text=_("与您有利益关系的单位或集团的全称，如现任或曾任职单位、投资或合作单位。"))
    credit_code = forms.CharField(label=_("统一社会信用代码（可选）"), max_length=18, required=False)
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if not data.get("unit_name", "").strip() and not data.get("credit_code", "").strip():
            raise forms.ValidationError(_("请填写单位名称或统一社会信用代码。"))
        return data


class ConflictFilterForm(CleanForm):
    q = forms.CharField(label=_("搜索"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("专家、项目或单位名称")}))
    source = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部")), *ConflictSource.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *ConflictStatus.choices])

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(
                Q(expert__user__full_name__icontains=q) | Q(expert__work_unit__icontains=q)
                | Q(application__project_name__icontains=q) | Q(application__organisation__name__icontains=q))
        if data["source"]:
            queryset = queryset.filter(source=data["source"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        return queryset


class ExpertChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.work_unit}）"


def active_experts():
    return ExpertProfile.objects.filter(is_active=True, user__is_active=True).select_related("user").order_by(
        "user__full_name", "pk")


class ConflictAddForm(CleanForm):
    expert = ExpertChoiceField(label=_("专家"), queryset=ExpertProfile.objects.none())
    application = forms.ModelChoiceField(label=_("申报项目"), queryset=None)
    reason = forms.CharField(label=_("理由"), max_length=300)

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = ExpertProfile.objects.select_related("user").order_by("user__full_name")
        self.fields["application"].queryset = applications.order_by("project_name")


class AssignExpertForm(CleanForm):
    expert = ExpertChoiceField(label=_("专家"), queryset=ExpertProfile.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = active_experts()


class ReassignForm(AssignExpertForm):
    reason = forms.CharField(label=_("理由"), max_length=300)


class AutoAssignForm(CleanForm):
    seed = forms.IntegerField(label=_("随机种子"), min_value=0, max_value=2**31 - 1, initial=1,
                              help_text=_("相同的种子和数据得到相同的方案。"))


class PanelForm(CleanForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    categories = forms.ModelMultipleChoiceField(label=_("项目类别"), queryset=ProjectCategory.objects.all(),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    experts = forms.ModelMultipleChoiceField(label=_("专家"), queryset=ExpertProfile.objects.none(), required=False,
                                             widget=forms.SelectMultiple(attrs={"size": 12}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = active_experts()
        self.fields["experts"].label_from_instance = lambda e: f"{e.name}（{e.work_unit}）"
