"""The statements of the hot path, pinned: a regression shows here as a count, not as a slower benchmark.

Counts are deterministic where timings are not. Savepoints are left out (the
test's own transaction turns each action's into one); each list names what a
statement is for, so a change that adds one says which.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tables import actions, live

from .helpers import current_hand, user_at

pytestmark = pytest.mark.django_db

STATEMENT = re.compile(r'^(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s.*?"?(\w+)"?[\s.(]', re.S)


def statements(run) -> list[tuple[str, str]]:
    """(verb, table) of each statement ``run()`` sends, savepoints left out."""
    with CaptureQueriesContext(connection) as queries:
        run()
    found = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            continue
        match = STATEMENT.match(sql)
        assert match, sql
        verb = match.group(1).split()[0]
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql).group(1)
        found.append((verb, table))
    return found


def _act(table, choose):
    hand = current_hand(table)
    dealt = live.engine_hand(hand)
    action, user = choose(dealt.legal_actions()), user_at(hand, dealt.to_act())
    return lambda: actions.do_player_action(user, table.pk, action)


def reads_of_an_action() -> list[tuple[str, str]]:
    """The table locked, the hand in play (its engine state is cached) and the player's seat.

    One statement where the transaction is the lock (SQLite); where the
    table row is (PostgreSQL), the lock comes first in a statement of its own
    (rows joined to a locked row are read from before the wait for its lock),
    tables.actions.base.locked_table_with_seat.
    """
    if connection.features.has_select_for_update:
        return [("SELECT", "tables_table"), ("SELECT", "tables_table")]  # the lock, then the joined read
    return [("SELECT", "tables_table")]  # joined to the live hand and the player's seat


def test_a_betting_action_is_five_statements_on_sqlite_six_on_postgresql(table, seated):
    actions.do_start_hand(table.pk)
    call = _act(table, lambda legal: "call")
    assert statements(call) == [
        *reads_of_an_action(),
        ("INSERT", "tables_handaction"),  # the action log
        ("UPDATE", "tables_hand"),  # the action counter and the clock's deadline
        # No timer write: the one set at the deal goes off first and is set again then.
        ("UPDATE", "realtime_stream"),  # the TABLE stream's seqs
        ("INSERT", "realtime_event"),  # the events, one insert
    ]


def test_dealing_a_hand_reads_the_seats_and_their_players_once(table, seated, settings):
    # given: a hand played before (the action clock's deadline row exists), the next not dealt yet
    settings.POKERRT_TABLES = {**settings.POKERRT_TABLES, "HAND_INTERVAL_SECONDS": 5}
    actions.do_start_hand(table.pk)
    _act(table, lambda legal: "fold")()
    _act(table, lambda legal: "fold")()
    assert current_hand(table) is None
    found = statements(lambda: actions.do_start_hand(table.pk))
    assert found == [
        ("SELECT", "tables_table"),
        ("SELECT", "tables_hand"),  # none in play
        ("SELECT", "tables_seat"),  # the seats, their players joined
        ("UPDATE", "tables_table"),  # positions, hands dealt
        ("INSERT", "tables_hand"),  # with its first deadline
        ("INSERT", "tables_handplayer"),
        ("UPDATE", "timers_deadline"),  # the action clock's wake-up
        ("UPDATE", "realtime_stream"),  # TABLE and each dealt player's PLAYER stream (the hole cards), one update
        ("INSERT", "realtime_event"),  # HAND_START, the blinds and the cards, one insert
    ]


def test_the_action_that_ends_a_hand_settles_it_in_a_few_statements(table, seated):
    actions.do_start_hand(table.pk)
    _act(table, lambda legal: "fold")()
    last_fold = _act(table, lambda legal: "fold")
    found = statements(last_fold)
    assert found == [
        *reads_of_an_action(),
        ("INSERT", "tables_handaction"),
        ("UPDATE", "tables_hand"),  # ended, its result
        ("UPDATE", "timers_deadline"),  # the clock cancelled
        ("SELECT", "tables_seat"),  # the occupied seats, read once
        ("UPDATE", "tables_seat"),  # the stacks that changed, one update
        ("UPDATE", "tables_handplayer"),  # every final stack, one update
        ("UPDATE", "realtime_stream"),  # TABLE and each dealt player's PLAYER stream (their HAND_END), one update
        ("INSERT", "realtime_event"),  # the last action and HAND_END, one insert
        # The lobby's row of the table marked changed (lobby.directory.mark_changed):
        ("INSERT", "lobby_rowchange"),
        ("SELECT", "lobby_lobby"),  # when the lobby last sent rows
        ("UPDATE", "timers_deadline"),  # the row's own wake-up
        ("UPDATE", "timers_deadline"),  # the next hand asked for
    ]
