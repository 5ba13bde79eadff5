from rest_framework.pagination import PageNumberPagination


class StablePageNumberPagination(PageNumberPagination):
    """Page numbers with a client-chosen size, capped so that one call cannot pull a province."""

    page_size_query_param = "page_size"
    max_page_size = 500
