"""The API docs page in the machine's Chromium: Swagger UI starts under the real CSP, with the
network closed, and lists the registry operations."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from hazardloop.accounts.testing import log_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.two_factor,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_swagger_ui_renders_under_the_csp(open_page, live_server, personas):
    page = open_page()
    log_in_browser(page, live_server.url, "bureau", PASSWORD)  # password, then TOTP
    page.wait_for_url(f"{live_server.url}/")
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    # Anything that tries to leave the machine (a CDN, a validator badge) is a failure too.
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith((live_server.url, "data:")) else outside.append(request.url)
        ),
    )

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=/api/registry/enterprises/", timeout=15000)

    assert page.locator(".opblock").count() >= 15
    assert page.console_errors == []  # a CSP refusal is reported as a console error
    assert outside == []
