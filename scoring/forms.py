"""Forms of the scoring app."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.form_text import CleanForm
from portal.models import ProjectCategory
from scoring.models import Rubric


class ExpertFilterForm(CleanForm):
    q = forms.CharField(label=_("搜索"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("姓名、单位、关键词或邮箱")}))
    category = forms.ModelChoiceField(label=_("专业领域"), queryset=ProjectCategory.objects.all(), required=False,
                                      to_field_name="code", empty_label=_("全部"))
    active = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), ("1", _("在库")), ("0", _("已停用"))])

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(
                Q(user__full_name__icontains=q) | Q(work_unit__icontains=q) | Q(keywords__icontains=q)
                | Q(user__email__icontains=q) | Q(title__icontains=q)
            )
        if data["category"]:
            queryset = queryset.filter(expertise=data["category"])
        if data["active"]:
            queryset = queryset.filter(is_active=data["active"] == "1")
        return queryset


def _limit_size(file, megabytes: int):
    if file.size > megabytes * 1024 * 1024:
        raise forms.ValidationError(_("文件不能超过 %(n)d MB。") % {"n": megabytes})
    return file


class ExpertImportForm(CleanForm):
    file = forms.FileField(label=_("专家名单（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        return _limit_size(self.cleaned_data["file"], 5)


class RubricUploadForm(CleanForm):
    file = forms.FileField(label=_("评分细则文件（.yaml）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}))
    replace = forms.BooleanField(label=_("覆盖同代码且未被使用的评分细则"), required=False)

    def clean_file(self):
        return _limit_size(self.cleaned_data["file"], 1)


class AssignRubricForm(CleanForm):
    rubric = forms.ModelChoiceField(label=_("评分细则"), queryset=Rubric.objects.none())

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = Rubric.objects.filter(project_type=programme.project_type)
