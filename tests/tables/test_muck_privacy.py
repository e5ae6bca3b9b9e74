"""Mucked hands stay hidden: scripted showdowns where the losers muck.

Random bot hands almost never muck (an all-in shows every hand), so the
mucked-card side of the privacy rule is exercised here with decks laid out so
that the first hand shown wins and the others cannot: they muck. No mucked
card may then reach a TABLE event, a table snapshot, another player's PLAYER
stream or snapshot, the deck proof's reveals, or another player's hand history.
"""

import re

import pytest
from rest_framework.test import APIClient

from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import event_frame
from tables import actions, live
from tables.engine import verify_deck_proof
from tables.models import Hand, HandStatus
from tables.snapshots import player_seats, table_snapshot

from .helpers import user_at
from .privacy import assert_no_leak, mentioned
from .scripted import cards_of, deal_next

pytestmark = pytest.mark.django_db

BOARD = "2c7d9h4s3d"  # no straight, no flush on the board


def play_script(table, script, viewers):
    """Play ``script`` [(seat, action, amount)] to the hand's end, watching as it goes.

    Returns the hand and what each viewer's snapshots showed along the way:
    ``{"table": [...], user_id: [...]}``.
    """
    hand = actions.do_start_hand(table.pk)
    seen = {"table": [], **{viewer.pk: [] for viewer in viewers}}

    def look():
        seen["table"].append(table_snapshot(str(table.pk)))
        for viewer in viewers:
            seen[viewer.pk].append({"seats": player_seats(viewer)})

    for seat, action, amount in script:
        look()
        assert live.engine_hand(hand).to_act() == seat, f"script out of turn at {seat} {action}"
        actions.do_player_action(user_at(hand, seat), table.pk, action, amount)
    hand.refresh_from_db()
    assert hand.status == HandStatus.ENDED, "the script did not finish the hand"
    look()
    return hand, seen


def hand_frames(target, stream_id, hand):
    return [event_frame(e) for e in Event.objects.filter(target=target, stream_id=str(stream_id)).order_by("seq")
            if e.data.get("hand_id") == str(hand.pk)]


def assert_mucks_stay_hidden(table, hand, *, shown, mucked, viewers, seen):
    dealt = live.engine_hand(hand)
    # given: the mucks really happened
    assert sorted(dealt.mucked) == sorted(mucked)
    assert sorted(dealt.shown_cards()) == sorted(shown)
    hidden = {card for seat in mucked for card in dealt.hole_cards(seat)}
    table_frames = hand_frames("TABLE", table.pk, hand)

    # SHOWDOWN names the mucks and lists only the hands shown
    showdown = [f["data"] for f in table_frames if f["type"] == "SHOWDOWN"]
    assert len(showdown) == 1
    assert sorted(h["seat"] for h in showdown[0]["hands"]) == sorted(shown)
    assert sorted(showdown[0]["mucked"]) == sorted(mucked)
    assert {h["seat"]: h["cards"] for h in showdown[0]["hands"]} == {
        seat: dealt.hole_cards(seat) for seat in shown}

    # no TABLE event of the table and no table snapshot names a mucked card
    everything_public = [event_frame(e) for e in Event.objects.filter(target="TABLE", stream_id=str(table.pk))]
    assert mentioned(everything_public, hidden) == set()
    assert mentioned(seen["table"], hidden) == set()
    assert_no_leak(hand, None, table_frames, "TABLE stream")
    assert_no_leak(hand, None, seen["table"], "table snapshots")

    # the deck proof reveals the board and the hands shown, nothing else
    end = next(f["data"] for f in table_frames if f["type"] == "HAND_END")
    proof = end["deck_proof"]
    revealed = {r["card"] for r in proof["reveals"]}
    assert revealed == set(dealt.board) | {c for seat in shown for c in dealt.hole_cards(seat)}
    assert not revealed & hidden
    assert verify_deck_proof(hand.commitment, proof)
    assert mentioned(hand.result, hidden) == set()

    # each viewer: their own cards are theirs; nobody else's muck reaches them
    client = APIClient()
    for viewer in viewers:
        seat = next((int(n) for n, uid in hand.players.items() if uid == viewer.pk), None)
        theirs = hidden - (set(dealt.hole_cards(seat)) if seat is not None else set())
        private = [event_frame(e) for e in Event.objects.filter(target="PLAYER", stream_id=str(viewer.pk))]
        assert mentioned(private, theirs) == set(), f"PLAYER stream of {viewer}"
        assert mentioned(seen[viewer.pk], theirs) == set(), f"PLAYER snapshots of {viewer}"
        assert_no_leak(hand, seat, hand_frames("PLAYER", viewer.pk, hand), f"PLAYER stream of {viewer}")
        client.force_authenticate(viewer)
        view = client.get(f"/api/hands/{hand.pk}/").json()
        assert mentioned(view, theirs) == set(), f"REST view of {viewer}"
        text = client.get(f"/api/hands/{hand.pk}/history.txt").content.decode()
        assert {card for card in theirs if re.search(rf"\b{card}\b", text)} == set(), f"history of {viewer}"


