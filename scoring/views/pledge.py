"""The confidentiality pledge page and the gate every expert page of a programme goes through.

``require_pledge(kind, kwarg="pk")`` — decorator for views an expert reaches:

    from scoring.views.pledge import require_pledge

    @require_pledge("assignment")          # kwargs["pk"] is an Assignment pk
    def score_sheet(request, pk): ...

    @require_pledge("application", "app_pk")   # an Application pk
    @require_pledge("programme")               # a Programme pk

For an expert, it finds the programme through what the expert could see once pledged
(``scoring.permissions.pledge_gate``: active, unconflicted assignments in a programme under
review) — anything else is 404 — and, until the programme's pledge is accepted, answers every
request (GET or POST) with the pledge page instead of the view. Other roles pass through to the
view, which applies its own visibility. The view itself must still look objects up through
``scoring.visibility.assignments_for`` / ``applications_for_expert``.

The score sheet does not use the decorator: its loader (``scoring.sheets.load_sheet``) asks the
same gate only when its look-up fails, and the view shows ``pledge_page``.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.models import Programme
from portal.services.errors import DomainError
from scoring.permissions import expert_profile_of, pledge_gate
from scoring.services.pledge import accept_pledge, pledge_statement
from scoring.visibility import expert_programmes


def pledge_page(request, programme, *, next_url: str = "", status: int = 200):
    return render(request, "scoring/pledge.html", {
        "programme": programme, "statement": pledge_statement(programme), "next": next_url,
        "accepted": None,
    }, status=status)


def require_pledge(kind: str = "assignment", kwarg: str = "pk"):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if expert_profile_of(request.user) is None:
                return view(request, *args, **kwargs)
            gate = pledge_gate(request.user, kind, kwargs[kwarg])
            if gate is None:
                raise Http404
            programme_id, pledged = gate
            if pledged:
                return view(request, *args, **kwargs)
            programme = Programme.objects.get(pk=programme_id)
            return pledge_page(request, programme, next_url=request.get_full_path())

        wrapper.pledge_gate = kind
        return wrapper

    return decorator


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
def pledge(request, pk):
    """Shows the statement (and when it was accepted)."""
    if expert_profile_of(request.user) is None:
        raise Http404
    programme = get_object_or_404(expert_programmes(request.user), pk=pk)
    accepted = programme.pledges.filter(expert=request.user.expert_profile).first()
    return render(request, "scoring/pledge.html", {
        "programme": programme, "statement": accepted.statement if accepted else pledge_statement(programme),
        "accepted": accepted, "next": _safe_next(request, ""),
    })


@login_required
@require_POST
def pledge_accept(request, pk):
    if expert_profile_of(request.user) is None:
        raise Http404
    programme = get_object_or_404(expert_programmes(request.user), pk=pk)
    if request.POST.get("agree") != "1":
        messages.error(request, _("请勾选“我已阅读并同意以上承诺”。"))
        query = urlencode({"next": _safe_next(request, "")})
        return redirect(f"{reverse('scoring:pledge', args=[pk])}?{query}")
    try:
        accept_pledge(request.user, programme)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("scoring:expert_home")
    messages.success(request, _("已签署保密及回避承诺。"))
    return redirect(_safe_next(request, reverse("scoring:expert_programme", args=[pk])))
