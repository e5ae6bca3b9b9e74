"""No hole card reaches anyone but its owner before the rules show it: events, snapshots, REST."""

import random

import pytest
from rest_framework.test import APIClient

from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import event_frame
from tables import actions, live
from tables.models import Hand, HandStatus
from tables.snapshots import player_seats, table_snapshot

from .helpers import random_bot, user_at
from .privacy import assert_no_leak

pytestmark = pytest.mark.django_db

HANDS = int(__import__("os").environ.get("PRIVACY_HANDS", 200))


def test_two_hundred_bot_hands_leak_no_hole_card(table, make_user, settings):
    rng = random.Random(7)
    bot = random_bot(rng)
    settings.POKERRT_STARTING_BALANCE = 1_000_000  # enough to buy in again and again
    bots = [make_user(f"bot{n}") for n in range(4)]
    spectator = make_user("spectator")
    for player in bots:
        actions.do_join_table(player, table.pk, 2000)
    snapshots: dict[int, list[dict]] = {}
    others: dict[tuple[int, int], list[dict]] = {}  # (hand, user) -> their private frames
    for _ in range(HANDS):
        for seat in table.seats.filter(user__isnull=False, stack__lt=200):
            actions.do_leave_table(seat.user, table.pk)
        for player in bots:  # busted or short: buy in again
            if not table.seats.filter(user=player).exists():
                actions.do_join_table(player, table.pk, 2000)
        hand = actions.do_start_hand(table.pk)
        assert hand is not None
        while hand.status == HandStatus.LIVE:
            snapshots.setdefault(hand.pk, []).append(table_snapshot(str(table.pk)))
            # What a player's own stream snapshot shows them, one player per action in turn.
            player = bots[sum(map(len, others.values())) % len(bots)]
            others.setdefault((hand.pk, player.pk), []).append({"seats": player_seats(player)})
            dealt = live.engine_hand(hand)
            action, amount = bot(dealt.legal_actions(), dealt)
            actions.do_player_action(user_at(hand, dealt.to_act()), table.pk, action, amount)
            hand.refresh_from_db()
    table_frames: dict[str, list[dict]] = {}
    for event in Event.objects.filter(target="TABLE", stream_id=str(table.pk)).order_by("seq"):
        hand_id = event.data.get("hand_id")
        if hand_id:
            table_frames.setdefault(hand_id, []).append(event_frame(event))
    private_frames: dict[tuple[str, str], list[dict]] = {}
    for event in Event.objects.filter(target="PLAYER").order_by("stream_id", "seq"):
        if "hand_id" in event.data:
            private_frames.setdefault((event.stream_id, event.data["hand_id"]), []).append(event_frame(event))
    client = APIClient()
    hands = Hand.objects.filter(table=table)
    assert hands.count() == HANDS
    for hand in hands:
        assert_no_leak(hand, None, table_frames[str(hand.pk)], f"TABLE stream, hand {hand.pk}")
        assert_no_leak(hand, None, snapshots[hand.pk], f"table snapshots, hand {hand.pk}")
        for player in [*bots, spectator]:
            seat = next((int(n) for n, uid in hand.players.items() if uid == player.pk), None)
            private = private_frames.get((str(player.pk), str(hand.pk)), [])
            assert_no_leak(hand, seat, private, f"PLAYER stream of {player}, hand {hand.pk}")
            assert_no_leak(hand, seat, others.get((hand.pk, player.pk), []),
                           f"PLAYER snapshot of {player}, hand {hand.pk}")
            client.force_authenticate(player)
            assert_no_leak(hand, seat, [client.get(f"/api/hands/{hand.pk}/").json()],
                           f"REST view of {player}, hand {hand.pk}", after_showdown=True)
