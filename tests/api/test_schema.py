"""The OpenAPI document generates without a warning, and Swagger UI is served from this site."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from pokerrt.api_docs import with_style_hashes


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
    # Its one inline style block is allowed by hash, not by allowing inline styles.
    policy = page["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    [style_src] = [directive for directive in policy.split(";") if directive.strip().startswith("style-src")]
    for block in re.findall(r"<style>(.*?)</style>", html, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in style_src
    # Each file is there to serve: found by the static files finders (collectstatic
    # gathers them in production; whether this run collected them is not the point).
    for source in sources:
        if source.startswith(settings.STATIC_URL):
            assert finders.find(source.removeprefix(settings.STATIC_URL)), source
        else:
            assert client.get(source).status_code == 200, source


def test_style_hashes_extend_only_style_src():
    policy = "default-src 'self'; style-src 'self'; script-src 'self'"
    assert with_style_hashes(policy, "<p>no style</p>") == policy
    extended = with_style_hashes(policy, "<style>a{}</style>")
    assert extended.startswith("default-src 'self'; style-src 'self' 'sha256-")
    assert extended.endswith("; script-src 'self'")
    assert "style-src 'self' 'sha256-" in with_style_hashes("default-src 'self'", "<style>a{}</style>")
