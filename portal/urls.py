from django.contrib import admin
from django.urls import include, path

from portal.views import accounts, audit, auth, dashboards, health, jobs, language, notifications, programmes

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("healthz/", dashboards.healthz, name="healthz"),  # liveness: the process answers
    path("readyz/", health.readyz, name="readyz"),  # readiness: database, cache, broker, storage, worker
    path("accounts/register/", accounts.register, name="register"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/password_reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password_change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("organisation/<int:pk>/", accounts.organisation_detail, name="organisation_detail"),
    path("membership-requests/", accounts.membership_requests, name="membership_requests"),
    path("membership-requests/<int:pk>/decide/", accounts.decide_membership, name="decide_membership"),
    path("programmes/", programmes.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", programmes.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/transition/<slug:name>/", programmes.programme_transition, name="programme_transition"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("audit/<str:app_label>/<str:model>/<str:object_id>/", audit.audit_for_object, name="audit_for_object"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications_read"),
    path("jobs/<uuid:pk>/", jobs.job_status, name="job_status"),
    path("jobs/<uuid:pk>/download/", jobs.job_download, name="job_download"),
    path("jobs/<uuid:pk>/retry/", jobs.job_retry, name="job_retry"),
    # The language switch also keeps the choice on the account (e-mails go out in it).
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("applications/", include("applications.urls")),
    path("scoring/", include("scoring.urls")),
    path("awards/", include("awards.urls")),
    path("admin/", admin.site.urls),
]
