"""Every change to tournaments: ``do_*`` functions, each one transaction with the events it emits.

A package importing one way: base -> structures -> tournaments -> clock ->
play -> registration, hands -> cancel; connections from base alone. Callers (commands, the admin, the demo, the
timers in tournament/tasks.py) trust these to check their input, lock the
tournament row first and journal what changed.
"""

from .cancel import do_cancel_tournament
from .connections import do_player_disconnected, do_player_reconnected
from .hands import do_after_hands
from .play import do_clock_expired, do_pause, do_resume, do_scheduled_start, do_start_tournament, use_rng
from .registration import do_register, do_unregister
from .structures import do_create_structure, do_delete_structure, do_update_structure
from .tournaments import do_create_tournament, do_update_tournament

__all__ = [
    "do_after_hands", "do_cancel_tournament", "do_clock_expired", "do_create_structure",
    "do_create_tournament", "do_delete_structure", "do_pause", "do_player_disconnected", "do_player_reconnected", "do_register", "do_resume", "do_scheduled_start",
    "do_start_tournament", "do_unregister", "do_update_structure", "do_update_tournament", "use_rng",
]
