"""A registered player's connection is told on the TOURNAMENT stream, once each way (PROTOCOL.md section 6, Player)."""

import pytest

from pokerrt.realtime import presence
from pokerrt.realtime.models import Event
from tournament import actions

pytestmark = pytest.mark.django_db


def told(tournament, *types):
    return [(e.type, e.data) for e in Event.objects.filter(target="TOURNAMENT", stream_id=str(tournament.pk),
                                                            type__in=types).order_by("seq")]


def test_a_registered_player_going_and_coming_back_is_told_once_each_way(sng, players):
    ann = players[0]
    actions.do_register(ann, sng.pk)
    actions.do_player_disconnected(ann)
    actions.do_player_disconnected(ann)  # a second close changes nothing
    actions.do_player_reconnected(ann)
    actions.do_player_reconnected(ann)
    user = {"id": str(ann.pk), "username": ann.username}
    assert told(sng, "PLAYER_DISCONNECT", "PLAYER_RECONNECT") == [
        ("PLAYER_DISCONNECT", {"user": user}), ("PLAYER_RECONNECT", {"user": user})]


def test_a_seated_player_is_told_with_their_table(sng, players):
    for player in players:
        actions.do_register(player, sng.pk)  # full: the sit-and-go starts
    ann = players[0]
    ann_entry = sng.entries.get(user=ann)
    actions.do_player_disconnected(ann)
    [(_, data)] = told(sng, "PLAYER_DISCONNECT")
    assert data["table_id"] == str(ann_entry.table_id)


def test_nobody_is_told_of_a_player_not_in_the_tournament_or_of_a_finished_one(sng, players, lobby):
    ann, ben = players[0], players[1]
    actions.do_register(ben, sng.pk)
    actions.do_unregister(ben, sng.pk)
    cancelled = actions.do_create_tournament(lobby, "Cancelled")
    actions.do_register(ann, cancelled.pk)
    actions.do_cancel_tournament(cancelled.pk)
    for player in (ann, ben):
        actions.do_player_disconnected(player)
        actions.do_player_reconnected(player)
    assert told(sng, "PLAYER_DISCONNECT", "PLAYER_RECONNECT") == []
    assert told(cancelled, "PLAYER_DISCONNECT", "PLAYER_RECONNECT") == []


def test_the_presence_hooks_run_these_actions():
    hooks = [(hook.on_first_connect, hook.on_last_disconnect) for hook in presence._hooks]
    assert (actions.do_player_reconnected, actions.do_player_disconnected) in hooks
