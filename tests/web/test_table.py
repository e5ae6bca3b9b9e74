"""The table page in a real browser: two players, a spectator, a dropped socket."""

from __future__ import annotations

import json
import re
import time

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (requirements-dev.txt)")
from playwright.sync_api import expect  # noqa: E402

from lobby.actions import do_create_lobby  # noqa: E402
from tables.actions import do_create_table  # noqa: E402

from .conftest import PATIENCE_MS, off_the_loop  # noqa: E402
from .helpers import (  # noqa: E402
    check_or_call,
    face_down,
    face_up,
    hand_id,
    open_table,
    play_passively_to_the_end,
    sign_up,
    sit_down,
    wait_for_turn,
)

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cash_table(browser, transactional_db):
    def create():
        return do_create_table(do_create_lobby("Browser stakes"), name="Felt 1", max_seats=6, small_blind=5,
                               big_blind=10, min_buy_in=200, max_buy_in=2000)

    return off_the_loop(create)


def test_two_players_sign_up_sit_and_play_a_hand_to_showdown_seeing_only_their_own_cards(
        site, logged_in, cash_table, shots):
    # The spectator watches at a phone's width.
    alice, bob = logged_in().new_page(), logged_in().new_page()
    watcher = logged_in(viewport={"width": 390, "height": 844}).new_page()
    sign_up(alice, site, "alice_web", shoot=shots)
    sign_up(bob, site, "bob_web")
    for page in (alice, bob, watcher):
        open_table(page, site, cash_table.pk)
    sit_down(alice, 1, 1000)
    sit_down(bob, 4, 1000)
    players = {alice: 1, bob: 4}

    # Preflop, once each player holds cards: their own face up, the other's face down.
    first = wait_for_turn([alice, bob])
    for page, mine in players.items():
        other = 4 if mine == 1 else 1
        expect(page.locator(f'.seat[data-seat="{mine}"] .card.face')).to_have_count(2)
        assert face_up(page, other) == [] and face_down(page, other) == 2
    # The spectator sees the same felt without a single hole card.
    expect(watcher.locator('.seat[data-seat="1"] .card.back')).to_have_count(2)
    assert watcher.locator("#seats .card.face").count() == 0
    assert watcher.locator("#actions").is_hidden() and watcher.locator("#seat-controls").is_hidden()
    shots(first, "table-your-turn")
    shots(watcher, "table-spectator")
    alice_cards = face_up(alice, 1)
    bob_cards = face_up(bob, 4)

    # Check or call down to the showdown, by clicking; nobody sees the other's cards until then.
    def street_by_street(page):
        street = page.evaluate("window.pokerrt.view.state.hand.street")
        assert page.locator("#board .card.face").count() == {"preflop": 0, "flop": 3, "turn": 4, "river": 5}[street]
        for viewer, mine in players.items():
            assert face_up(viewer, 4 if mine == 1 else 1) == []
        assert watcher.locator("#seats .card.face").count() == 0

    play_passively_to_the_end([alice, bob], hand_id(alice), street_by_street)

    for page in (alice, bob, watcher):
        expect(page.locator("#last-hand .winner").first).to_be_visible()
    shown = {int(s): cards for s, cards in alice.locator("#last-hand .shown").evaluate_all(
        "els => els.map(e => [e.dataset.seat, [...e.querySelectorAll('.card')].map(c => c.dataset.card)])")}
    assert shown, "a showdown shows at least one hand"
    held = {1: alice_cards, 4: bob_cards}
    for seat, cards in shown.items():
        assert cards == held[seat]
    for page in (bob, watcher):
        expect(page.locator("#last-hand .shown")).to_have_count(len(shown))
    assert watcher.locator("#last-hand").get_attribute("data-hand-id") == alice.locator("#last-hand").get_attribute(
        "data-hand-id")
    shots(alice, "table-showdown")


