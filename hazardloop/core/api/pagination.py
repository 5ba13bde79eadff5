from rest_framework.pagination import PageNumberPagination


class StablePageNumberPagination(PageNumberPagination):
    """Page numbers with a client-chosen size, capped so that one call cannot pull a province.

    Rows that tie on the requested ordering (two enterprises in one township) would otherwise come
    back in whatever order the database likes, so a row could appear on two pages and another on
    none; the primary key is appended as the last sort key to make every page deterministic."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        return super().paginate_queryset(with_pk_tiebreak(queryset), request, view)


def with_pk_tiebreak(queryset):
    query = queryset.query
    ordering = list(query.order_by) if query.order_by else []
    if not ordering and query.default_ordering:
        ordering = list(queryset.model._meta.ordering)
    names = {item.lstrip("-") for item in ordering if isinstance(item, str)}
    if names & {"pk", "id"}:
        return queryset
    return queryset.order_by(*ordering, "pk")
