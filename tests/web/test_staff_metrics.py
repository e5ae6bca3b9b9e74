"""The staff metrics dashboard renders live numbers in a real browser, from a real node."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (requirements-dev.txt)")
from playwright.sync_api import expect  # noqa: E402

from tests.metrics.promql import histogram_quantile  # noqa: E402

from .conftest import off_the_loop  # noqa: E402

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

NUMBER = re.compile(r"^\d+(\.\d+)?$")


def test_the_dashboard_shows_numbers_for_a_staff_user(site, logged_in, make_user, shots):
    staff = off_the_loop(make_user, "boss_web", is_staff=True)
    page = logged_in(staff).new_page()
    page.goto(f"{site}/staff/metrics/")
    # A gauge from the first reading; a rate needs a second one.
    expect(page.locator("#now-connections")).to_have_text("0")
    expect(page.locator("#now-events")).to_have_text(NUMBER)
    # when: the page itself opens a socket and sends a command
    page.evaluate("""() => new Promise((resolve) => {
        const socket = new WebSocket(location.origin.replace("http", "ws") + "/ws/");
        window.heldSocket = socket;
        socket.onopen = () => socket.send(JSON.stringify({type: "PING", data: {t: 1}, ref: "p1"}));
        socket.onmessage = () => resolve();
    })""")
    # then: the next readings count it
    expect(page.locator("#now-connections")).to_have_text("1")
    expect(page.locator("#now-commands")).to_have_text(NUMBER)
    expect(page.locator("#legend-commands")).to_have_text("ok")
    expect(page.locator("#metrics-status")).to_have_text(re.compile(r"^Last reading \d\d:\d\d:\d\d UTC$"))
    assert page.locator("canvas").count() == 7
    shots(page, "staff-metrics")


def test_the_page_and_prometheus_agree_on_quantiles(site, logged_in, make_user):
    staff = off_the_loop(make_user, "boss_q", is_staff=True)
    page = logged_in(staff).new_page()
    page.goto(f"{site}/staff/metrics/")
    cases = [
        {"buckets": [[0.1, 50], [0.5, 90], [1.0, 100], ["Infinity", 100]], "q": 0.7},
        {"buckets": [[0.005, 0], [0.01, 10], [0.025, 99], ["Infinity", 100]], "q": 0.99},
        {"buckets": [[1.0, 0], ["Infinity", 10]], "q": 0.5},
    ]
    found = page.evaluate("""async (cases) => {
        const m = await import('/static/js/staff_metrics.mjs');
        return cases.map(({buckets, q}) => m.quantile(q, buckets.map(([le, n]) => [Number(le), n])));
    }""", cases)
    for case, value in zip(cases, found, strict=True):
        expected = histogram_quantile(case["q"], {float(le): n for le, n in case["buckets"]})
        assert value == pytest.approx(expected)
