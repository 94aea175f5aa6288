"""Forms of the awards pages: they validate input only; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.form_text import CleanForm, CleanModelForm
from portal.models import ProjectCategory
from scoring.models import Panel

from .models import AwardSettings
from .models.awards import AWARDED_TIERS, Tier
from .services.seal import ACCEPT as SEAL_ACCEPT


class SettingsForm(CleanModelForm):
    class Meta:
        model = AwardSettings
        fields = ["ranking_statistic", "trim_min_scores", "disagreement_threshold", "bias_z_threshold",
                  "tier_method", "first_value", "second_value", "third_value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"


class SealForm(CleanForm):
    """The seal upload; awards.services.seal checks the file itself (type, size, pixels)."""

    seal = forms.FileField(
        label=_("证书印章"), required=False,
        widget=forms.FileInput(attrs={"accept": SEAL_ACCEPT, "class": "form-control form-control-sm"}),
        help_text=_("请上传主办单位公章图片：透明背景 PNG，建议 400×400 像素以上，不超过 2 MB（也可上传 JPG）。"
                    "印章将盖在每张获奖证书的落款单位和日期上。"),
    )


class ReasonForm(CleanForm):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写理由。")})


class OverrideForm(ReasonForm):
    tier = forms.ChoiceField(label=_("调整为"), choices=Tier.choices)


class RankingFilterForm(CleanForm):
    category = forms.ModelChoiceField(label=_("项目类别"), queryset=ProjectCategory.objects.all(), required=False,
                                      empty_label=_("全部类别"))
    panel = forms.ModelChoiceField(label=_("评审组"), queryset=Panel.objects.none(), required=False,
                                   empty_label=_("全部评审组"))

    def __init__(self, programme, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = Panel.objects.filter(programme=programme)

    def selection(self) -> dict:
        if not self.is_valid():
            return {"category": None, "panel": None}
        category, panel = self.cleaned_data.get("category"), self.cleaned_data.get("panel")
        return {"category": category.pk if category else None, "panel": panel.pk if panel else None}


class PublicFilterForm(CleanForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    tier = forms.ChoiceField(label=_("等级"), required=False,
                             choices=[("", _("全部等级"))] + [(t, Tier(t).label) for t in AWARDED_TIERS])
    category = forms.CharField(label=_("项目类别"), required=False, max_length=32)

    def __init__(self, years, categories, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["category"].widget = forms.Select(choices=[("", _("全部类别"))] + [(c, c) for c in categories])
