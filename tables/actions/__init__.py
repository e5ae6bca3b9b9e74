"""Every change to tables, seats and hands.

Each ``do_*`` function runs in one transaction: it locks the table row
(``with locked_table(id) as table:``, always first), changes the rows, moves
chips through the ledger and emits the events that describe the change.
Callers (commands, the REST API, timers, the admin, the tournament) trust
nothing else to change a table.

The modules import one way only, each from those before it:
``translate`` (engine events to protocol events, pure) and ``base`` (locks,
lookups, timer keys); ``dealing`` (what seats and hands both do: ask for the
next hand, sit out, stand up); ``seats`` (join, leave, sit out, sit in);
``moves`` (a player to another table); ``settlement`` (publish a hand's
events, settle it); ``hands`` (deal, act, the action clock); ``tables``
(staff); ``connections`` (disconnects). What differs between cash and
tournament tables is the table's seating policy (``tables.policies``).
"""

from .base import live_hand, lock_table, locked_table, locked_tables, own_seat, seat_of
from .connections import do_expire_grace, do_player_disconnected, do_player_reconnected
from .hands import (
    check_decision,
    do_action_clock_expired,
    do_player_action,
    do_rearm_action_clock,
    do_refresh_live_hand,
    do_start_hand,
)
from .moves import do_move_player
from .seats import do_expire_sit_out, do_join_table, do_leave_table, do_sit_in, do_sit_out
from .tables import (
    TABLE_FIELDS,
    check_table,
    do_create_table,
    do_delete_table,
    do_request_hand,
    do_update_table,
)

__all__ = [
    "TABLE_FIELDS",
    "check_decision",
    "check_table",
    "do_action_clock_expired",
    "do_create_table",
    "do_delete_table",
    "do_expire_grace",
    "do_expire_sit_out",
    "do_join_table",
    "do_leave_table",
    "do_move_player",
    "do_player_action",
    "do_rearm_action_clock",
    "do_refresh_live_hand",
    "do_player_disconnected",
    "do_player_reconnected",
    "do_request_hand",
    "do_sit_in",
    "do_sit_out",
    "do_start_hand",
    "do_update_table",
    "live_hand",
    "lock_table",
    "locked_table",
    "locked_tables",
    "own_seat",
    "seat_of",
]