def same_state(page, fresh) -> dict:
    """The state both pages render, once they agree (events may still be on their way to one of them)."""
    read = "JSON.stringify(window.pokerrt.view.state)"
    deadline = time.monotonic() + PATIENCE_MS / 1000
    while True:
        mine, theirs = json.loads(page.evaluate(read)), json.loads(fresh.evaluate(read))
        if mine == theirs:
            return mine
        assert time.monotonic() < deadline, f"the recovered state {mine} differs from a fresh one {theirs}"
        page.wait_for_timeout(100)


def test_a_socket_cut_mid_hand_reconnects_to_the_exact_state_and_the_player_acts(
        site, logged_in, cash_table, make_user, shots):
    carol, dave = off_the_loop(lambda: (make_user("carol_web"), make_user("dave_web")))
    pages = {carol: logged_in(carol).new_page(), dave: logged_in(dave).new_page()}
    for page in pages.values():
        open_table(page, site, cash_table.pk)
    sit_down(pages[carol], 2, 500)
    sit_down(pages[dave], 5, 500)

    # Mid-hand: the first decision is answered, and its player's connection goes down.
    first = wait_for_turn(list(pages.values()))
    away_user = carol if first is pages[carol] else dave
    away, other = pages[away_user], pages[dave if away_user is carol else carol]
    check_or_call(away)
    seat = 2 if away_user is carol else 5
    cards_before = face_up(away, seat)
    away.context.set_offline(True)
    away.evaluate("window.pokerrt.connection.dropSocket()")
    expect(away.locator("#connection")).to_have_attribute("data-status", "reconnecting")
    shots(away, "table-reconnecting")

    # While it is down the hand goes on: the other player acts until it is the absent player's turn.
    to_act = "() => window.pokerrt.view.state.hand?.to_act?.user.id"
    while other.wait_for_function(to_act).json_value() != str(away_user.pk):
        check_or_call(wait_for_turn([other]))
    missed = other.evaluate("window.pokerrt.view.state.hand.to_act.turn")
    # Still cut off (every retry failed), so those events have to be recovered.
    assert away.evaluate("window.pokerrt.connection.isOpen()") is False
    assert away.evaluate("window.pokerrt.view.state.hand.to_act.user.id") != str(away_user.pk)

    # Back online: the page catches up to exactly what a fresh page of the same player reads.
    away.context.set_offline(False)
    expect(away.locator("#connection")).to_have_attribute("data-status", "open")
    expect(away.locator("#actions")).to_be_visible()
    fresh = away.context.new_page()
    open_table(fresh, site, cash_table.pk)
    state = same_state(away, fresh)
    assert state["hand"]["to_act"]["user"]["id"] == str(away_user.pk) and state["hand"]["to_act"]["turn"] == missed
    assert face_up(away, seat) == cards_before
    fresh.close()

    # A click meant for an earlier decision is refused by the turn guard and changes nothing ...
    refused = away.evaluate("""async () => {
        const h = window.pokerrt.view.state.hand;
        try {
            await window.pokerrt.connection.act(window.pokerrt.view.state.table.id,
                {hand_id: h.hand_id, to_act: {turn: h.to_act.turn - 1}}, "fold");
            return "accepted";
        } catch (error) { return error.code; }
    }""")
    assert refused == "CONFLICT"
    assert away.evaluate("window.pokerrt.view.state.hand.to_act.turn") == missed

    # ... and the player acts, from the keyboard: the hand moves on for both.
    legal = state["hand"]["to_act"]["legal"]
    away.keyboard.press("c")
    expect(other.locator("#hand-log")).to_contain_text(
        f"{away_user.username} {'checks' if 'check' in legal else 'calls'}")

    # Sitting out and coming back: every viewer's felt says so.
    away.click("#sit-out")
    expect(other.locator(f'.seat[data-seat="{seat}"] .tag')).to_contain_text(["sitting out"])
    away.click("#sit-in")
    expect(away.locator("#sit-out")).to_be_visible()
    expect(other.locator(f'.seat[data-seat="{seat}"]')).not_to_have_class(re.compile(r"\bsitting-out\b"))
