"""Suspected duplicates (疑似重复): the side-by-side comparison of two applications and marking a pair
"not a duplicate". Only a pair the person may know of (visibility.duplicates_for) whose two
applications they may both read (applications_for) is found here; anything else is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.services.errors import DomainError

from ..duplicates_passages import labelled, swapped
from ..forms_duplicates import DismissDuplicateForm
from ..services import duplicates as service
from ..visibility import applications_for, duplicates_for


def _pair_and_sides(request, pk):
    """The pair and its two applications, the one named by ?from= (or POST from) first."""
    pair = get_object_or_404(duplicates_for(request.user), pk=pk)
    sides = applications_for(request.user).filter(pk__in=(pair.a_id, pair.b_id)).select_related(
        "programme", "organisation", "recommender")
    by_pk = {app.pk: app for app in sides}
    if len(by_pk) != 2:
        raise Http404  # one side is not theirs to read: the review page tells them only that it exists
    wanted = request.POST.get("from") or request.GET.get("from") or ""
    first = int(wanted) if wanted.isdigit() and int(wanted) in by_pk else pair.a_id
    return pair, by_pk[first], by_pk[pair.other(first)]


def _page(request, pair, first, second, form, status=200):
    passages = pair.passages if pair.a_id == first.pk else swapped(pair.passages)
    return render(request, "applications/duplicates/compare.html", {
        "pair": pair, "first": first, "second": second, "passages": labelled(passages),
        "percent": round(pair.similarity * 100), "containment": round(pair.containment * 100),
        "form": form, "programme": first.programme,
    }, status=status)


@login_required
def compare(request, pk):
    pair, first, second = _pair_and_sides(request, pk)
    return _page(request, pair, first, second, DismissDuplicateForm())


@login_required
@require_POST
def dismiss(request, pk):
    pair, first, second = _pair_and_sides(request, pk)
    form = DismissDuplicateForm(request.POST)
    if form.is_valid():
        try:
            service.dismiss(request.user, pair, form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已标记为非重复，此对申报不再提示。"))
            return redirect("applications:review", pk=first.pk)
    return _page(request, pair, first, second, form, status=400)