def test_checked_down_losers_muck_and_their_cards_stay_hidden(table, seated, make_user, monkeypatch):
    # given: seat 2 (first to show: no river bet, first after the button) holds the best hand
    deal_next(monkeypatch, {1: "QdJc", 2: "AsAh", 3: "KdKc"}, BOARD, button=1)
    spectator = make_user("spectator")
    viewers = [*seated, spectator]
    # when: everyone checks it down
    script = [(1, "call", None), (2, "call", None), (3, "check", None)]
    script += [(2, "check", None), (3, "check", None), (1, "check", None)] * 3
    hand, seen = play_script(table, script, viewers)
    # then: seats 3 and 1 cannot beat the aces: they muck
    assert_mucks_stay_hidden(table, hand, shown=[2], mucked=[3, 1], viewers=viewers, seen=seen)
    assert [(w["seat"], w["amount"]) for w in hand.result["winners"]] == [(2, 30)]


def test_callers_of_a_river_bet_muck_and_a_folded_hand_stays_hidden(table, players, monkeypatch):
    for player in players[:4]:
        actions.do_join_table(player, table.pk, 1000)
    deal_next(monkeypatch, {1: "QdJc", 2: "AsAh", 3: "KdKc", 4: "8s8c"}, BOARD, button=1)
    viewers = players[:5]  # the four seated and one who never sat down
    # when: seat 4 folds preflop, seat 2 bets the river and both others call
    script = [(4, "fold", None), (1, "call", None), (2, "call", None), (3, "check", None)]
    script += [(2, "check", None), (3, "check", None), (1, "check", None)] * 2
    script += [(2, "bet", 50), (3, "call", None), (1, "call", None)]
    hand, seen = play_script(table, script, viewers)
    # then: the bettor shows first and wins; the callers muck
    assert_mucks_stay_hidden(table, hand, shown=[2], mucked=[3, 1], viewers=viewers, seen=seen)
    assert [(w["seat"], w["amount"]) for w in hand.result["winners"]] == [(2, 180)]
    folded = set(live.engine_hand(hand).hole_cards(4))
    public = [event_frame(e) for e in Event.objects.filter(target="TABLE", stream_id=str(table.pk))]
    assert mentioned(public, folded) == set()


def test_a_hand_that_can_tie_is_shown_and_only_the_beaten_one_is_mucked(table, seated, monkeypatch):
    # seats 2 and 3 both hold ace-king: the second can tie, so it shows; seat 1 cannot
    deal_next(monkeypatch, {1: "QdJc", 2: "AsKs", 3: "AdKc"}, BOARD, button=1)
    script = [(1, "call", None), (2, "call", None), (3, "check", None)]
    script += [(2, "check", None), (3, "check", None), (1, "check", None)] * 3
    hand, seen = play_script(table, script, seated)
    assert_mucks_stay_hidden(table, hand, shown=[2, 3], mucked=[1], viewers=seated, seen=seen)
    assert sorted((w["seat"], w["amount"]) for w in hand.result["winners"]) == [(2, 15), (3, 15)]


def test_cards_laid_out_are_the_cards_dealt(table, seated, monkeypatch):
    deal_next(monkeypatch, {1: "QdJc", 2: "AsAh", 3: "KdKc"}, BOARD, button=1)
    hand = actions.do_start_hand(table.pk)
    dealt = live.engine_hand(Hand.objects.get(pk=hand.pk))
    assert {seat: dealt.hole_cards(seat) for seat in (1, 2, 3)} == {
        1: cards_of("QdJc"), 2: cards_of("AsAh"), 3: cards_of("KdKc")}
