"""The recommender's own unit page: its contact person and phone, which Annex 2's footer prints.
The view translates HTTP; applications.services.units makes the change and writes the audit row."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.form_text import CleanForm
from portal.services.errors import DomainError

from ..services import units
from .recommendation import recommender_unit


class UnitContactForm(CleanForm):
    contact_person = forms.CharField(label=gettext_lazy("联系人"), max_length=64, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=32, required=False)


@login_required
def unit_contact(request):
    unit = recommender_unit(request)  # 404 for anyone but a recommender
    if request.method == "POST":
        form = UnitContactForm(request.POST)
        if form.is_valid():
            try:
                units.update_contact(request.user, unit, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("本单位联系人信息已保存，将打印在申报汇总表的表尾。"))
                return redirect("applications:recommend_unit")
    else:
        form = UnitContactForm(initial={"contact_person": unit.contact_person, "contact_phone": unit.contact_phone})
    return render(request, "applications/recommend/unit.html", {"unit": unit, "form": form})
