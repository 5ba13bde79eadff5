"""Base classes for API viewsets: every queryset is cut down to the caller's scope first."""

from __future__ import annotations

from rest_framework import viewsets

from hazardloop.accounts import scoping

from .permissions import HasCapability


class ScopedViewSetMixin:
    """`get_queryset` hands the class's queryset (with its select_related/prefetch_related) to
    the one scoping module; a record outside the scope is then simply not found (404)."""

    permission_classes = [HasCapability]
    read_capability: str | None = None
    write_capability: str | None = None

    def get_queryset(self):
        return scoping.scope(super().get_queryset(), self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
