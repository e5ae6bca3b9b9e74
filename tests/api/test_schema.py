"""The OpenAPI document generates without a warning, and Swagger UI is served from this site."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command


def test_the_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns every warning and error of drf-spectacular into a failure.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/tables/{table_id}/seat/", "/api/tournaments/{tournament_id}/registration/",
                 "/api/me/ledger/", "/api/structures/{structure_id}/"):
        assert f"{path}:" in text


@pytest.mark.django_db
def test_schema_and_swagger_ui_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    # Every script and style the page loads is this site's: a path, not another host.
    assert all(source.startswith("/") for source in sources), sources
    # No inline script: the page initialises from its own script URL, so the CSP stays strict.
    assert not re.search(r"<script>\s*\S", html)
