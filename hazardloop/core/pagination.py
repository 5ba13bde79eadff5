"""Pagination for lists that reach district and province scale: a count that stays cheap and
keyset (seek) windows that cost the same on the last page as on the first.

- `list_count` counts exactly up to COUNT_EXACT_UP_TO rows; above that it answers "约 N" from
  the PostgreSQL planner's estimate, or "10,000+" where the database has none (SQLite). An exact
  COUNT(*) of a million-row scope is what made the first page of the hazard board take seconds.
- `Keyset` reads the list's ordering (one sort key plus the primary key as tie-breaker, both in
  the same direction so one composite index serves it) and turns a row into a cursor and a
  cursor back into a WHERE clause. No OFFSET: the next, previous and last windows each read only
  the rows they show.

Pages (core.tables.paginate_large) and the API (core.api.pagination.KeysetPagination) share it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
from dataclasses import dataclass
from functools import reduce

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

COUNT_EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class ListCount:
    """How many rows a list holds: `value` is exact, a planner estimate, or the cap."""

    value: int
    exact: bool = True
    estimated: bool = False

    def __str__(self) -> str:
        if self.exact:
            return f"{self.value:,}"
        if self.estimated:
            return _("约 %(n)s") % {"n": f"{self.value:,}"}
        return f"{self.value:,}+"

    def __int__(self) -> int:
        return self.value

    def __eq__(self, other) -> bool:
        # An exact count is just a number, so it compares equal to one (tests, templates).
        if isinstance(other, int) and not isinstance(other, bool):
            return self.exact and self.value == other
        if isinstance(other, ListCount):
            return (self.value, self.exact, self.estimated) == (other.value, other.exact, other.estimated)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.value, self.exact, self.estimated))


def list_count(queryset: QuerySet, *, exact_up_to: int | None = None) -> ListCount:
    """Exact when the list holds at most `exact_up_to` rows (a LIMITed count reads no more than
    that); otherwise PostgreSQL's planner estimate (never below the cap, the rows we know are
    there), or the cap itself on a database without one."""
    if exact_up_to is None:
        exact_up_to = COUNT_EXACT_UP_TO
    bare = queryset.order_by().select_related(None).values("pk")
    seen = bare[: exact_up_to + 1].count()
    if seen <= exact_up_to:
        return ListCount(seen)
    estimate = planner_estimate(bare)
    if estimate is not None:
        return ListCount(max(estimate, exact_up_to + 1), exact=False, estimated=True)
    return ListCount(exact_up_to, exact=False)


def planner_estimate(queryset: QuerySet) -> int | None:
    """The row count PostgreSQL's planner expects for this query (EXPLAIN, nothing run). For an
    unfiltered table this is pg_class.reltuples, kept fresh by autovacuum's ANALYZE."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class InvalidCursor(ValueError):
    """A cursor that was not made by this list with this ordering."""

    def __init__(self) -> None:
        super().__init__(_("分页游标无效或已过期，请从第一页重新开始。"))


@dataclass(frozen=True)
class Window:
    """One keyset window: its rows, and the cursors to the windows beside it (None at an end)."""

    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    first: bool
    last_cursor: str


