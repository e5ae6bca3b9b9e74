from django.contrib import admin
from django.urls import include, path

from . import api_urls, health, metrics_views, views
from .accounts import urls as accounts_urls
from .accounts.views import throttled_log_in
from .web import urls as web_urls

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_views.metrics, name="metrics"),
    path("staff/metrics/", metrics_views.dashboard, name="staff_metrics"),
    path("staff/metrics.json", metrics_views.dashboard_json, name="staff_metrics_json"),
    path("accounts/", include(accounts_urls.pages)),
    path("", include(web_urls.pages)),
    path("api/", include(api_urls)),
    # The admin's log-in page is a log-in page too: same limits as ours.
    path("admin/login/", throttled_log_in(admin.site.login)),
    path("admin/", admin.site.urls),
]
