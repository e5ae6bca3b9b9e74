"""The protocol module's pure rules, run in the browser that runs it (no node needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (requirements-dev.txt)")

STATIC = Path(__file__).resolve().parents[2] / "static"
# No server needed: the browser gets the project's files as a server would send them.
ORIGIN = "http://pokerrt.test"


@pytest.fixture
def protocol(browser):
    context = browser.new_context()
    page = context.new_page()

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN)
        if path.startswith("/static/"):
            route.fulfill(path=str(STATIC / path.removeprefix("/static/")), content_type="text/javascript")
        else:
            route.fulfill(body="<!doctype html><title>protocol</title>", content_type="text/html")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")

    def run(body: str, arg=None):
        return page.evaluate(
            f"async (arg) => {{ const p = await import('/static/js/protocol.mjs'); {body} }}", arg)

    yield run
    context.close()


def test_the_next_event_is_applied_a_repeat_dropped_and_a_gap_or_new_epoch_resubscribes(protocol):
    verdicts = protocol("""
        const cursor = {seq: 7, epoch: "k3"};
        return [8, 7, 3, 9].map((seq) => p.classify(cursor, {seq, epoch: "k3"}))
            .concat([p.classify(cursor, {seq: 8, epoch: "zz"})]);
    """)
    assert verdicts == ["apply", "duplicate", "duplicate", "gap", "gap"]


def test_a_resubscription_resumes_from_the_last_seq_and_epoch_or_asks_for_a_snapshot(protocol):
    assert protocol('return p.resumeData({seq: 42, epoch: "k3"});') == {"since": 42, "epoch": "k3"}
    assert protocol("return p.resumeData({seq: 0, epoch: null});") == {}


def test_reconnect_delays_grow_exponentially_up_to_a_cap_with_jitter(protocol):
    delays = protocol("""
        const low = [0, 1, 2, 3, 10].map((n) => p.backoffDelay(n, {random: () => 0}));
        const high = [0, 1, 2, 3, 10].map((n) => p.backoffDelay(n, {random: () => 0.999999}));
        return {low, high};
    """)
    assert delays["low"] == [250, 500, 1000, 2000, 7500]
    assert delays["high"] == [500, 1000, 2000, 4000, 15000]


def test_every_betting_action_carries_the_hand_and_turn_it_answers(protocol):
    data = protocol("""
        const hand = {hand_id: "31", to_act: {turn: 4}};
        let refused = null;
        try { p.actionData({hand_id: "31", to_act: null}, "check"); } catch (e) { refused = e.message; }
        return {raise: p.actionData(hand, "raise", 600), fold: p.actionData(hand, "fold"), refused};
    """)
    assert data["raise"] == {"action": "raise", "hand_id": "31", "turn": 4, "amount": 600}
    assert data["fold"] == {"action": "fold", "hand_id": "31", "turn": 4}
    assert data["refused"] == "No decision is pending."
