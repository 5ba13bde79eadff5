"""The API router: every app registers its viewsets here under /api/."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    path("registry/", include("hazardloop.registry.api.urls")),
]
