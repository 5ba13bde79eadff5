"""The API router: every app registers its viewsets here under /api/."""

from django.urls import include, path

from hazardloop.core.api.auth import ObtainTokenView
from hazardloop.core.api.personal_data import PersonalDataView

urlpatterns = [
    path("token/", ObtainTokenView.as_view(), name="api-token"),
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
