"""Snapshot before + events == snapshot after, for TABLE streams, over random play."""

import random

import pytest

from pokerrt.realtime.streams import event_frame
from tables import actions, live
from tables.models import HandStatus, Seat
from tables.snapshots import table_snapshot
from tests.realtime.consistency import assert_rules_hold

from .helpers import current_hand, fire_now, random_bot, table_events, user_at
from .table_state import apply

pytestmark = pytest.mark.django_db


def checked(table, step):
    """Run ``step`` and require the events it emitted to carry the snapshot along."""
    before = table_snapshot(str(table.pk))
    seq = table_events(table)[-1].seq
    step()
    state = before
    for event in table_events(table, seq):
        state = apply(state, event_frame(event))
    after = table_snapshot(str(table.pk))
    assert_rules_hold("TABLE", table.pk)
    if state != after:
        diff = {part: (state[part], after[part]) for part in after if state[part] != after[part]}
        raise AssertionError(f"events after seq {seq} do not rebuild the snapshot: (rebuilt, real) {diff}")


def test_table_events_rebuild_the_snapshot_through_random_play(table, players):
    rng = random.Random(20261126)
    bot = random_bot(rng)
    for player, seat in zip(players[:4], (1, 2, 4, 6), strict=True):
        checked(table, lambda p=player, s=seat: actions.do_join_table(p, table.pk, rng.randint(100, 1500), s))
    for _ in range(25):
        if current_hand(table) is None:
            checked(table, lambda: actions.do_start_hand(table.pk))
        hand = current_hand(table)
        if hand is None:  # fewer than two can play: bring someone back
            for seat in Seat.objects.filter(table=table, user__isnull=False):
                if seat.stack and seat.status != "active":
                    checked(table, lambda u=seat.user: actions.do_sit_in(u, table.pk))
            for player in players:
                if not Seat.objects.filter(user=player).exists() and rng.random() < 0.5:
                    checked(table, lambda p=player: actions.do_join_table(p, table.pk, 500))
            continue
        while hand.status == HandStatus.LIVE:
            dealt = live.engine_hand(hand)
            roll = rng.random()
            if roll < 0.05:
                checked(table, lambda: fire_now(f"table:{table.pk}:action"))
            elif roll < 0.08:
                seated = [s for s in Seat.objects.filter(table=table, user__isnull=False)]
                victim = rng.choice(seated).user
                checked(table, lambda u=victim: actions.do_sit_out(u, table.pk))
            elif roll < 0.10:
                victim = rng.choice([s for s in Seat.objects.filter(table=table, user__isnull=False)]).user
                checked(table, lambda u=victim: actions.do_player_disconnected(u))
                checked(table, lambda u=victim: actions.do_player_reconnected(u))
            else:
                action, amount = bot(dealt.legal_actions(), dealt)
                checked(table, lambda a=action, m=amount, h=hand, d=dealt: actions.do_player_action(
                    user_at(h, d.to_act()), table.pk, a, m))
            hand.refresh_from_db()
        if rng.random() < 0.2:
            leaver = rng.choice([s for s in Seat.objects.filter(table=table, user__isnull=False)]).user
            checked(table, lambda u=leaver: actions.do_leave_table(u, table.pk))
    assert table_events(table)[-1].seq > 200


def test_player_events_rebuild_the_player_snapshot(table, players, lobby):
    from tests.realtime.consistency import assert_events_replay

    ann, ben = players[0], players[1]
    other = actions.do_create_table(lobby, "Second", small_blind=5, big_blind=10, min_buy_in=100)
    # buy-ins: seats appear, the balance drops
    assert_events_replay("PLAYER", ann.pk, ann, lambda: actions.do_join_table(ann, table.pk, 600))
    assert_events_replay("PLAYER", ann.pk, ann, lambda: actions.do_join_table(ann, other.pk, 300))
    actions.do_join_table(ben, table.pk, 600)
    # the deal: ann's cards on her seat; the hand's end clears them
    assert_events_replay("PLAYER", ann.pk, ann, lambda: actions.do_start_hand(table.pk))
    assert_events_replay("PLAYER", ann.pk, ann, lambda: play_rest(table, current_hand(table)))
    # cash-out: the seat goes, the balance comes back
    assert_events_replay("PLAYER", ann.pk, ann, lambda: actions.do_leave_table(ann, other.pk))


def play_rest(table, hand):
    """Check or call to the end of the hand."""
    while True:
        hand.refresh_from_db()
        if hand.status != HandStatus.LIVE:
            return
        dealt = live.engine_hand(hand)
        seat = dealt.to_act()
        actions.do_player_action(user_at(hand, seat), table.pk, "call" if dealt.to_call(seat) else "check")
