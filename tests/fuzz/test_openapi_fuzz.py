"""Fuzz the API from its own OpenAPI schema (schemathesis): no operation answers a 5xx,
whatever the generated path ids, query strings and bodies.

The schema is loaded from the running app (the WSGI application, no server) as the bureau
with an API token, and every GET and POST operation is called with a modest number of
generated cases, so the run takes a minute or two. POSTs go to the test database only.
"""

from __future__ import annotations

from collections import Counter

import pytest

schemathesis = pytest.importorskip("schemathesis")

import hypothesis  # noqa: E402
from django.core import signals  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, Phase  # noqa: E402

from hazardloop.accounts.testing import api_token_key  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES_PER_OPERATION = 25
METHODS = {"GET", "POST"}


@pytest.fixture
def wsgi_app(settings):
    """The project's WSGI app, kept on the test's database connection: Django closes
    connections at each request's start and end, which inside the test's transaction would
    drop the test data (the test client disconnects the same handlers)."""
    from django.core.wsgi import get_wsgi_application

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_no_operation_answers_a_server_error(personas, district, wsgi_app, settings, tmp_path):
    settings.LOGIN_IP_MAX_ATTEMPTS = 0  # the token operation is fuzzed too
    settings.MEDIA_ROOT = tmp_path / "media"
    try:  # a few hazards, when that app's builders are at hand, so hazard routes find data
        from hazardloop.hazards.tests.conftest import Loop

        Loop(personas, district).noticed()
    except Exception:  # noqa: BLE001 — the fuzz must not depend on another app's test helpers
        pass
    auth = {"Authorization": f"Token {api_token_key(personas.bureau)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, headers=auth)

    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in METHODS:
            continue
        operations += 1

        def make(operation):
            @hypothesis.settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @hypothesis.given(case=operation.as_strategy())
            def call(case):
                response = case.call(headers=auth)
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    failures.append(
                        f"{operation.method.upper()} {operation.path} → {response.status_code}: "
                        f"path={case.path_parameters} query={case.query} body={str(case.body)[:200]}"
                    )

            return call

        make(operation)()

    assert operations > 10, "the schema lost its operations"
    # The calls got through: signed in, some found data, and bad input was refused cleanly.
    assert statuses[200] > operations // 2, statuses
    assert statuses[401] == 0, statuses
    assert not failures, "\n".join(dict.fromkeys(failures))
