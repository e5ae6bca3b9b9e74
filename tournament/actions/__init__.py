"""Every change to tournaments: ``do_*`` functions, each one transaction with the events it emits.

A package importing one way: base -> structures -> tournaments, registration.
Callers (commands, the admin, the demo, part two's timers) trust these to
check their input, lock the tournament row first and journal what changed.
"""

from .registration import do_register, do_unregister
from .structures import do_create_structure
from .tournaments import do_cancel_tournament, do_create_tournament, do_update_tournament

__all__ = [
    "do_cancel_tournament", "do_create_structure", "do_create_tournament", "do_register",
    "do_unregister", "do_update_tournament",
]
