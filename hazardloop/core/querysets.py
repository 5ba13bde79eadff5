"""The queryset every scoped model uses.

`visible_to(user)` hands the rows to `core.access.scope`, which applies the scoper the model's
app registered from its `access.py`. It lives in `core` so that every app can use it without
importing another domain app (it used to sit in `registry.models` and ask `accounts.scoping`
through a deferred import, which made the cycle accounts → procurement → registry → accounts).
"""

from __future__ import annotations

from django.db import models

from . import access


class ScopedQuerySet(models.QuerySet):
    """`visible_to(user)` asks the one access registry; nothing else decides."""

    def visible_to(self, user):
        return access.scope(self, user)
