"""The API router: every app registers its viewsets here under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from hazardloop.accounts.api import ApiTokenViewSet
from hazardloop.core.api.auth import ObtainTokenView
from hazardloop.core.api.personal_data import PersonalDataView

_tokens = SimpleRouter()
_tokens.register("tokens", ApiTokenViewSet, basename="api-tokens")

urlpatterns = [
    path("token/", ObtainTokenView.as_view(), name="api-token"),
    *_tokens.urls,
    path("personal-data/<str:label>/<int:pk>/", PersonalDataView.as_view(), name="api-personal-data"),
    path("registry/", include("hazardloop.registry.api.urls")),
    path("hazards/", include("hazardloop.hazards.api.urls")),
    path("inspections/", include("hazardloop.inspections.api.urls")),
    path("enforcement/", include("hazardloop.enforcement.api.urls")),
    path("meetings/", include("hazardloop.meetings.api.urls")),
    path("procurement/", include("hazardloop.procurement.api.urls")),
    path("analytics/", include("hazardloop.analytics.api.urls")),
    path("evaluation/", include("hazardloop.evaluation.api.urls")),
]
