"""Admin of the awards app: read-only records; settings are saved through the service (audited)."""

from django.contrib import admin, messages

from portal.admin import ReadOnlyAdmin
from portal.form_text import CleanModelForm
from portal.services.errors import DomainError

from .models import Award, AwardSettings, Determination, TierOverride
from .services import determination


@admin.register(AwardSettings)
class AwardSettingsAdmin(admin.ModelAdmin):
    form = CleanModelForm  # text cleaned at input (portal.form_text)
    list_display = ["programme", "ranking_statistic", "trim_min_scores", "tier_method"]
    readonly_fields = ["programme"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        try:
            determination.update_settings(request.user, obj.programme, form.cleaned_data, via="admin")
        except DomainError as error:
            messages.error(request, str(error))


@admin.register(Determination)
class DeterminationAdmin(ReadOnlyAdmin):
    list_display = ["programme", "approved_at", "approved_by", "published_at", "published_by"]


@admin.register(TierOverride)
class TierOverrideAdmin(ReadOnlyAdmin):
    list_display = ["application", "tier", "decided_by", "decided_at"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["project_name", "organisation_name", "programme", "tier", "rank", "verification_code"]
    list_filter = ["tier", "programme__year"]
    search_fields = ["project_name", "organisation_name", "verification_code"]
