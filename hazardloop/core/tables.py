"""List-page helpers shared by every app: page sizes, stable ordering and the paginator."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .pagination import InvalidCursor, Keyset, ListCount, Window, list_count

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]


def page_size_from(request) -> int:
    """The requested page size if it is one we offer; anything else falls back to the default,
    so a hand-edited URL cannot ask for a million rows."""
    try:
        size = int(request.GET.get("page_size", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def stable(queryset: QuerySet) -> QuerySet:
    """Append the primary key to whatever ordering is in force: ties (same township, same
    head-count) would otherwise shuffle rows between pages."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not any(field.lstrip("-") in {"pk", "id"} for field in map(str, ordering)):
        ordering.append("pk")
    return queryset.order_by(*ordering)


@dataclass
class CursorPage:
    """What a template reads of a keyset window (the counterpart of Django's Page)."""

    object_list: list
    window: Window

    def has_next(self) -> bool:
        return self.window.next_cursor is not None

    def has_previous(self) -> bool:
        return self.window.previous_cursor is not None


@dataclass
class PageResult:
    page: Page | CursorPage
    page_size: int
    page_range: list
    # Set by paginate_large: the count as shown ("1,234", "约 1,000,000", "10,000+").
    count: ListCount | None = None
    window: Window | None = None
    cursor_invalid: bool = field(default=False)

    @property
    def object_list(self):
        return self.page.object_list

    @property
    def by_cursor(self) -> bool:
        return self.window is not None


def paginate(request, queryset: QuerySet, *, count: int | None = None) -> PageResult:
    size = page_size_from(request)
    paginator = Paginator(stable(queryset), size)
    if count is not None:
        paginator.count = count  # already known exactly: spare the second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return PageResult(page=page, page_size=size, page_range=page_range)


def paginate_large(request, queryset: QuerySet, *, large=None) -> PageResult:
    """`paginate` for lists that can hold a district's or a province's rows (see
    core/pagination.py). Page numbers while the count is exact (few rows, so OFFSET is cheap
    and jumping to page 7 is useful); above the threshold keyset windows with first, previous,
    next and last links and a count shown as "约 N" or "10,000+". A list whose ordering is not
    a single key keeps page numbers. `large`, if given, turns the queryset into the one to read
    windows from when the count is over the threshold (a form the database walks in index
    order); the count is always taken on `queryset` as given."""
    count = list_count(queryset)
    if large is not None and not count.exact:
        queryset = large(queryset)
    keyset = Keyset.of(queryset)
    cursor = request.GET.get("cursor") or None
    if keyset is None or (count.exact and cursor is None):
        ordered = keyset.order(queryset) if keyset else queryset
        result = paginate(request, ordered, count=count.value if count.exact else None)
        result.count = count
        return result
    size = page_size_from(request)
    offset = 0
    if cursor is None:
        # A page number typed by hand: honoured, at the price of the rows it skips.
        try:
            offset = max(int(request.GET.get("page", 1)) - 1, 0) * size
        except (TypeError, ValueError):
            offset = 0
    invalid = False
    try:
        window = keyset.window(queryset, size=size, cursor=cursor, offset=offset)
    except InvalidCursor:
        invalid = True
        window = keyset.window(queryset, size=size)
    return PageResult(
        page=CursorPage(object_list=window.rows, window=window),
        page_size=size,
        page_range=[],
        count=count,
        window=window,
        cursor_invalid=invalid,
    )


def apply_ordering(request, queryset: QuerySet, allowed: dict[str, str]) -> QuerySet:
    """Sort by `?ordering=<key>` or `-<key>` for lists whose FilterSet has no OrderingFilter.
    Only whitelisted keys reach order_by, so a URL cannot sort on (and so probe) any field."""
    key = request.GET.get("ordering", "")
    name = key.removeprefix("-")
    if name not in allowed:
        return queryset
    prefix = "-" if key.startswith("-") else ""
    return queryset.order_by(f"{prefix}{allowed[name]}")
