"""List-page helpers shared by every app: page sizes, stable ordering and the paginator."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

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
class PageResult:
    page: Page
    page_size: int
    page_range: list

    @property
    def object_list(self):
        return self.page.object_list


def paginate(request, queryset: QuerySet) -> PageResult:
    size = page_size_from(request)
    paginator = Paginator(stable(queryset), size)
    page = paginator.get_page(request.GET.get("page"))
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return PageResult(page=page, page_size=size, page_range=page_range)


def apply_ordering(request, queryset: QuerySet, allowed: dict[str, str]) -> QuerySet:
    """Sort by `?ordering=<key>` or `-<key>` for lists whose FilterSet has no OrderingFilter.
    Only whitelisted keys reach order_by, so a URL cannot sort on (and so probe) any field."""
    key = request.GET.get("ordering", "")
    name = key.removeprefix("-")
    if name not in allowed:
        return queryset
    prefix = "-" if key.startswith("-") else ""
    return queryset.order_by(f"{prefix}{allowed[name]}")
