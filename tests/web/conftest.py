"""Browser tests: Debian's chromium, driven by Playwright, against a real server node.

Without chromium (or the playwright package) the tests are skipped with the
reason, except under ``CI=true``, where .ci/run installs chromium and its
absence is a failure.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client

from tests.conftest import IN_CI
from tests.live import start_daphne, stop

CHROMIUM = os.environ.get("POKERRT_CHROMIUM", "/usr/bin/chromium")
# The machine's notes: no sandbox in containers, and nothing phoning home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Failure bounds for a busy machine, never how long things should take.
PATIENCE_MS = 60_000


def _missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (requirements-dev.txt)"
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason}; CI=true requires the browser tests to run", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which
    # Django takes for async code; the tests' own database work is plain sync
    # code between browser calls, so Django's guard is lifted while it runs.
    guard = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
            chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if guard is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = guard


def off_the_loop(fn, *args, **kwargs):
    """Run ``fn`` (actions that write and broadcast) in a thread of its own.

    Playwright's sync API keeps an event loop running in the test's thread, and
    the actions' after-commit broadcast (async_to_sync) refuses to run beside one.
    """

    def call():
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@pytest.fixture
def site(browser, transactional_db):
    """A real node on this test's database: its base URL, e.g. ``http://127.0.0.1:41234``."""
    from playwright.sync_api import expect

    expect.set_options(timeout=PATIENCE_MS)
    # The node serves static files from STATIC_ROOT when finders are off (the services profile).
    call_command("collectstatic", interactive=False, verbosity=0)
    proc, port = start_daphne(POKERRT_HAND_INTERVAL_SECONDS="0.5")
    yield f"http://127.0.0.1:{port}"
    stop(proc)


@pytest.fixture
def shots(tmp_path):
    """Save a page's screenshot under the test's output folder."""
    folder = tmp_path / "screenshots"
    folder.mkdir()

    def shoot(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture
def logged_in(browser, site):
    """A browser context logged in as ``user`` (a session made server-side, as a log-in would)."""
    contexts = []

    def open_as(user=None, viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1200, "height": 900})
        context.set_default_timeout(PATIENCE_MS)
        if user is not None:
            client = Client()
            client.force_login(user)
            host = site.split("//")[1].split(":")[0]
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "domain": host, "path": "/"}])
        contexts.append(context)
        return context

    yield open_as
    for context in contexts:
        context.close()


STATIC = Path(__file__).resolve().parents[2] / "static"


def static_modules_page(browser, origin: str, alias: str):
    """A page on ``origin`` where the project's ES modules load as a server would send them, no node needed.

    Returns ``(run, close)``: ``run(body, arg=None, module=...)`` imports
    ``/static/js/<module>.mjs`` as ``alias`` and runs the async ``body``.
    """
    context = browser.new_context()
    page = context.new_page()

    def serve(route):
        path = route.request.url.removeprefix(origin)
        if path.startswith("/static/"):
            route.fulfill(path=str(STATIC / path.removeprefix("/static/")), content_type="text/javascript")
        else:
            route.fulfill(body="<!doctype html><title>modules</title>", content_type="text/html")

    page.route(f"{origin}/**", serve)
    page.goto(f"{origin}/")

    def run(body: str, arg=None, module: str = ""):
        return page.evaluate(
            f"async (arg) => {{ const {alias} = await import('/static/js/{module}.mjs'); {body} }}", arg)

    return run, context.close
