"""The OpenAPI schema and its interactive docs page, which must work under the site's strict CSP
with no network: Swagger UI from our own static files, no inline script or style."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

SIDECAR = "/static/drf_spectacular_sidecar/swagger-ui-dist/"


@pytest.fixture
def client(client, personas):
    # The schema and its docs are shown to signed-in users only.
    client.force_login(personas.enterprise)
    return client


def test_schema_and_docs_are_refused_to_anonymous_visitors(personas):
    from django.test import Client

    anonymous = Client()
    assert anonymous.get("/api/schema/").status_code in (401, 403)
    assert anonymous.get("/api/docs/").status_code in (401, 403)


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert "/api/registry/enterprises/{id}/" in schema["paths"]
    assert set(schema["paths"]["/api/registry/enterprises/"]) == {"get", "post"}
    assert "/api/token/" in schema["paths"]


def test_schema_documents_codes_in_and_names_out(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    components = schema["components"]["schemas"]
    assert components["EnterpriseRequest"]["properties"]["township"]["type"] == "string"
    assert set(components["Enterprise"]["properties"]["township"]["properties"]) == {"code", "name"}
    # Derived fields are the service's to compute, so a client is never invited to send them.
    assert not {"size", "high_risk", "team_size"} & set(components["EnterpriseRequest"]["properties"])
    assert "id_number" not in components["Expert"]["properties"]


def test_docs_page_loads_swagger_ui_from_local_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts, "the page starts no script at all"
    # Every script has a same-origin src, so script-src 'self' suffices and no inline code runs.
    assert all('src="' in attrs for attrs in scripts), "an inline script would need a CSP exception"
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs in scripts]
    assert f"{SIDECAR}swagger-ui-bundle.js" in sources
    assert f"{SIDECAR}swagger-ui-standalone-preset.js" in sources
    assert all(src.startswith("/") and not src.startswith("//") for src in sources)
    assert "<style" not in html
    assert f'href="{SIDECAR}swagger-ui.css"' in html
    assert "cdn" not in html.lower()


def test_docs_page_needs_no_csp_exception(client):
    policy = client.get("/api/docs/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"


def test_docs_start_up_script_is_served_as_javascript(client):
    page = client.get("/api/docs/").content.decode()
    init_src = next(
        src for src in re.findall(r'<script src="([^"]+)"', page) if not src.startswith("/static/")
    )
    response = client.get(init_src.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert "SwaggerUIBundle(" in body
    assert '"/api/schema/"' in body


@pytest.mark.parametrize(
    "asset", ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"]
)
def test_swagger_ui_assets_are_served_locally(client, asset):
    response = client.get(f"{SIDECAR}{asset}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)
