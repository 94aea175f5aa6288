"""Building the form page: the section forms, the two formsets and what the tabs show."""

from django import forms as django_forms
from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from portal.services.choices import cached_choices

from ..forms import (
    SECTION_FORMS,
    ConflictForm,
    ConflictFormSetFactory,
    EvidenceForm,
    ReturnForm,
    TeamFormSetFactory,
    TeamMemberForm,
)
from ..models import ApplicationStatus, ConflictDeclaration, Evidence, EvidenceKind, Section, TeamMember
from ..permissions import may_edit_application
from ..services.completeness import completeness_check
from ..services.eligibility import eligibility_warnings
from ..services.figures import economic_growth
from ..services.filetypes import ACCEPT_ATTRIBUTE
from ..workflow import APPLICATION_WORKFLOW


def can_edit(user, app) -> bool:
    return app.is_editable and bool(may_edit_application(user, app))


def shown_warnings(user, app) -> list:
    """Eligibility warnings are for the applicant's members and the administrator (who decides);
    not for recommenders, who judge the project on its merits."""
    if may_edit_application(user, app) or user.is_superuser or user.role == "administrator":
        return eligibility_warnings(app)
    return []


def tab_from(request) -> str:
    """The tab to open (?tab= or the posted hidden field), defaulting to the first."""
    tab = request.POST.get("tab") or request.GET.get("tab") or Section.BASIC
    return tab if tab in Section.values else Section.BASIC


def prefetch_page(app) -> None:
    """The rows the page reads several times (the forms, the completeness check, the evidence tab,
    the joint applicants), one query each; .all() on these relations then reads the cache. For a
    view's own freshly read application only (the cache is not refreshed by later saves)."""
    # The models' default orderings, less their leading "application" (one application here), which
    # would join and sort by the application's own ordering for nothing.
    prefetch_related_objects(
        [app], "joint_applicants",
        Prefetch("team_members", queryset=TeamMember.objects.order_by("order", "id")),
        Prefetch("conflicts", queryset=ConflictDeclaration.objects.order_by("id")),
        Prefetch("evidence", queryset=Evidence.objects.order_by("kind", "uploaded_at", "id")),
    )


def build_forms(app, data=None, *, readonly: bool):
    """The five section forms plus the team and conflict formsets, bound to ``data`` on POST.

    A bound, editable formset shows and cleans what was posted, so the stored rows are only read
    to show the page (or as the values of disabled fields)."""
    stored = data is None or readonly
    sections = [form_class(data, instance=app, readonly=readonly) for form_class in SECTION_FORMS]
    team_initial = [{c: getattr(m, c) for c in m.COLUMNS} | {"ORDER": m.order}
                    for m in app.team_members.all()] if stored else None
    team = TeamFormSetFactory(data, initial=team_initial, prefix="team", readonly=readonly)
    conflict_initial = [{c: getattr(x, c) for c in x.COLUMNS} for x in app.conflicts.all()] if stored else None
    conflicts = ConflictFormSetFactory(data, initial=conflict_initial, prefix="conflicts", readonly=readonly)
    return sections, team, conflicts


def fetch_choices(form) -> None:
    """Sets the options of the form's model choice fields from the option-list cache (a
    ModelChoiceField would read its queryset at every render: on PostgreSQL a server-side cursor,
    three round trips). The section forms' querysets depend only on the programme, hence the key.
    Validation still looks values up in the queryset."""
    for name, field in form.fields.items():
        if type(field) is django_forms.ModelChoiceField:
            key = f"{type(form).__name__}.{name}:{form.instance.programme_id}"
            options = cached_choices(key, lambda f=field: ((obj.pk, f.label_from_instance(obj)) for obj in f.queryset))
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            field.choices = empty + options


def first_tab_with_errors(sections, team, conflicts) -> str:
    for form in sections:
        if form.errors:
            return form.section
    if team.errors or team.non_form_errors():
        return Section.TEAM
    if conflicts.errors or conflicts.non_form_errors():
        return Section.SIGNOFF
    return Section.BASIC


