"""Forms of the recommendation step: input shapes only; the rules live in
applications.services.recommendation."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.form_text import CleanForm, validate_not_future
from portal.models import ProjectCategory
from portal.models.organisations import OrganisationSize

from .models import AdvancementLevel, ApplicationStatus, Section
from .models.recommendation import COMMENT_LIMIT, OPINION_LIMIT, ActualEffect, LeadingDegree

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RETURN_SECTIONS = [(v, label) for v, label in Section.choices if v != Section.CHECK]


class EndorseForm(CleanForm):
    opinion = forms.CharField(
        label=_("推荐单位意见"), max_length=OPINION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, "data-char-counter": OPINION_LIMIT}),
        error_messages={"required": _("请填写推荐单位意见。")},
    )
    actual_effect = forms.ChoiceField(
        label=_("项目实际效果"), choices=ActualEffect.choices, widget=forms.RadioSelect,
        error_messages={"required": _("请评估项目实际效果。")},
    )
    leading_degree = forms.ChoiceField(
        label=_("同行业领先程度"), choices=LeadingDegree.choices, widget=forms.RadioSelect,
        error_messages={"required": _("请评估同行业领先程度。")},
    )
    completion_date = forms.DateField(
        label=_("确认项目完成时间"), widget=DATE, validators=[validate_not_future],
        help_text=_("已按登记表预填，请核实后确认。"),
        error_messages={"required": _("请确认项目完成时间。")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_endorse_%s")  # ids of their own beside the other forms of the page
        super().__init__(*args, **kwargs)


class DeclineForm(CleanForm):
    reason = forms.CharField(
        label=_("不予推荐的理由"), max_length=COMMENT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写不予推荐的理由。")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_decline_%s")  # ids of their own beside the other forms of the page
        super().__init__(*args, **kwargs)


class RecommenderReturnForm(CleanForm):
    comment = forms.CharField(
        label=_("退回意见"), max_length=COMMENT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写退回意见，说明需要修改的内容。")},
    )
    sections = forms.MultipleChoiceField(
        label=_("涉及部分（可多选）"), choices=RETURN_SECTIONS, required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_return_%s")  # ids of their own beside the other forms of the page
        super().__init__(*args, **kwargs)


class ReturnToStreetForm(CleanForm):
    comment = forms.CharField(
        label=_("退回街镇的意见"), max_length=COMMENT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写退回街镇的意见。")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_street_%s")  # ids of their own beside the other forms of the page
        super().__init__(*args, **kwargs)


class WorkspaceFilterForm(CleanForm):
    """The workspace's filters (GET); ``apply`` narrows a queryset of applications."""

    q = forms.CharField(label=_("项目或单位名称"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部"))] + [c for c in ApplicationStatus.choices if c[0] != "draft"])
    category = forms.ModelChoiceField(label=_("项目类别"), required=False, queryset=ProjectCategory.objects.all(),
                                      empty_label=_("全部"))
    size = forms.ChoiceField(label=_("组织规模"), required=False,
                             choices=[("", _("全部")), *OrganisationSize.choices])
    level = forms.ChoiceField(label=_("项目先进水平"), required=False,
                              choices=[("", _("全部")), *AdvancementLevel.choices])

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            text = data["q"]
            queryset = queryset.filter(Q(project_name__icontains=text) | Q(organisation__name__icontains=text))
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["size"]:
            queryset = queryset.filter(organisation_snapshot__size_code=data["size"])
        if data["level"]:
            queryset = queryset.filter(advancement_level=data["level"])
        return queryset
