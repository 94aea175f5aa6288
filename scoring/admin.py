"""Admin for rubrics and the expert pool. Saves go through the audit trail (AuditedAdmin); a rubric
in use by a programme is shown read-only and can only be copied."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

import scoring.models as review_models
from portal.admin import AuditedAdmin, ReadOnlyAdmin
from portal.form_text import CleanModelForm
from portal.models import User
from portal.models.users import Role
from portal.services import audit
from portal.services.errors import DomainError
from scoring.models import Band, BonusLevel, Criterion, ExpertProfile, ProgrammeRubric, Rubric, RubricSection
from scoring.services import rubrics as rubric_service
from scoring.services.conflicts import detect_conflicts
from scoring.services.experts import send_invitation


def _rubric_of(obj) -> Rubric | None:
    if obj is None:
        return None
    if isinstance(obj, Rubric):
        return obj
    if isinstance(obj, RubricSection):
        return obj.rubric
    return obj.section.rubric  # Criterion


class FrozenWhenInUse:
    """Read-only (no change, add or delete) once the rubric is linked to a programme."""

    def _frozen(self, obj) -> bool:
        rubric = _rubric_of(obj)
        return rubric is not None and rubric.pk is not None and rubric.is_in_use

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class FrozenInline(FrozenWhenInUse):
    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)


class CheckedRubricAdmin(FrozenWhenInUse, AuditedAdmin):
    """Refuses a save that races with a programme taking the rubric; warns about inconsistencies."""

    def save_model(self, request, obj, form, change):
        rubric = _rubric_of(obj)
        if rubric is not None and rubric.pk is not None and rubric.is_in_use:
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for fault in rubric_service.stored_faults(_rubric_of(form.instance)):
            messages.warning(request, fault)


class SectionInline(FrozenInline, admin.TabularInline):
    model = RubricSection
    extra = 0
    fields = ("order", "code", "name", "points", "note")


@admin.register(Rubric)
class RubricAdmin(CheckedRubricAdmin):
    list_display = ("code", "name", "project_type", "total_points", "bonus_points", "programme_count", "created_at")
    list_filter = ("project_type",)
    search_fields = ("code", "name")
    readonly_fields = ("consistency", "structure")
    inlines = [SectionInline]
    actions = ["copy_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(programme_count=Count("programme_links"))

    @admin.display(description=_("使用的批次数"), ordering="programme_count")
    def programme_count(self, obj):
        return obj.programme_count

    @admin.display(description=_("校验结果"))
    def consistency(self, obj):
        if obj.pk is None:
            return "—"
        faults = rubric_service.stored_faults(obj)
        if not faults:
            return _("一致 (consistent)")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((f,) for f in faults)))

    @admin.display(description=_("评价内容与分档"))
    def structure(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}?section__rubric__id__exact={}">{}</a>',
            reverse("scoring:rubric_detail", args=[obj.pk]), _("查看评分表"),
            reverse("admin:scoring_criterion_changelist"), obj.pk, _("编辑评价内容"),
        )

    @admin.action(description=_("复制所选评分细则"))
    def copy_selected(self, request, queryset):
        for rubric in queryset:
            try:
                copy = rubric_service.copy_rubric(rubric, rubric_service.free_copy_code(rubric), actor=request.user,
                                                  via="admin")
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("已复制为 %(code)s") % {"code": copy.code}, messages.SUCCESS)


class BandInline(FrozenInline, admin.TabularInline):
    model = Band
    extra = 0
    fields = ("order", "min_points", "max_points", "descriptor")


class BonusLevelInline(FrozenInline, admin.TabularInline):
    model = BonusLevel
    extra = 0
    fields = ("value", "label", "description")


@admin.register(Criterion)
class CriterionAdmin(CheckedRubricAdmin):
    list_display = ("code", "name", "max_points", "kind", "section")
    list_filter = ("section__rubric", "kind")
    list_select_related = ("section__rubric",)
    search_fields = ("code", "name")
    inlines = [BandInline, BonusLevelInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":  # no new criteria in a frozen rubric
            kwargs["queryset"] = RubricSection.objects.filter(rubric__programme_links__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ProgrammeRubric)
class ProgrammeRubricAdmin(ReadOnlyAdmin):
    """Read-only here: a programme's rubric is set on /scoring/programmes/<id>/rubric/ (audited, checked)."""

    list_display = ("programme", "rubric", "assigned_by", "assigned_at", "assign_link")
    list_select_related = ("programme", "rubric", "assigned_by")

    @admin.display(description=_("更换"))
    def assign_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("scoring:programme_rubric", args=[obj.programme_id]),
                           _("指定评分细则"))


