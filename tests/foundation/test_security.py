"""With debug off the defaults are the secure ones; each has a switch for plain HTTP."""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.live import REPO

pytestmark = pytest.mark.django_db

DEPLOY_ENV = {
    "DJANGO_SECRET_KEY": "k7Qv2-XpL9zR4tW8yB1nM6cF3hJ0sD5gA-eU7iO2pZ9xC4vN8bT1qY6wE3rK0lS5",
    "DJANGO_ALLOWED_HOSTS": "poker.example",
}
SWITCHED_OFF = {"POKERRT_SSL_REDIRECT": "0", "POKERRT_SECURE_COOKIES": "0", "POKERRT_HSTS_SECONDS": "0",
                "POKERRT_CSP": "0"}
SECURITY_PROBE = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'redirect': s.SECURE_SSL_REDIRECT, 'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, "
    "'hsts': s.SECURE_HSTS_SECONDS, 'csp': s.POKERRT_CSP, 'proxy': s.SECURE_PROXY_SSL_HEADER}))"
)


def fresh_shell(tmp_path, args, **env):
    """Run ``python args`` with none of the tests' DJANGO_/POKERRT_/service variables, only ``env``."""
    services = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EVENT_BUS_URL"}
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DJANGO_", "POKERRT_")) and k not in services}
    clean.update(DJANGO_SETTINGS_MODULE="pokerrt.settings", POKERRT_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, *args], cwd=REPO, env=clean, capture_output=True, text=True,
                          timeout=120)


def warnings_of_check_deploy(tmp_path, **env):
    result = fresh_shell(tmp_path, ["manage.py", "check", "--deploy"], **env)
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"\(security\.(W\d+)\)", result.stdout + result.stderr))


def test_check_deploy_with_debug_off_finds_no_missing_protection(tmp_path):
    warnings = warnings_of_check_deploy(tmp_path, **DEPLOY_ENV)
    assert not warnings & {"W004", "W008", "W012", "W016", "W009", "W018", "W020"}, warnings
    # Left to the operator, who alone knows the domain: includeSubDomains, preload.
    assert warnings <= {"W005", "W021"}
    assert not warnings_of_check_deploy(
        tmp_path, POKERRT_HSTS_INCLUDE_SUBDOMAINS="1", POKERRT_HSTS_PRELOAD="1", **DEPLOY_ENV
    )


def test_each_protection_can_be_switched_off_for_plain_http(tmp_path):
    warnings = warnings_of_check_deploy(tmp_path, **DEPLOY_ENV, **SWITCHED_OFF)
    assert {"W004", "W008", "W012", "W016"} <= warnings


def security_settings(tmp_path, **env):
    result = fresh_shell(tmp_path, ["-c", SECURITY_PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_on_as_make_run_sets_it_serves_plain_http(tmp_path):
    loaded = security_settings(tmp_path, DJANGO_DEBUG="1")
    assert loaded == {"redirect": False, "session": False, "csrf": False, "hsts": 0, "csp": "", "proxy": None}


def test_debug_off_defaults_and_their_switches(tmp_path):
    secure = security_settings(tmp_path, **DEPLOY_ENV)
    assert secure["redirect"] and secure["session"] and secure["csrf"]
    assert secure["hsts"] == 31536000
    assert "script-src 'self'" in secure["csp"]
    assert security_settings(tmp_path, **DEPLOY_ENV, **SWITCHED_OFF) == {
        "redirect": False, "session": False, "csrf": False, "hsts": 0, "csp": "", "proxy": None}
    assert security_settings(tmp_path, POKERRT_CSP_POLICY="default-src 'none'", **DEPLOY_ENV)["csp"] == (
        "default-src 'none'")


@pytest.mark.parametrize(
    "value, pair",
    [("X-Forwarded-Proto", ["HTTP_X_FORWARDED_PROTO", "https"]),
     ("X-Forwarded-Ssl=on", ["HTTP_X_FORWARDED_SSL", "on"])],
)
def test_the_proxy_ssl_header_is_configurable(tmp_path, value, pair):
    assert security_settings(tmp_path, POKERRT_SECURE_PROXY_SSL_HEADER=value, **DEPLOY_ENV)["proxy"] == pair


def test_plain_http_is_redirected_to_https_but_health_probes_are_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    page = client.get("/")
    assert page.status_code == 301
    assert page["Location"] == "https://testserver/"
    assert client.get("/healthz").status_code == 200
    assert client.get("/", secure=True).status_code == 200


def test_behind_a_tls_proxy_its_header_marks_the_request_secure(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    page = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000"


def test_cookies_are_secure_with_debug_off(client, user):
    assert client.get("/accounts/login/").cookies["csrftoken"]["secure"]
    logged_in = client.post("/accounts/login/", {"username": user.username, "password": user.raw_password})
    assert logged_in.cookies["sessionid"]["secure"]


PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/admin/login/"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_carries_the_policy(client, settings, url):
    page = client.get(url)
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == settings.POKERRT_CSP
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_the_policy_can_be_switched_off(settings):
    settings.POKERRT_CSP = ""
    assert "Content-Security-Policy" not in Client().get("/")


class InlineCode(HTMLParser):
    """What a policy without 'unsafe-inline' would block: inline scripts, styles, handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"{tag} {name}={value!r}")
            if name in ("src", "href") and tag in ("script", "link") and not (value or "").startswith("/"):
                self.found.append(f"{tag} {name}={value!r} from another site")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("url", PAGES)
def test_the_pages_satisfy_the_policy(client, staff_user, url):
    # given: logged in as staff, so the page shows every link and the log-out form
    client.force_login(staff_user)
    page = client.get(url)
    assert page.status_code in (200, 302)
    assert inline_code(page.content.decode()) == []


def test_no_template_has_inline_code():
    for template in sorted((REPO / "templates").rglob("*.html")):
        # Sources are template tags here; the rendered pages above check them.
        found = [f for f in inline_code(template.read_text()) if not f.endswith("from another site")]
        assert found == [], template.name
