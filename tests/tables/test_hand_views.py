"""The REST hand views, field by field (mutation testing found their shape unasserted).

``hand_view`` is what a requester may see of a hand; "my hands" is a player's
own index. Both are compared whole against what the database holds, so a
renamed, dropped or wrong field fails here.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from tables import actions, engine, live, snapshots
from tables.api import hand_view
from tables.models import Hand, HandPlayer, HandStatus, TableStatus

from .helpers import passive, play_out

pytestmark = pytest.mark.django_db


def _client_for(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _refs(hand):
    return live.player_refs(hand)


def test_the_view_of_an_ended_hand_is_the_whole_record(table, seated):
    # given: a hand checked and called down to a showdown
    hand = actions.do_start_hand(table.pk)
    dealt = live.engine_hand(hand)
    play_out(table, passive)
    hand.refresh_from_db()
    owner = seated[0]
    mine = next(int(n) for n, uid in hand.players.items() if uid == owner.pk)
    refs = _refs(hand)
    config = engine.HandConfig.from_dict(hand.config)
    # when
    view = hand_view(hand, owner)
    # then
    assert view == {
        "hand_id": str(hand.pk),
        "table_id": str(table.pk),
        "hand_no": 1,
        "status": HandStatus.ENDED,
        "button": hand.button,
        "small_blind": 5,
        "big_blind": 10,
        "ante": 0,
        "started_at": hand.started_at,
        "ended_at": hand.ended_at,
        "seats": [{"seat": n, "user": refs[n], "stack": config.entry(n).stack} for n in dealt.seats],
        "actions": [{"seat": a.seat, "user": refs[a.seat], "action": a.action, "amount": a.amount,
                     "auto": a.auto} for a in hand.actions.order_by("index")],
        "board": hand.result["board"],
        "deck_commitment": hand.commitment,
        "your_seat": mine,
        "your_cards": dealt.hole_cards(mine),
        "shown": [{"seat": int(n), "user": refs[int(n)], "cards": cards}
                  for n, cards in hand.result["shown"].items()],
        "winners": hand.result["winners"],
        "stacks": hand.result["stacks"],
        "deck_proof": hand.result["deck_proof"],
    }
    assert view["shown"], "a checked-down hand goes to showdown"
    assert len(view["actions"]) == hand.actions.count() > 0
    assert len(view["board"]) == 5


def test_the_view_of_a_hand_in_play_has_no_result_yet(table, seated, make_user):
    hand = actions.do_start_hand(table.pk)
    view = hand_view(hand, make_user("rail"))
    assert view["status"] == HandStatus.LIVE and view["ended_at"] is None
    assert view["your_seat"] is None and view["your_cards"] == []
    assert not {"shown", "winners", "stacks", "deck_proof"} & set(view)


def test_history_text_is_of_the_hand_asked_for_and_only_once_it_ended(api_client, table, seated):
    first = actions.do_start_hand(table.pk)
    play_out(table, passive)
    second = actions.do_start_hand(table.pk)
    client = _client_for(api_client, seated[0])
    # a hand in play has no history yet
    assert client.get(f"/api/hands/{second.pk}/history.txt").status_code == 404
    play_out(table, passive)
    for hand in (first, second):
        text = client.get(f"/api/hands/{hand.pk}/history.txt").content.decode()
        assert text.startswith(f"PokerStars Hand #{hand.pk}: "), text.splitlines()[0]


# --- GET /api/me/hands/ -----------------------------------------------------------------------


def test_my_hands_rows_say_which_hand_where_and_the_result(api_client, table, seated):
    for _ in range(2):
        actions.do_start_hand(table.pk)
        play_out(table, passive)
    live_hand = actions.do_start_hand(table.pk)  # dealt in, not ended: not listed
    me = seated[0]
    rows = _client_for(api_client, me).get("/api/me/hands/").json()["hands"]
    played = HandPlayer.objects.filter(user=me, hand__status=HandStatus.ENDED).select_related("hand")
    assert rows == [
        {"hand_id": str(p.hand_id), "table_id": str(table.pk), "table_name": "Test 5/10",
         "hand_no": p.hand.number, "seat": p.seat, "starting_stack": p.starting_stack,
         "final_stack": p.final_stack, "net": p.final_stack - p.starting_stack,
         "ended_at": p.hand.ended_at.isoformat().replace("+00:00", "Z")}
        for p in sorted(played, key=lambda p: -p.hand_id)
    ]
    assert [row["hand_no"] for row in rows] == [2, 1]
    assert str(live_hand.pk) not in {row["hand_id"] for row in rows}
    assert any(row["net"] != 0 for row in rows)


def _ended_hands(table, user, count):
    """``count`` ended hands of ``user`` written directly: the list's paging, not play, is under test."""
    now = timezone.now()
    hands = Hand.objects.bulk_create(
        Hand(table=table, number=n, button=1, config={}, deck={}, players={"1": user.pk}, commitment="-",
             status=HandStatus.ENDED, ended_at=now)
        for n in range(1, count + 1)
    )
    HandPlayer.objects.bulk_create(
        HandPlayer(hand=hand, user=user, seat=1, starting_stack=100, final_stack=100) for hand in hands
    )


@pytest.mark.parametrize(("query", "listed"), [
    ("", 50), ("?limit=1", 1), ("?limit=200", 200), ("?limit=201", 200), ("?limit=5000", 200),
    ("?limit=0", 50), ("?limit=-3", 50), ("?limit=ten", 50), ("?limit=", 50), ("?other=1", 50),
])
def test_my_hands_limit_defaults_to_50_and_caps_at_200(api_client, table, make_user, query, listed):
    me = make_user("grinder")
    _ended_hands(table, me, 201)
    rows = _client_for(api_client, me).get(f"/api/me/hands/{query}").json()["hands"]
    assert len(rows) == listed
    assert rows[0]["hand_no"] == 201  # newest first


# --- What the TABLE stream type tells the core --------------------------------------------------


@pytest.mark.parametrize("event_type", snapshots.CARRY_TO_ACT)
def test_an_event_carrying_to_act_awaits_that_user(event_type):
    data = {"to_act": {"seat": 2, "user": {"id": "17", "username": "ann"}}}
    assert snapshots.awaited_user(event_type, data) == "17"
    assert snapshots.awaited_user(event_type, {"to_act": None}) is None
    assert snapshots.awaited_user(event_type, {}) is None


@pytest.mark.parametrize("event_type", ["HAND_START", "TABLE_UPDATE", "HAND_END", "SHOWDOWN"])
def test_other_events_await_nobody_even_with_to_act(event_type):
    data = {"to_act": {"seat": 2, "user": {"id": "17", "username": "ann"}}}
    assert snapshots.awaited_user(event_type, data) is None


def test_a_table_exists_while_open_and_by_its_canonical_id(table):
    assert snapshots.table_exists(str(table.pk))
    assert not snapshots.table_exists("abc")
    assert not snapshots.table_exists(str(table.pk + 1000))
    table.status = TableStatus.CLOSED
    table.save(update_fields=["status"])
    assert not snapshots.table_exists(str(table.pk))


def test_the_detail_view_answers_the_hand_asked_for(api_client, table, seated):
    first = actions.do_start_hand(table.pk)
    play_out(table, passive)
    second = actions.do_start_hand(table.pk)
    client = _client_for(api_client, seated[0])
    for hand in (first, second):
        view = client.get(f"/api/hands/{hand.pk}/").json()
        assert view["hand_id"] == str(hand.pk) and view["hand_no"] == hand.number