class ExpertProfileForm(CleanModelForm):
    """The person's name, e-mail and phone are kept on the user; edited here together."""

    name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.EmailField(label=_("邮箱"))
    phone = forms.CharField(label=_("手机"), max_length=32, required=False)

    class Meta:
        model = ExpertProfile
        fields = ("work_unit", "work_unit_credit_code", "title", "expertise", "keywords", "past_employers",
                  "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance.user if self.instance.user_id else None
        if user is not None:
            self.initial.update(name=user.full_name, email=user.email, phone=user.phone)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        others = User.objects.filter(email__iexact=email) | User.objects.filter(username__iexact=email)
        if self.instance.user_id:
            others = others.exclude(pk=self.instance.user_id)
        if others.exists():
            raise forms.ValidationError(_("该邮箱已被平台其他账号使用。"))
        User.username_validator(email)  # the e-mail is the login name
        return email


@admin.register(ExpertProfile)
class ExpertProfileAdmin(AuditedAdmin):
    form = ExpertProfileForm
    list_display = ("name", "work_unit", "title", "email", "is_active")
    list_filter = ("is_active", "expertise")
    list_select_related = ("user",)
    search_fields = ("user__full_name", "work_unit", "keywords", "user__email")
    filter_horizontal = ("expertise",)
    actions = ["resend_invitation"]
    fields = ("name", "email", "phone", "work_unit", "work_unit_credit_code", "title", "expertise", "keywords",
              "past_employers", "is_active")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        new = obj.user_id is None
        user = User(role=Role.EXPERT, username=data["email"]) if new else obj.user
        if new:
            user.set_unusable_password()
        elif user.username.lower() == user.email.lower():
            user.username = data["email"]  # the e-mail is the login name: keep them together
        user.full_name, user.email, user.phone = data["name"], data["email"], data["phone"]
        audit.save_with_audit(request.user, user, "user.create" if new else "user.update",
                              fields=["username", "full_name", "email", "phone", "role"], via="admin")
        obj.user = user
        super().save_model(request, obj, form, change)
        if new:
            send_invitation(user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A new work unit, past employer or e-mail may create conflicts with applications under review.
        detect_conflicts(form.instance, actor=request.user, via="admin")

    @admin.action(description=_("重新发送设置密码邮件（尚未设置密码的专家）"))
    def resend_invitation(self, request, queryset):
        sent = 0
        for profile in queryset.select_related("user"):
            if not profile.user.has_usable_password():
                send_invitation(profile.user)
                sent += 1
        self.message_user(request, _("已发送 %(n)d 封邮件。") % {"n": sent}, messages.SUCCESS)



# --- scores and defence sessions: read-only here; every change goes through scoring.services ---------------

from scoring.models import CriterionScore, DefenceSession, DefenceSlot, Score  # noqa: E402 (appended section)


class ReadOnlyAdminMixin:
    """Shown for inspection only: scoring and defence rules (and their audit rows) live in the services."""
    form = CleanModelForm  # text cleaned at input (portal.form_text)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CriterionScoreInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CriterionScore
    fields = ("criterion", "band", "bonus_level", "points", "comment")
    readonly_fields = fields
    extra = 0


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("assignment", "status", "total", "submitted_at", "updated_at")
    list_filter = ("status", "assignment__application__programme")
    list_select_related = ("assignment__expert__user", "assignment__application")
    search_fields = ("assignment__application__project_name", "assignment__expert__user__full_name")
    inlines = [CriterionScoreInline]


class DefenceSlotInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DefenceSlot
    fields = ("order", "application", "starts_at", "minutes", "attended", "note")
    readonly_fields = fields
    extra = 0


@admin.register(DefenceSession)
class DefenceSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "programme", "starts_at", "ends_at", "place")
    list_filter = ("programme",)
    inlines = [DefenceSlotInline]


# --- conflicts, pledges, panels, assignments, proposals: inspection only; changes go through
# scoring.services (conflicts, pledge, panels, assignment), which check, audit and notify ---------


class ReviewInspectionAdmin(admin.ModelAdmin):
    form = CleanModelForm  # text cleaned at input (portal.form_text)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(review_models.ConflictOfInterest)
class ConflictOfInterestAdmin(ReviewInspectionAdmin):
    list_display = ("expert", "application", "source", "rule", "status", "created_at", "decided_by")
    list_filter = ("source", "status", "rule", "application__programme")
    list_select_related = ("expert__user", "application", "decided_by")
    search_fields = ("expert__user__full_name", "application__project_name", "reason")


@admin.register(review_models.ConfidentialityPledge)
class ConfidentialityPledgeAdmin(ReviewInspectionAdmin):
    list_display = ("expert", "programme", "accepted_at")
    list_filter = ("programme",)
    list_select_related = ("expert__user", "programme")


@admin.register(review_models.Panel)
class PanelAdmin(ReviewInspectionAdmin):
    list_display = ("name", "programme")
    list_filter = ("programme",)


@admin.register(review_models.Assignment)
class AssignmentAdmin(ReviewInspectionAdmin):
    list_display = ("expert", "application", "status", "automatic", "assigned_at", "ended_at")
    list_filter = ("status", "automatic", "application__programme")
    list_select_related = ("expert__user", "application")
    search_fields = ("expert__user__full_name", "application__project_name")


@admin.register(review_models.AssignmentProposal)
class AssignmentProposalAdmin(ReviewInspectionAdmin):
    list_display = ("programme", "seed", "created_at", "applied_at", "seconds")
    list_filter = ("programme",)
