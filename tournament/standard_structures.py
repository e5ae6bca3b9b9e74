"""The standard blind structures, "turbo" and "regular", and what puts them in the database.

They are installed by migration 0003 and again after every ``migrate`` or
``flush`` (a post_migrate handler, like Django's own permissions), so a
database emptied by a test or by staff always offers them. Installing
leaves a structure of the same name alone: staff may have shaped their own.
"""

from __future__ import annotations

from typing import Any

# (small blind, big blind, ante, big-blind ante, minutes, break minutes after the level)
TURBO = [
    (10, 20, 0, False, 5, 0), (15, 30, 0, False, 5, 0), (25, 50, 0, False, 5, 0),
    (50, 100, 100, True, 5, 0), (75, 150, 150, True, 5, 0), (100, 200, 200, True, 5, 5),
    (150, 300, 300, True, 5, 0), (200, 400, 400, True, 5, 0), (300, 600, 600, True, 5, 0),
    (400, 800, 800, True, 5, 0), (500, 1000, 1000, True, 5, 0), (700, 1400, 1400, True, 5, 5),
    (1000, 2000, 2000, True, 5, 0), (1500, 3000, 3000, True, 5, 0), (2000, 4000, 4000, True, 5, 0),
    (3000, 6000, 6000, True, 5, 0), (5000, 10000, 10000, True, 5, 0), (7500, 15000, 15000, True, 5, 0),
    (10000, 20000, 20000, True, 5, 0), (15000, 30000, 30000, True, 5, 0),
]
REGULAR = [
    (10, 20, 0, False, 10, 0), (15, 30, 0, False, 10, 0), (20, 40, 0, False, 10, 0),
    (25, 50, 0, False, 10, 0), (30, 60, 0, False, 10, 0), (40, 80, 0, False, 10, 10),
    (50, 100, 10, False, 10, 0), (75, 150, 15, False, 10, 0), (100, 200, 25, False, 10, 0),
    (125, 250, 25, False, 10, 0), (150, 300, 30, False, 10, 0), (200, 400, 40, False, 10, 10),
    (250, 500, 50, False, 10, 0), (300, 600, 75, False, 10, 0), (400, 800, 100, False, 10, 0),
    (500, 1000, 100, False, 10, 0), (600, 1200, 150, False, 10, 0), (800, 1600, 200, False, 10, 10),
    (1000, 2000, 250, False, 10, 0), (1500, 3000, 300, False, 10, 0), (2000, 4000, 500, False, 10, 0),
    (3000, 6000, 600, False, 10, 0), (4000, 8000, 1000, False, 10, 0), (5000, 10000, 1000, False, 10, 0),
    (7500, 15000, 1500, False, 10, 0), (10000, 20000, 2000, False, 10, 0),
]
STANDARD = {
    "turbo": ("5-minute levels, big-blind ante from level 4, a 5-minute break after levels 6 and 12.", TURBO),
    "regular": ("10-minute levels, antes from level 7, a 10-minute break after levels 6, 12 and 18.", REGULAR),
}


def install_standard_structures(structure_model: Any, level_model: Any) -> list[str]:
    """Create each standard structure that is missing (models passed in: a migration's or the app's); the names made."""
    made = []
    for name, (description, levels) in STANDARD.items():
        structure, created = structure_model.objects.get_or_create(name=name, defaults={"description": description})
        if created:
            level_model.objects.bulk_create(
                level_model(structure=structure, number=number, small_blind=sb, big_blind=bb, ante=ante,
                            big_blind_ante=bba, minutes=minutes, break_minutes=pause)
                for number, (sb, bb, ante, bba, minutes, pause) in enumerate(levels, start=1)
            )
            made.append(name)
    return made
