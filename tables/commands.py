"""The WebSocket commands of TABLE streams: validator, permission, handler.

Besides the protocol's ``TABLE_JOIN``, ``TABLE_LEAVE``, ``PLAYER_ACTION`` and
the staff's ``TABLE_CREATE`` / ``TABLE_UPDATE`` / ``TABLE_DELETE``, a seated
player may send ``SIT_OUT`` and ``SIT_IN`` (target ``TABLE``, no data): see
docs/tables.md.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from lobby.models import Lobby
from pokerrt import errors
from pokerrt.realtime.envelope import canonical_id
from pokerrt.realtime.processor import register_command
from pokerrt.strict import StrictIdField, StrictIntegerField, StrictSerializer

from . import actions
from .engine import ACTIONS

# Far above any real stack, far below what a database column overflows at.
MAX_CHIPS = 10**12


class JoinSerializer(StrictSerializer):
    seat = StrictIntegerField(required=False, min_value=1, max_value=10)
    buy_in = StrictIntegerField(min_value=1, max_value=MAX_CHIPS)


class ActionSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    amount = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_CHIPS)
    # The decision answered (to_act's hand and turn); optional for older clients.
    hand_id = StrictIdField(required=False)
    turn = StrictIntegerField(required=False, min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] in ("bet", "raise") and attrs.get("amount") is None:
            raise serializers.ValidationError({"amount": ["Required for bet and raise (the bet it becomes)."]})
        return attrs


def plain_action(data: dict[str, Any]) -> dict[str, Any] | None:
    """What ActionSerializer validates ``data`` to, for the common plainly valid action; else None.

    A betting action is the one command every hand sends dozens of times,
    and a DRF serializer costs more CPU than the rest of its checks. Anything
    this does not accept outright goes through the serializer, which words
    the error, so only the cost differs.
    """
    if not isinstance(data, dict) or not data.keys() <= _ACTION_FIELDS:
        return None
    action, amount = data.get("action"), data.get("amount")
    if not isinstance(action, str) or action not in ACTIONS:
        return None
    if amount is None and action in ("bet", "raise"):
        return None
    if amount is not None and not _whole(amount, 1, MAX_CHIPS):
        return None
    if "turn" in data and not _whole(data["turn"], 1, 10**9):
        return None
    hand_id = data.get("hand_id", "")
    if "hand_id" in data and (not isinstance(hand_id, str) or canonical_id(hand_id) != hand_id):
        return None
    return dict(data)


_ACTION_FIELDS = frozenset({"action", "amount", "hand_id", "turn"})


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


class EmptySerializer(StrictSerializer):
    """A command that takes no data."""


class TableSettingsSerializer(StrictSerializer):
    name = serializers.CharField(max_length=80)
    max_seats = StrictIntegerField(min_value=2, max_value=10, required=False)
    small_blind = StrictIntegerField(min_value=1, max_value=MAX_CHIPS, required=False)
    big_blind = StrictIntegerField(min_value=1, max_value=MAX_CHIPS, required=False)
    ante = StrictIntegerField(min_value=0, max_value=MAX_CHIPS, required=False)
    min_buy_in = StrictIntegerField(min_value=1, max_value=MAX_CHIPS, required=False)
    max_buy_in = StrictIntegerField(min_value=1, max_value=MAX_CHIPS, required=False)
    action_seconds = StrictIntegerField(min_value=3, max_value=600, required=False)
    time_bank_seconds = StrictIntegerField(min_value=0, max_value=3600, required=False)
    # Settings that must fit together are checked on the whole table, stored
    # values included, by actions.check_table.


class CreateTableSerializer(TableSettingsSerializer):
    lobby = StrictIntegerField(min_value=1)


class UpdateTableSerializer(TableSettingsSerializer):
    name = serializers.CharField(max_length=80, required=False)


def staff_only(user: Any, table_id: str | None) -> bool:
    return bool(user.is_staff)


def _create(user: Any, table_id: str | None, data: dict[str, Any]) -> dict[str, Any]:
    lobby = Lobby.objects.live().filter(pk=data.pop("lobby")).first()
    if lobby is None:
        raise errors.NotFound("No such lobby.")
    table = actions.do_create_table(lobby, **data)
    return {"table_id": str(table.pk)}


def _need_id(table_id: str | None) -> str:
    if table_id is None:
        raise errors.Validation("This command needs the table's id.", details={"id": ["Required."]})
    return table_id


def _join(user: Any, table_id: str | None, data: dict[str, Any]) -> dict[str, Any]:
    seat = actions.do_join_table(user, _need_id(table_id), data["buy_in"], data.get("seat"))
    return {"seat": seat.number}


def _leave(user: Any, table_id: str | None, data: dict[str, Any]) -> None:
    actions.do_leave_table(user, _need_id(table_id))


def _sit_out(user: Any, table_id: str | None, data: dict[str, Any]) -> None:
    actions.do_sit_out(user, _need_id(table_id))


def _sit_in(user: Any, table_id: str | None, data: dict[str, Any]) -> None:
    actions.do_sit_in(user, _need_id(table_id))


def _act(user: Any, table_id: str | None, data: dict[str, Any]) -> None:
    actions.do_player_action(user, _need_id(table_id), data["action"], data.get("amount"),
                             hand_id=data.get("hand_id"), turn=data.get("turn"))


def _update(user: Any, table_id: str | None, data: dict[str, Any]) -> None:
    actions.do_update_table(_need_id(table_id), **data)


def _delete(user: Any, table_id: str | None, data: dict[str, Any]) -> None:
    actions.do_delete_table(_need_id(table_id))


def register() -> None:
    """The commands clients may send to TABLE streams; TablesConfig.ready() calls it."""
    register_command("TABLE_JOIN", "TABLE", serializer=JoinSerializer, permission=None, handler=_join)
    register_command("TABLE_LEAVE", "TABLE", serializer=EmptySerializer, permission=None, handler=_leave)
    register_command("SIT_OUT", "TABLE", serializer=EmptySerializer, permission=None, handler=_sit_out)
    register_command("SIT_IN", "TABLE", serializer=EmptySerializer, permission=None, handler=_sit_in)
    register_command("PLAYER_ACTION", "TABLE", serializer=ActionSerializer, permission=None, handler=_act,
                     shortcut=plain_action)
    register_command("TABLE_CREATE", "TABLE", serializer=CreateTableSerializer, permission=staff_only,
                     handler=_create)
    register_command("TABLE_UPDATE", "TABLE", serializer=UpdateTableSerializer, permission=staff_only,
                     handler=_update)
    register_command("TABLE_DELETE", "TABLE", serializer=EmptySerializer, permission=staff_only,
                     handler=_delete)
