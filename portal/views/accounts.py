"""Self-registration and organisation membership."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import throttle
from portal.forms import OrganisationForm, RegistrationForm
from portal.services import accounts
from portal.services.errors import DomainError
from portal.views.auth import too_many_attempts
from portal.visibility import membership_requests_for, organisations_for


def register(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    if request.method == "POST":
        address = throttle.client_address(request)
        if throttle.REGISTER_PER_ADDRESS.hit(address) > throttle.REGISTER_PER_ADDRESS.limit:
            return too_many_attempts(request, throttle.REGISTER_PER_ADDRESS.window // 60)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = accounts.register_applicant(
            account=form.account_data(),
            organisation=form.organisation_data(),
            credit_code=form.cleaned_data["credit_code"],
        )
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        if membership.status == "approved":
            messages.success(request, _("注册成功，单位“%(org)s”已登记。") % {"org": membership.organisation.name})
        else:
            messages.info(
                request,
                _("注册成功。单位“%(org)s”已在平台登记，您的加入申请需该单位首位用户或主管部门批准。")
                % {"org": membership.organisation.name},
            )
        return redirect("dashboard")
    return render(request, "portal/register.html", {"form": form, "org_form": form.organisation_form})


@login_required
def membership_requests(request):
    return render(request, "portal/membership_requests.html", {"requests": membership_requests_for(request.user)})


@login_required
@require_POST
def decide_membership(request, pk):
    membership = get_object_or_404(membership_requests_for(request.user), pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        accounts.decide_membership(request.user, membership, approve=approve)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已批准加入申请。") if approve else _("已拒绝加入申请。"))
    return redirect("membership_requests")


@login_required
def organisation_detail(request, pk):
    organisation = get_object_or_404(organisations_for(request.user).select_related("district", "group_company"), pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.update_organisation(request.user, form.instance)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("单位信息已保存。"))
            return redirect("organisation_detail", pk=organisation.pk)
    members = organisation.memberships.select_related("user")
    return render(request, "portal/organisation.html", {"organisation": organisation, "form": form, "members": members})
