"""Admin site: every save and delete goes through the audit service, like any other path."""

from axes import admin as axes_admin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin, ImportMixin

from portal.form_text import CleanInputMixin, CleanModelForm
from portal.imports import ImportRefused
from portal.models import (
    AuditEntry,
    District,
    Notification,
    Organisation,
    OrganisationMembership,
    Organiser,
    Programme,
    ProjectCategory,
    RecommendingUnit,
    User,
)
from portal.resources import RecommenderUserResource, RecommendingUnitResource
from portal.services import audit

admin.site.site_header = _("质量攻关成果平台管理")
admin.site.site_title = _("质量攻关成果平台管理")


class AuditedAdmin(admin.ModelAdmin):
    """Records each admin change in the audit trail, with before/after of the changed fields. Its
    forms normalise text and check dates like every other form (portal.form_text)."""

    form = CleanModelForm

    def save_model(self, request, obj, form, change):
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        # Kept on the request (the admin instance is shared by every request) for save_related.
        request.audit_before = audit.snapshot(stored) if stored is not None else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        changes = audit.diff(getattr(request, "audit_before", {}), audit.snapshot(obj))
        action = f"{obj._meta.model_name}.{'change' if change else 'create'}"
        audit.record(request.user, action, obj, changes=changes, via="admin")

    def delete_model(self, request, obj):
        audit.record(request.user, f"{obj._meta.model_name}.delete", obj, changes=audit.diff(audit.snapshot(obj), {}),
                     via="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class CappedImportMixin:
    """The import page states why portal.imports refused a file, in its own words."""

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)


class UserChangeForm(CleanInputMixin, auth_forms.UserChangeForm):
    pass


class UserCreationForm(CleanInputMixin, auth_forms.AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(CappedImportMixin, ImportMixin, AuditedAdmin, BaseUserAdmin):
    form = UserChangeForm  # Django's user forms (password fields left exactly as typed), cleaned
    add_form = UserCreationForm
    resource_classes = [RecommenderUserResource]
    list_display = ("username", "full_name", "role", "recommending_unit", "organiser", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("平台角色"), {"fields": ("role", "full_name", "phone", "recommending_unit", "organiser")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("平台角色"), {"fields": ("role", "full_name", "email", "phone", "recommending_unit", "organiser")}),
    )


@admin.register(District)
class DistrictAdmin(AuditedAdmin):
    list_display = ("name", "code", "is_special_area", "order")


@admin.register(ProjectCategory)
class ProjectCategoryAdmin(AuditedAdmin):
    list_display = ("name", "code", "order")


@admin.register(RecommendingUnit)
class RecommendingUnitAdmin(CappedImportMixin, ImportExportMixin, AuditedAdmin):
    resource_classes = [RecommendingUnitResource]
    list_display = ("name", "kind", "district", "parent", "contact_person", "contact_phone", "is_active")
    list_filter = ("kind", "district", "is_active")
    search_fields = ("name",)


@admin.register(Organiser)
class OrganiserAdmin(AuditedAdmin):
    list_display = ("name", "level", "district")


class MembershipInline(admin.TabularInline):
    """The decision on a membership is portal.services.accounts.decide_membership's (permission, audit row,
    notification to the person): the admin shows it and leaves it to the membership-requests page."""

    model = OrganisationMembership
    extra = 0
    fields = ("user", "status", "requested_at", "decided_by", "decided_at")
    readonly_fields = ("status", "requested_at", "decided_by", "decided_at")


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "credit_code", "district", "size", "ownership", "is_specialised")
    list_filter = ("district", "size", "ownership", "strategic_emerging", "is_specialised", "is_little_giant")
    search_fields = ("name", "credit_code")
    inlines = [MembershipInline]


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ("title", "year", "organiser", "level", "project_type", "status", "submission_deadline")
    list_filter = ("year", "level", "project_type", "status")
    filter_horizontal = ("accepted_units",)
    # The status moves only along the workflow (programme page; publication through awards), whose
    # guards a form field would skip: e.g. 已公布 without an approved determination.
    readonly_fields = ("status",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only the services write (audit rows, determinations, rubric links): the admin
    shows them and nothing else."""

    form = CleanModelForm

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only."""

    list_display = ("at", "actor_name", "action", "content_type", "object_repr", "via")
    list_filter = ("action", "content_type", "via")
    search_fields = ("object_repr", "actor_name", "note")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    form = CleanModelForm
    list_display = ("created_at", "recipient", "subject", "read_at")
    readonly_fields = ("created_at",)


# django-axes' login attempts: deleting one unlocks that account at that address. The unlock is a
# state change like any other, so it goes through the audit trail.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AuditedAdmin, axes_admin.AccessAttemptAdmin):
    pass
