"""The form of the duplicate check: marking a suspected duplicate "not a duplicate" (非重复)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.form_text import CleanForm

from .services.duplicates import REASON_LIMIT


class DismissDuplicateForm(CleanForm):
    reason = forms.CharField(
        label=_("不属于重复申报的理由"), max_length=REASON_LIMIT, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写理由，说明两份申报为何不是同一项目。")},
    )
