"""Error answers the project gives itself instead of Django's English defaults.

- `server_error` (handler500): a database that cannot be reached, or a statement cancelled by
  the statement timeout, is not a bug of ours but a passing outage: it answers **503** with a
  `Retry-After`, in JSON on the API (`{"detail": …}`, like every API error) and as the Chinese
  503 page on the site. Anything else keeps the 500 page (JSON on the API). Django calls the
  handler from inside its `except` block, so the exception is still at hand in
  `sys.exc_info()` — also when it was raised in a middleware (the session or the user being
  read), which a view-level `process_exception` would never see.
- `csrf_failure` (CSRF_FAILURE_VIEW): the Chinese 403 page saying what to do (reload, sign in
  again), not Django's English explanation.

Both render without the request context processors: the error may lie there."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def _is_database_outage(exc) -> bool:
    # OperationalError: the server is down, refused or dropped the connection, or cancelled a
    # statement (timeout). InterfaceError: the connection object is already closed.
    return isinstance(exc, OperationalError | InterfaceError)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def server_error(request, *args, **kwargs):
    exc = sys.exc_info()[1]
    if exc is not None and _is_database_outage(exc):
        logger.error("database unavailable: %s", exc)
        if _wants_json(request):
            response = JsonResponse({"detail": _("数据库暂时无法访问，请稍后重试。")}, status=503)
        else:
            response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _wants_json(request):
        return JsonResponse({"detail": _("服务器内部错误，错误已记录，请稍后重试。")}, status=500)
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def csrf_failure(request, reason="", template_name="403_csrf.html"):
    if _wants_json(request):
        return JsonResponse({"detail": _("请求校验失败（CSRF），请刷新页面后重试。")}, status=403)
    return HttpResponse(loader.render_to_string(template_name, request=None), status=403)
