"""现场答辩 pages: the administrator's list, schedule and edit forms and attendance; the session page
for its administrators and seated experts; "my defence" for applicants (their slots) and experts
(their sessions). Rules in scoring.services.defence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.models.users import Role
from portal.permissions import administers_programme
from portal.services.errors import DomainError
from portal.visibility import administered_programmes
from scoring.forms_defence import AttendanceForm, DefenceSessionForm
from scoring.services import defence
from scoring.visibility import sessions_for, slots_for

from . import PROGRAMME_HEADER, administrators_only


@administrators_only
def defence_list(request, pk):
    programme = get_object_or_404(administered_programmes(request.user).select_related(*PROGRAMME_HEADER), pk=pk)
    sessions = (sessions_for(request.user).filter(programme=programme)
                .prefetch_related("slots__application", "experts__user"))
    return render(request, "scoring/defence_list.html", {"programme": programme, "sessions": sessions})


def _save(request, programme, session=None):
    form = DefenceSessionForm(request.POST or None, programme=programme, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            if session is None:
                session = defence.schedule_session(request.user, programme, form.session_input())
            else:
                session = defence.update_session(request.user, session, form.session_input())
        except defence.InvalidSession as error:
            for fault in error.faults:
                form.add_error(None, fault)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("答辩安排已保存，已通知相关申报单位和专家。"))
            return redirect("scoring:defence_detail", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "scoring/defence_form.html",
                  {"programme": programme, "session": session, "form": form}, status=status)


@administrators_only
def defence_new(request, pk):
    return _save(request, get_object_or_404(administered_programmes(request.user).select_related(*PROGRAMME_HEADER),
                                            pk=pk))


@administrators_only
def defence_edit(request, pk):
    session = get_object_or_404(sessions_for(request.user), pk=pk)  # an administrator's: their programmes' sessions
    return _save(request, session.programme, session)


@login_required
def defence_detail(request, pk):
    session = get_object_or_404(sessions_for(request.user).prefetch_related("experts__user"), pk=pk)
    is_admin = bool(administers_programme(request.user, session.programme))
    slots = defence.visible_slots(request.user, session)  # numbered by position, not by order
    return render(request, "scoring/defence_detail.html", {
        "session": session,
        "programme": session.programme,
        "slots": slots,
        "is_admin": is_admin,
        "show_lengths": defence.sees_whole_session(request.user),
        "attendance_form": AttendanceForm(slots=slots) if is_admin else None,
        "seating_conflicts": defence.seating_conflicts(session) if is_admin else [],
    })


@administrators_only
@require_POST
def defence_attendance(request, pk):
    session = get_object_or_404(sessions_for(request.user), pk=pk)
    form = AttendanceForm(request.POST, slots=session.slots.select_related("application"))
    if form.is_valid():
        try:
            changed = defence.record_attendance(request.user, session, form.attendance())
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已记录 %(n)d 项出席情况。") % {"n": changed})
    else:
        messages.error(request, _("出席情况填写有误。"))
    return redirect("scoring:defence_detail", pk=session.pk)


@login_required
def defence_mine(request):
    """Applicants: their slots. Experts: the sessions they sit in."""
    user = request.user
    if user.role not in (Role.APPLICANT, Role.EXPERT) or user.is_superuser:
        raise Http404
    return render(request, "scoring/defence_mine.html", {
        "slots": slots_for(user) if user.role == Role.APPLICANT else [],
        "sessions": sessions_for(user).order_by("starts_at") if user.role == Role.EXPERT else [],
    })
