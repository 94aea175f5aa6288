"""Admin for the registration step. Changes go through AuditedAdmin, so they are audited like any
other path; the procedure's moves (submit, return) are not offered here on purpose."""

from django.contrib import admin

from portal.admin import AuditedAdmin
from portal.form_text import CleanModelForm

from .models import Application, ApplicationVersion, ConflictDeclaration, Evidence, ReturnComment, TeamMember
from .services.duplicates import refresh_after_edit


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0


class ConflictInline(admin.TabularInline):
    model = ConflictDeclaration
    extra = 0


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("kind", "original_name", "description", "size", "content_type", "uploaded_at", "withdrawn_at")
    readonly_fields = ("original_name", "size", "content_type", "uploaded_at")
    can_delete = False

    def get_queryset(self, request):
        return Evidence.all_objects.select_related("application")

    def has_add_permission(self, request, obj=None):
        return False  # files come in through the checked upload service only


@admin.register(Application)
class ApplicationAdmin(AuditedAdmin):
    list_display = ("project_name", "organisation", "programme", "category", "recommender", "status", "updated_at")
    list_filter = ("status", "programme", "category", "advancement_level", "is_chokepoint", "is_digital")
    search_fields = ("project_name", "organisation__name", "organisation__credit_code")
    list_select_related = ("organisation", "programme", "category", "recommender")
    raw_id_fields = ("organisation", "created_by")
    filter_horizontal = ("joint_applicants",)
    readonly_fields = ("status", "lock_version", "submitted_at", "organisation_snapshot", "created_at", "updated_at")
    inlines = [TeamMemberInline, ConflictInline, EvidenceInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The admin is the one path that changes a submitted application's content outside
        # submission: its duplicate-check fingerprint follows (suspected pairs found or dropped).
        refresh_after_edit(form.instance)


@admin.register(ApplicationVersion)
class ApplicationVersionAdmin(admin.ModelAdmin):
    """Read-only: a submitted version is a record."""
    form = CleanModelForm  # text cleaned at input (portal.form_text)

    list_display = ("application", "number", "created_at", "created_by")
    readonly_fields = ("application", "number", "data", "created_at", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReturnComment)
class ReturnCommentAdmin(admin.ModelAdmin):
    form = CleanModelForm  # text cleaned at input (portal.form_text)
    list_display = ("application", "section", "author", "created_at")
    readonly_fields = ("application", "version", "author", "text", "section", "created_at")

    def has_add_permission(self, request):
        return False
