"""Snapshot before + events == snapshot after, for TOURNAMENT streams and the PLAYER streams of their players."""

import pytest

from pokerrt.accounts.actions import wallet_of
from tests.realtime.consistency import assert_events_replay, snapshot_at
from tournament import actions

pytestmark = pytest.mark.django_db


def test_each_action_s_tournament_events_rebuild_the_snapshot(sng, players):
    def replay(do):
        return assert_events_replay("TOURNAMENT", sng.pk, None, do)

    replay(lambda: actions.do_register(players[0], sng.pk))
    replay(lambda: actions.do_register(players[1], sng.pk))
    replay(lambda: actions.do_register(players[2], sng.pk))
    replay(lambda: actions.do_unregister(players[1], sng.pk))
    replay(lambda: actions.do_update_tournament(sng.pk, name="Renamed", structure="regular", max_players=9,
                                                payout_structure="winner_takes_all"))
    replay(lambda: actions.do_register(players[1], sng.pk))
    events = replay(lambda: actions.do_cancel_tournament(sng.pk))
    assert [e["type"] for e in events] == ["TOURNAMENT_END"]
    _, state = snapshot_at("TOURNAMENT", str(sng.pk), None)
    assert state["players"] == [] and state["tournament"]["status"] == "cancelled"


def test_the_snapshot_lists_players_in_registration_order_with_the_payouts(sng, players):
    for player in players[:3]:
        actions.do_register(player, sng.pk)
    _, state = snapshot_at("TOURNAMENT", str(sng.pk), None)
    assert [p["user"]["username"] for p in state["players"]] == ["ann", "ben", "cat"]
    assert state["payouts"] == [{"position": 1, "prize": 195}, {"position": 2, "prize": 105}]
    assert (state["level"], state["next_level_at"], state["on_break"], state["tables"]) == (0, None, False, [])
    assert state["tournament"]["prize_pool"] == 300 and state["tournament"]["registered"] == 3
    assert len(state["structure"]) == 20


def test_a_player_s_registrations_and_balance_follow_their_player_events(sng, players, lobby):
    ann = players[0]
    other = actions.do_create_tournament(lobby, "Other", buy_in=40, fee=4)

    def replay(do):
        return assert_events_replay("PLAYER", ann.pk, ann, do)

    replay(lambda: actions.do_register(ann, sng.pk))
    replay(lambda: actions.do_register(ann, other.pk))
    _, state = snapshot_at("PLAYER", str(ann.pk), ann)
    assert [r["tournament_id"] for r in state["registrations"]] == [str(sng.pk), str(other.pk)]
    replay(lambda: actions.do_unregister(ann, sng.pk))
    replay(lambda: actions.do_cancel_tournament(other.pk))
    _, state = snapshot_at("PLAYER", str(ann.pk), ann)
    assert state["registrations"] == [] and state["balance"] == wallet_of(ann).balance
