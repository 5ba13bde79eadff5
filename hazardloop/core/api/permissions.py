"""Capability checks for API views, decided by accounts/scoping.py like every page."""

from rest_framework import permissions

from hazardloop.accounts import scoping


class HasCapability(permissions.BasePermission):
    """Reads need the view's `read_capability`, writes its `write_capability`.

    A write to one record is checked only after the record was found in the caller's scope, so
    an id outside it answers 404 whatever the caller's role, as the pages do."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        read = getattr(view, "read_capability", None)
        if read and not scoping.can(user, read):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, request.method.lower(), None) is None:
            return True  # let the view answer 405: the method does not exist for anyone
        if (view.lookup_url_kwarg or view.lookup_field) in view.kwargs:
            return True  # decided in has_object_permission, after the scoped lookup
        return self._may_write(user, view)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return self._may_write(request.user, view)

    @staticmethod
    def _may_write(user, view) -> bool:
        write = getattr(view, "write_capability", None)
        # A view that names no write capability accepts no writes at all.
        return bool(write) and scoping.can(user, write)