SAME_RETURN_SECONDS = 5  # the comments of one return, one per ticked section, are saved together


def unique_comments(comments) -> list:
    """One entry per return comment, however many sections it was ticked for: same text, author
    and time (within seconds). Each keeps ``concerns``, the labels of its sections, in form order."""
    order = list(Section.values)
    merged = []
    for comment in sorted(comments, key=lambda c: (c.created_at, c.pk)):
        same = next((m for m in merged if m.text == comment.text and m.author_id == comment.author_id
                     and abs((comment.created_at - m.created_at).total_seconds()) <= SAME_RETURN_SECONDS), None)
        if same is None:
            comment.sections = []
            merged.append(same := comment)
        if comment.section and comment.section not in same.sections:
            same.sections.append(comment.section)
    for comment in merged:
        comment.concerns = [Section(s).label for s in sorted(comment.sections, key=order.index)]
    return sorted(merged, key=lambda c: (c.created_at, c.pk), reverse=True)


def evidence_kind_names(missing) -> str:
    """The kinds a missing-evidence item asks for ("签章页", "检测报告/鉴定报告/检索报告"), read from its
    message so the rule stays in services.completeness; the message itself if it names none."""
    names = [label for _value, label in EvidenceKind.choices if str(label) in missing.message]
    return "/".join(str(n) for n in names) or missing.message


def page_context(request, app, sections, team, conflicts, *, tab: str) -> dict:
    user = request.user
    editable = can_edit(user, app)
    # The page shows the latest version's number only: its data (the whole form as submitted) stays unread.
    # A draft has none (versions are written at submission, and no move leads back to 草稿): no query.
    latest = None if app.status == ApplicationStatus.DRAFT else (
        app.versions.defer("data").order_by("-number").first())
    comments = {}
    if app.status == ApplicationStatus.RETURNED:
        # The comments of the latest return, beside the sections they concern; "general" is the
        # overall list at the top of the page, where a comment ticked for two sections shows once.
        rows = list(app.return_comments.filter(version=latest).select_related("author"))
        for comment in rows:
            if comment.section:
                comments.setdefault(comment.section, []).append(comment)
        if rows:
            comments["general"] = unique_comments(rows)
    missing = completeness_check(app) if editable else []
    evidence_missing = [m for m in missing if m.section == Section.EVIDENCE]
    forms = {form.section: form for form in sections}
    for form in sections:
        fetch_choices(form)
    evidence = list(app.evidence.all())
    return_transition = APPLICATION_WORKFLOW.get("return")
    return {
        "application": app,
        "programme": app.programme,
        "tab": tab,
        "tabs": [
            {"key": key, "label": label, "missing": sum(1 for m in missing if m.section == key),
             "missing_names": [evidence_kind_names(m) for m in evidence_missing] if key == Section.EVIDENCE else [],
             "comments": len(comments.get(key, []))}
            for key, label in Section.choices
        ],
        "forms": forms,
        "team_formset": team,
        "conflict_formset": conflicts,
        "editable": editable,
        "readonly": not editable,
        "missing": missing,
        "evidence_missing": [(evidence_kind_names(m), m.message) for m in evidence_missing],
        "warnings": shown_warnings(user, app),
        "growth": economic_growth(app),
        "comments": comments,
        "team_headers": [f.label for f in TeamMemberForm.base_fields.values()],
        "conflict_headers": [f.label for f in ConflictForm.base_fields.values()],
        "evidence_list": evidence,
        "evidence_used": sum(item.size for item in evidence),
        "evidence_file_limit": settings.EVIDENCE_MAX_FILE_BYTES,
        "evidence_total_limit": settings.EVIDENCE_MAX_TOTAL_BYTES,
        "evidence_accept": ACCEPT_ATTRIBUTE,
        "evidence_form": EvidenceForm() if editable else None,
        "return_form": ReturnForm() if app.status in return_transition.sources
        and return_transition.allowed(user, app) else None,
        "now": timezone.now(),
        "submit_transitions": APPLICATION_WORKFLOW.available(app.status, user, app) if editable else [],
        "latest_version": latest,
    }
