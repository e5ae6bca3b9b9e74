"""The live hand of a table: rebuilt from its row and action log, cached per process.

The database is the truth (config, deck, append-only log); the cache only
saves the replay. An entry is used only if it has replayed exactly as many
actions as the hand row counts (``Hand.actions_taken``, written with every
action), so a node never acts on a stale copy written by another node, nor
on one a rolled-back transaction advanced. Entries are keyed by the hand's id *and* its deck commitment:
a rolled-back transaction can free an id for the next hand (SQLite reuses
it), and that hand has another deck.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.contrib.auth import get_user_model

from pokerrt.accounts.models import user_ref
from tables.engine import Action, Deck, HandConfig
from tables.engine import Hand as EngineHand

from .models import Hand, HandAction

_CACHE_SIZE = 512
Key = tuple[int, str]  # (hand id, deck commitment)
_cache: OrderedDict[Key, EngineHand] = OrderedDict()
# Who was dealt in never changes during a hand: seat -> {id, username}.
_players: OrderedDict[Key, dict[int, dict[str, str]]] = OrderedDict()
# Several threads use the caches (on PostgreSQL: the command threads, the
# timers' and the readers'): a look-up and its move to the end, or an
# insert and its evictions, are one step.
_lock = threading.Lock()


def _key(hand: Hand) -> Key:
    return (hand.pk, hand.commitment)


def engine_hand(hand: Hand) -> EngineHand:
    """The engine's view of ``hand``: the cached one if it has replayed every action, else replayed from the log."""
    key = _key(hand)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and len(cached.actions) == hand.actions_taken:
            _cache.move_to_end(key)
            return cached
    deferred = sorted(hand.get_deferred_fields() & {"config", "deck"})
    if deferred:  # the hot lookup of the live hand leaves them out (tables.actions.base)
        hand.refresh_from_db(fields=deferred)
    actions = HandAction.objects.filter(hand=hand).order_by("index").values_list("seat", "action", "amount")
    live = EngineHand.replay(
        HandConfig.from_dict(hand.config),
        Deck.from_dict(hand.deck),
        [Action(seat, action, amount) for seat, action, amount in actions],
    )
    remember(hand, live)
    return live


def cached_hand(hand: Hand) -> EngineHand | None:
    """The entry :func:`engine_hand` would use for ``hand`` without a replay, if this process holds one."""
    cached = _cache.get(_key(hand))
    return cached if cached is not None and len(cached.actions) == hand.actions_taken else None


def remember(hand: Hand, live: EngineHand) -> None:
    key = _key(hand)
    with _lock:
        _cache[key] = live
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def player_refs(hand: Hand) -> dict[int, dict[str, str]]:
    """Seat -> ``{id, username}`` of the players dealt into ``hand``."""
    refs = _players.get(_key(hand))
    if refs is None:
        users: dict[Any, Any] = get_user_model().objects.in_bulk(list(hand.players.values()))
        refs = {int(seat): user_ref(users[user_id]) for seat, user_id in hand.players.items()}
        remember_players(hand, refs)
    return refs


def remember_players(hand: Hand, refs: dict[int, dict[str, str]]) -> None:
    """Cache who was dealt into ``hand``: the deal has just read them."""
    with _lock:
        _players[_key(hand)] = refs
        while len(_players) > _CACHE_SIZE:
            _players.popitem(last=False)


def forget(hand: Hand) -> None:
    key = _key(hand)
    with _lock:
        _cache.pop(key, None)
        _players.pop(key, None)
