from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from hazardloop.analytics import views as analytics_views
from hazardloop.core import views as core_views
from hazardloop.core.api.docs import SwaggerDocsView

urlpatterns = [
    path("", analytics_views.workbench, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("hazardloop.accounts.urls")),
    path("registry/", include("hazardloop.registry.urls")),
    path("hazards/", include("hazardloop.hazards.urls")),
    path("inspections/", include("hazardloop.inspections.urls")),
    path("enforcement/", include("hazardloop.enforcement.urls")),
    path("meetings/", include("hazardloop.meetings.urls")),
    path("procurement/", include("hazardloop.procurement.urls")),
    path("analytics/", include("hazardloop.analytics.urls")),
    path("evaluation/", include("hazardloop.evaluation.urls")),
    path("onboarding/", include("hazardloop.onboarding.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("hazardloop.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

# A database outage answers 503 (JSON on the API), other failures the Chinese 500 page.
handler500 = "hazardloop.core.errorpages.server_error"

# Uploaded files are never served from MEDIA_URL, not even in development: evidence is private
# and every download goes through a view that checks the viewer's scope (hazards:attachment).
