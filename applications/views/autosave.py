"""POST /applications/<id>/autosave/: the form's background save (application-form.js).

The browser sends only the fields that changed since its last save (a table as a whole: every
``team-*`` or ``conflicts-*`` field with its management form), plus ``lock_version``. Each field
is parsed by the same section form as the 保存草稿 button; the fields not sent take their stored
values, so they are checked as stored and left alone. Answers JSON:

    200 {ok, lock_version, saved_at, saved_time, errors}     saved (errors: fields sent but refused)
    409 {conflict, lock_version, message, changes}          saved by someone else since: nothing saved
    400 {errors}                                            nothing valid to save
    403 {error} / 404 / 429 {throttled, retry_after}
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.services.errors import DomainError, InvalidTransition, PermissionDenied

from ..forms import SECTION_FORMS, ConflictFormSetFactory, TeamFormSetFactory
from ..services import autosave as autosave_service
from ..services import drafts
from ..services.errors import StaleApplication
from ..visibility import applications_for
from .pages import lock_version_from

NOT_FIELDS = {"csrfmiddlewaretoken", "lock_version", "tab"}
TABLES = (("team", TeamFormSetFactory), ("conflicts", ConflictFormSetFactory))


@login_required
@require_POST
def autosave(request, pk):
    app = get_object_or_404(applications_for(request.user).select_related("programme", "organisation"), pk=pk)
    limit, key = autosave_service.PER_PERSON_AND_APPLICATION, autosave_service.throttle_key(request.user, app)
    if limit.hit(key) > limit.limit:
        return JsonResponse({"ok": False, "throttled": True, "retry_after": limit.window,
                             "message": _("自动保存过于频繁，稍后再试。")}, status=429)
    try:
        drafts.check_editable(request.user, app)
    except DomainError as error:
        return JsonResponse({"ok": False, "error": str(error)}, status=403)

    data, team, conflicts, errors = parse(request.POST, app)
    if not data and team is None and conflicts is None:
        if not errors:
            errors = {"__all__": [_("没有需要保存的内容。")]}
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    try:
        saved = autosave_service.autosave(request.user, app, data=data, team=team, conflicts=conflicts,
                                          lock_version=lock_version_from(request.POST.get("lock_version")))
    except StaleApplication as error:
        app.refresh_from_db()
        changes = drafts.differences(app, data=data, team=team, conflicts=conflicts)
        return JsonResponse({
            "ok": False, "conflict": True, "lock_version": app.lock_version, "message": str(error),
            "changes": [{"label": c.label, "saved": c.before, "yours": c.after} for c in changes],
        }, status=409)
    except (PermissionDenied, InvalidTransition) as error:
        return JsonResponse({"ok": False, "error": str(error)}, status=403)
    except DomainError as error:
        return JsonResponse({"ok": False, "errors": {**errors, "__all__": [str(error)]}}, status=400)
    at = timezone.localtime(saved.updated_at)
    return JsonResponse({"ok": True, "lock_version": saved.lock_version, "saved_at": at.isoformat(),
                         "saved_time": at.strftime("%H:%M"), "errors": errors})


def parse(post, app):
    """(data, team rows or None, conflict rows or None, errors) from the fields sent.

    Only the section forms holding a sent field are built; in them, every field not sent is
    disabled, so Django cleans its stored value (the instance's) instead of a missing one."""
    sent = set(post) - NOT_FIELDS
    data, errors = {}, {}
    for form_class in SECTION_FORMS:
        if not sent & set(form_class.base_fields):
            continue
        form = form_class(post, instance=app, readonly=False)
        mine = [name for name in form.fields if name in sent]
        if not mine:
            continue
        for name, field in form.fields.items():
            if name not in mine:
                field.disabled = True
        form.is_valid()
        for name in mine:
            if name in form.errors:
                errors[name] = [f"{form.fields[name].label}：{message}" for message in form.errors[name]]
            elif name == "joint_applicant_codes":
                data["joint_applicants"] = form.cleaned_data[name]
            else:
                data[name] = form.cleaned_data[name]
        if form.non_field_errors():
            errors.setdefault("__all__", []).extend(form.non_field_errors())
    tables = {}
    for prefix, factory in TABLES:
        if not any(name.startswith(f"{prefix}-") for name in sent):
            tables[prefix] = None
            continue
        formset = factory(post, prefix=prefix, readonly=False)
        if formset.is_valid():
            tables[prefix] = formset.rows()
        else:
            tables[prefix] = None
            messages = list(formset.non_form_errors())
            for row in formset.errors:
                messages.extend(f"{formset.form.base_fields[name].label}：{m}" for name, ms in row.items() for m in ms)
            errors[prefix] = messages or [_("表格内容有误。")]
    return data, tables["team"], tables["conflicts"], errors