@dataclass(frozen=True)
class Keyset:
    """One sort key (a concrete field, possibly across relations) and the primary key after it,
    both ascending or both descending. NULLs of a nullable key come last in either direction,
    on every database, so a cursor means the same on SQLite and PostgreSQL."""

    field: str
    descending: bool
    nullable: bool
    to_python: object

    @classmethod
    def of(cls, queryset: QuerySet) -> Keyset | None:
        """The keyset for the ordering in force, or None when it is not one we can seek on
        (several sort keys, expressions): such a list keeps OFFSET pages."""
        query = queryset.query
        ordering = list(query.order_by) if query.order_by else []
        if not ordering and query.default_ordering:
            ordering = list(queryset.model._meta.ordering)
        if not ordering or not all(isinstance(item, str) for item in ordering):
            return None
        names = [item.lstrip("-") for item in ordering]
        pk_names = {"pk", "id", queryset.model._meta.pk.name}
        rest = ordering[1:]
        # "-found_at", or "-found_at", "-id": the key and at most a tie-breaker on the pk.
        if names[0] in pk_names or len(rest) > 1 or (rest and names[1] not in pk_names):
            return None
        field = _resolve(queryset.model, names[0])
        if field is None:
            return None
        return cls(
            field=names[0],
            descending=ordering[0].startswith("-"),
            nullable=field.null,
            to_python=field.to_python,
        )

    @property
    def signature(self) -> str:
        return f"{'-' if self.descending else ''}{self.field}"

    def order(self, queryset: QuerySet, *, reverse: bool = False) -> QuerySet:
        descending = self.descending != reverse
        if self.nullable:
            # Nulls last going forward means nulls first going back.
            nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
            key = OrderBy(F(self.field), descending=descending, **nulls)
        else:
            key = f"{'-' if descending else ''}{self.field}"
        return queryset.order_by(key, "-pk" if descending else "pk")

    def key_of(self, row) -> tuple:
        value = reduce(
            lambda obj, name: None if obj is None else getattr(obj, name), self.field.split("__"), row
        )
        return value, row.pk

    def after(self, key: tuple, *, reverse: bool = False) -> Q:
        """Rows that come after `key` in this ordering (before it, when `reverse`)."""
        value, pk = key
        descending = self.descending != reverse
        nulls_last = not reverse
        later_pk = Q(pk__lt=pk) if descending else Q(pk__gt=pk)
        if value is None:
            condition = Q(**{f"{self.field}__isnull": True}) & later_pk
            return condition if nulls_last else condition | Q(**{f"{self.field}__isnull": False})
        beyond = Q(**{f"{self.field}__{'lt' if descending else 'gt'}": value})
        condition = beyond | (Q(**{self.field: value}) & later_pk)
        if self.nullable and nulls_last:
            return condition | Q(**{f"{self.field}__isnull": True})
        # The same rows, plus a plain range on the key: an OR alone is no index range to SQLite,
        # which then filtered a million rows for the second window (17 s).
        return Q(**{f"{self.field}__{'lte' if descending else 'gte'}": value}) & condition

    # Cursors: base64 of JSON naming the ordering, the direction and the boundary row's key.

    def cursor(self, direction: str, key: tuple | None = None) -> str:
        payload = {"o": self.signature, "d": direction}
        if key is not None:
            payload["k"] = [_plain(key[0]), key[1]]
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple[str, tuple | None]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            payload = json.loads(raw)
            if payload.get("o") != self.signature or payload.get("d") not in {"after", "before", "last"}:
                raise InvalidCursor
            if payload["d"] == "last":
                return "last", None
            value, pk = payload["k"]
            # Only what this module writes: an id a database column can hold, a plain value (a
            # NUL would be a database error on PostgreSQL, not a refusal).
            if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
                raise InvalidCursor
            if not (value is None or isinstance(value, str | int | float)) or "\x00" in str(value):
                raise InvalidCursor
            return payload["d"], (None if value is None else self.to_python(value), pk)
        except (binascii.Error, ValueError, TypeError, KeyError, AttributeError, ValidationError) as exc:
            if isinstance(exc, InvalidCursor):
                raise
            raise InvalidCursor from exc

    def window(self, queryset: QuerySet, *, size: int, cursor: str | None = None, offset: int = 0) -> Window:
        """The window a cursor names (the first when None), or the one at `offset` rows from the
        start for a page number asked for by hand (that path still reads the skipped rows)."""
        direction, key = self.decode(cursor) if cursor else ("after", None)
        forward = self.order(queryset)
        if direction == "after":
            rows_qs = forward.filter(self.after(key)) if key is not None else forward
            rows = list(rows_qs[offset : offset + size + 1])
            more = len(rows) > size
            rows = rows[:size]
            first = key is None and offset == 0
            return Window(
                rows=rows,
                next_cursor=self.cursor("after", self.key_of(rows[-1])) if more else None,
                previous_cursor=None if first or not rows else self.cursor("before", self.key_of(rows[0])),
                first=first,
                last_cursor=self.cursor("last"),
            )
        backward = self.order(queryset, reverse=True)
        if key is not None:
            backward = backward.filter(self.after(key, reverse=True))
        rows = list(backward[: size + 1])
        more = len(rows) > size
        rows = list(reversed(rows[:size]))
        return Window(
            rows=rows,
            next_cursor=None
            if direction == "last" or not rows
            else self.cursor("after", self.key_of(rows[-1])),
            previous_cursor=self.cursor("before", self.key_of(rows[0])) if more else None,
            first=not more,
            last_cursor=self.cursor("last"),
        )


def _resolve(model, path: str):
    """The concrete, non-relational field at the end of `a__b__c`, or None."""
    field = None
    for name in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        model = field.related_model if field.is_relation else None
    if field is None or field.is_relation or not getattr(field, "concrete", False):
        return None
    return field


def _plain(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value
