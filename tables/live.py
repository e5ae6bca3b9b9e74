"""The live hand of a table: rebuilt from its row and action log, cached per process.

The database is the truth (config, deck, append-only log); the cache only
saves the replay. An entry is used only if it has replayed exactly the
actions the log holds, so a node never acts on a stale copy written by
another node.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib.auth import get_user_model

from pokerrt.accounts.models import user_ref
from tables.engine import Action, Deck, HandConfig
from tables.engine import Hand as EngineHand

from .models import Hand, HandAction

_CACHE_SIZE = 512
_cache: OrderedDict[int, EngineHand] = OrderedDict()
# hand id -> {seat: {id, username}}: who was dealt in never changes during a hand.
_players: OrderedDict[int, dict[int, dict[str, str]]] = OrderedDict()


def engine_hand(hand: Hand) -> EngineHand:
    """The engine's view of ``hand``, replayed from its log if not cached."""
    actions = list(
        HandAction.objects.filter(hand=hand).order_by("index").values_list("seat", "action", "amount")
    )
    cached = _cache.get(hand.pk)
    if cached is not None and len(cached.actions) == len(actions):
        _cache.move_to_end(hand.pk)
        return cached
    live = EngineHand.replay(
        HandConfig.from_dict(hand.config),
        Deck.from_dict(hand.deck),
        [Action(seat, action, amount) for seat, action, amount in actions],
    )
    remember(hand.pk, live)
    return live


def remember(hand_id: int, live: EngineHand) -> None:
    _cache[hand_id] = live
    _cache.move_to_end(hand_id)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)


def player_refs(hand: Hand) -> dict[int, dict[str, str]]:
    """Seat -> ``{id, username}`` of the players dealt into ``hand``."""
    refs = _players.get(hand.pk)
    if refs is None:
        users: dict[Any, Any] = get_user_model().objects.in_bulk(list(hand.players.values()))
        refs = {int(seat): user_ref(users[user_id]) for seat, user_id in hand.players.items()}
        _players[hand.pk] = refs
        while len(_players) > _CACHE_SIZE:
            _players.popitem(last=False)
    return refs


def forget(hand_id: int) -> None:
    _cache.pop(hand_id, None)
    _players.pop(hand_id, None)
