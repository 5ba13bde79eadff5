from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from hazardloop.core.pagination import InvalidCursor, Keyset, list_count


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


class KeysetPagination(StablePageNumberPagination):
    """Page numbers or, with `cursor`, keyset windows; and a count that stays cheap at scale.

    `count` is exact up to core.pagination.COUNT_EXACT_UP_TO rows; above that it is PostgreSQL's
    planner estimate or, on SQLite, the threshold itself, and `count_exact` is false. Page numbers
    read every skipped row (OFFSET), so a deep page of a million rows takes seconds; a client
    walking a large list passes `cursor=` (empty) for the first window and then follows `next`,
    `previous` or `last`, each as cheap as the first page."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.list_count = list_count(queryset)
        if not self.list_count.exact and hasattr(view, "large_rows"):
            # The view's form of a large scope for reading windows (counted as given above).
            queryset = view.large_rows(queryset)
        self.keyset = Keyset.of(queryset)
        self.window = None
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is None or self.keyset is None:
            if self.list_count.exact:
                return self._numbered(queryset, request, view)
            return self._offset(queryset, request)
        try:
            self.window = self.keyset.window(
                queryset, size=self.get_page_size(request) or self.page_size, cursor=cursor or None
            )
        except InvalidCursor as exc:
            raise ValidationError({self.cursor_query_param: [str(exc)]}) from exc
        return self.window.rows

    def _numbered(self, queryset, request, view):
        ordered = self.keyset.order(queryset) if self.keyset else queryset
        # The exact count is known: hand it to the paginator instead of counting again.
        original = self.django_paginator_class
        count = self.list_count.value

        class Counted(original):
            @property
            def count(self):
                return count

        self.django_paginator_class = Counted
        try:
            return super().paginate_queryset(ordered, request, view)
        finally:
            self.django_paginator_class = original

    def _offset(self, queryset, request):
        """Page numbers over a list too large to count: LIMIT size+1 says whether a next page
        exists, without a count."""
        ordered = self.keyset.order(queryset) if self.keyset else with_pk_tiebreak(queryset)
        size = self.get_page_size(request) or self.page_size
        try:
            number = int(request.query_params.get(self.page_query_param, 1))
        except (TypeError, ValueError):
            raise NotFound(_("页码无效。")) from None
        if number < 1:
            raise NotFound(_("页码无效。"))
        rows = list(ordered[(number - 1) * size : number * size + 1])
        if number > 1 and not rows:
            raise NotFound(_("页码无效。"))
        self.offset_page = (number, len(rows) > size)
        self.page = None
        return rows[:size]

    def _url(self, **params):
        url = self.request.build_absolute_uri()
        for name in (self.page_query_param, self.cursor_query_param):
            url = remove_query_param(url, name)
        for name, value in params.items():
            if value is not None:
                url = replace_query_param(url, name, value)
        return url

    def get_next_link(self):
        if self.window is not None:
            nxt = self.window.next_cursor
            return None if nxt is None else self._url(cursor=nxt)
        if self.page is None:
            number, more = self.offset_page
            return self._url(page=number + 1) if more else None
        return super().get_next_link()

    def get_previous_link(self):
        if self.window is not None:
            prev = self.window.previous_cursor
            return None if prev is None else self._url(cursor=prev)
        if self.page is None:
            number, _more = self.offset_page
            if number <= 1:
                return None
            return self._url(page=number - 1) if number > 2 else self._url()
        return super().get_previous_link()

    def get_last_link(self):
        if self.keyset is None:
            return None
        return self._url(cursor=self.keyset.cursor("last"))

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.list_count.value,
                "count_exact": self.list_count.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "last": self.get_last_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_exact", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": "行数：count_exact 为 true 时准确；否则为估计值（PostgreSQL）或阈值下限（SQLite）。",
                },
                "count_exact": {"type": "boolean", "description": "count 是否为精确计数。"},
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "下一页（或下一窗口）链接。",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "上一页链接。",
                },
                "last": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "最后一个窗口的游标链接（按当前排序的末尾行）。",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "键集分页游标：传空值取第一个窗口，之后沿用响应中的 next / previous / last 链接。"
                    "大列表的深页用游标不必跳过前面的行；游标与排序绑定，换排序须从头开始。"
                ),
                "schema": {"type": "string"},
            },
        ]
