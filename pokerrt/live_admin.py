"""A stream's live state on an admin page: its snapshot, exactly what a subscriber would be sent now."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString


def live_state(snapshot: Callable[[str], dict[str, Any]], pk: Any) -> SafeString | str:
    """The snapshot as indented JSON, for a read-only field; "-" before the row exists.

    Public snapshots hold no hole card, so staff read here what every
    subscriber sees; reloading the page reads it again.
    """
    if pk is None:
        return "-"
    return format_html('<pre class="live-state">{}</pre>', json.dumps(snapshot(str(pk)), indent=2, default=str))
