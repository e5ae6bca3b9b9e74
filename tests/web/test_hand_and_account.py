"""The hand page checks a deck proof in the browser; the account page lists the hand."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (requirements-dev.txt)")
from playwright.sync_api import expect  # noqa: E402

from lobby.actions import do_create_lobby  # noqa: E402
from tables.actions import do_create_table, do_join_table  # noqa: E402
from tests.tables.helpers import fire_now, passive, play_out  # noqa: E402

from .conftest import off_the_loop  # noqa: E402

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ended_hand(browser, transactional_db, make_user):
    """A hand checked down to a showdown, played before the node starts (so it deals no other)."""

    def play():
        table = do_create_table(do_create_lobby("Proof lobby"), name="Proof table", max_seats=2, small_blind=5,
                                big_blind=10, min_buy_in=200, max_buy_in=2000)
        ann, ben = make_user("ann_web"), make_user("ben_web")
        do_join_table(ann, table.pk, 1000)
        do_join_table(ben, table.pk, 1000)
        fire_now(f"table:{table.pk}:next_hand")
        return play_out(table, passive), ann

    return off_the_loop(play)


def test_the_hand_page_verifies_a_deck_proof_and_says_a_tampered_one_does_not_verify(
        ended_hand, site, logged_in, shots):
    hand, ann = ended_hand
    page = logged_in(ann).new_page()
    page.goto(f"{site}/hands/{hand.pk}/")
    verdict = page.locator("#verdict")
    # The board, and the hands shown at the showdown (a beaten hand may be mucked).
    revealed = len(hand.result["deck_proof"]["reveals"])
    assert revealed in (7, 9)
    expect(verdict).to_have_text(
        f"Deck proof verifies: the {revealed} cards shown are the cards committed before the deal.")
    expect(page.locator("#proven li")).to_have_count(revealed)
    expect(page.locator("#history")).to_contain_text("*** SHOW DOWN ***")
    # The replay walks the streets, the board growing with them.
    for name, board in (("Preflop", 0), ("Flop", 3), ("Turn", 4), ("River", 5)):
        page.click("#step-next")
        expect(page.locator("#step-name")).to_contain_text(name)
        expect(page.locator("#replay-board .card.face")).to_have_count(board)
    shots(page, "hand-proof-verifies")

    proof = json.loads(page.locator("#proof-input").input_value())
    tampered = []
    swapped = json.loads(json.dumps(proof))
    shown = {r["card"] for r in swapped["deck_proof"]["reveals"]}
    swapped["deck_proof"]["reveals"][0]["card"] = next(
        f"{r}{s}" for r in "AKQJT98765432" for s in "shdc" if f"{r}{s}" not in shown)
    tampered.append((swapped, "is not the card committed there"))
    leaf = json.loads(json.dumps(proof))
    leaf["deck_proof"]["leaves"][51] = "0" * 64
    tampered.append((leaf, "the leaves do not hash to the deck commitment"))
    for forged, reason in tampered:
        page.fill("#proof-input", json.dumps(forged))
        page.click("#proof-check")
        expect(verdict).to_contain_text("Deck proof does not verify")
        expect(verdict).to_contain_text(reason)
        expect(verdict).to_have_attribute("data-ok", "false")
    shots(page, "hand-proof-tampered")

    # The original proof still verifies after the forgeries.
    page.fill("#proof-input", json.dumps(proof))
    page.click("#proof-check")
    expect(verdict).to_have_attribute("data-ok", "true")

    # My account: the balance, the buy-in in the ledger, the hand linking back here.
    page.goto(f"{site}/account/")
    expect(page.locator("#balance")).to_have_text("9000")
    expect(page.locator("#my-hands tr")).to_have_count(1)
    expect(page.locator("#ledger")).to_contain_text("-1000")
    page.locator("#my-hands a").click()
    expect(page).to_have_url(f"{site}/hands/{hand.pk}/")
    page.goto(f"{site}/account/")
    shots(page, "account")
