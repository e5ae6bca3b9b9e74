"""Each event type of PROTOCOL.md section 6 has a schema naming the protocol's fields, and the checker is strict.

The autouse fixture ``events_match_schemas`` (tests/conftest.py) and the
test clients hold every event a test produces to these schemas; the tests
here hold the schemas to the protocol and check the checker itself.
"""

# The TypedDicts below are declared under postponed annotations on purpose:
# the checker must still see their NotRequired keys.
from __future__ import annotations

import typing
from typing import Any, Literal, NotRequired, TypedDict

import pytest

from pokerrt.realtime import events as core_events
from pokerrt.realtime.schemas import allow_extra_keys, problems
from tests.event_checks import EVENTS, SNAPSHOTS, frame_problems, journal_problems

# PROTOCOL.md section 6, transcribed: type -> targets -> the fields it names.
# "a.b" is field b of a's object, "a[].b" of each of a's items; "x?" is optional.
PLAYER_CARDS = "table_id hand_id seat cards"
STREET = "hand_id cards board pots to_act"
MOVES = "moves[].user moves[].from_table moves[].to_table moves[].seat"
PROTOCOL: dict[str, dict[str, str]] = {
    "LOBBY_CREATE": {"LOBBY": "lobby"},
    "LOBBY_UPDATE": {"LOBBY": "lobby? tables? tournaments? removed_tables? removed_tournaments?"},
    "LOBBY_DELETE": {"LOBBY": "lobby"},
    "LOBBY_JOIN": {"LOBBY": "user.id user.username members"},
    "LOBBY_LEAVE": {"LOBBY": "user.id user.username members"},
    "TOURNAMENT_CREATE": {"TOURNAMENT": "tournament"},
    "TOURNAMENT_UPDATE": {"TOURNAMENT": "tournament"},
    "TOURNAMENT_REGISTER": {"TOURNAMENT": "user registered prize_pool"},
    "TOURNAMENT_UNREGISTER": {"TOURNAMENT": "user registered prize_pool"},
    "TOURNAMENT_START": {"TOURNAMENT": "tables[].table_id tables[].players level"},
    "LEVEL_UP": {"TOURNAMENT": "level small_blind big_blind ante ends_at"},
    "BREAK_START": {"TOURNAMENT": "ends_at"},
    "BREAK_END": {"TOURNAMENT": "level"},
    "PLAYER_ELIMINATION": {"TOURNAMENT": "user position prize hand_id",
                           "PLAYER": "user position prize hand_id"},
    "TABLE_MERGE": {"TOURNAMENT": f"from_table to_table {MOVES}", "TABLE": f"from_table to_table {MOVES}"},
    "TABLE_BALANCE": {"TOURNAMENT": MOVES},
    "TOURNAMENT_END": {"TOURNAMENT": "results[].user results[].position results[].prize"},
    "TABLE_CREATE": {"TABLE": "table"},
    # Sent without ``table`` when only seats or the time bank changed (a gap the protocol does not name).
    "TABLE_UPDATE": {"TABLE": "table?"},
    "TABLE_DELETE": {"TABLE": "table"},
    "TABLE_JOIN": {"TABLE": "seat user stack"},
    "TABLE_LEAVE": {"TABLE": "seat user stack"},
    "HAND_START": {"TABLE": "hand_id hand_no button small_blind big_blind ante seats[].seat seats[].user "
                            "seats[].stack deck_commitment to_act"},
    "DEAL_CARDS": {"TABLE": "hand_id seats", "PLAYER": PLAYER_CARDS},
    "PLAYER_ACTION": {"TABLE": "hand_id seat user action amount stack pot to_act auto? to_act.seat "
                               "to_act.user to_act.to_call to_act.min_raise_to to_act.max_raise_to "
                               "to_act.deadline to_act.legal to_act.turn"},
    "FLOP": {"TABLE": STREET},
    "TURN": {"TABLE": STREET},
    "RIVER": {"TABLE": STREET},
    "SHOWDOWN": {"TABLE": "hand_id hands[].seat hands[].user hands[].cards hands[].rank"},
    "HAND_END": {"TABLE": "hand_id winners[].seat winners[].user winners[].amount winners[].pot board stacks "
                          "deck_proof.leaves deck_proof.reveals[].position deck_proof.reveals[].card "
                          "deck_proof.reveals[].salt",
                 "PLAYER": "hand_id reveals"},  # section 8
    "PLAYER_DISCONNECT": {"TABLE": "user table_id?", "TOURNAMENT": "user table_id?"},
    "PLAYER_RECONNECT": {"TABLE": "user table_id?", "TOURNAMENT": "user table_id?"},
    "ERROR": {"": "code message ref? details?"},  # a control frame, to one connection
}

PROTOCOL_SNAPSHOTS = {
    "LOBBY": "lobby.id lobby.name tables tournaments members",
    "TOURNAMENT": "tournament structure level next_level_at on_break players[].user players[].status "
                  "players[].chips players[].table_id players[].position tables payouts",
    "TABLE": "table.id table.name table.kind table.max_seats table.small_blind table.big_blind table.ante "
             "table.status seats[].seat seats[].user seats[].stack seats[].status seats[].bet hand.hand_id "
             "hand.hand_no hand.button hand.street hand.board hand.pots hand.to_act hand.deck_commitment",
    "PLAYER": "balance seats registrations",
}


def _object(schema: Any) -> type | None:
    """The TypedDict inside ``schema``, through lists and ``| None``; None when there is none."""
    while not typing.is_typeddict(schema):
        candidates = [a for a in typing.get_args(schema) if a is not type(None)]
        if not candidates:
            return None
        schema = candidates[0]
    return schema


def _declaration_problems(schema: type, fields: str) -> list[str]:
    """Protocol fields the schema leaves out, or makes optional where the protocol does not."""
    found = []
    for spec in fields.split():
        optional = spec.endswith("?")
        *parents, name = spec.rstrip("?").replace("[]", "").split(".")
        owner = _object(schema)
        for parent in parents:
            hints = typing.get_type_hints(owner, include_extras=True) if owner else {}
            owner = _object(hints.get(parent))
        hints = typing.get_type_hints(owner, include_extras=True) if owner else {}
        if name not in hints:
            found.append(f"{spec}: not declared by {owner.__name__ if owner else 'an object'}")
        elif not optional and typing.get_origin(hints[name]) is NotRequired:
            found.append(f"{spec}: required by the protocol, NotRequired in {owner.__name__}")
    return found


def test_the_declaration_check_finds_a_field_left_out_or_made_optional():
    assert _declaration_problems(Sample, "hand_id seats[].seat seats[].user.x auto auto? pot? winner") == [
        "seats[].user.x: not declared by an object",
        "auto: required by the protocol, NotRequired in Sample",
        "winner: not declared by Sample",
    ]


def test_the_protocol_has_33_event_types():
    assert len(PROTOCOL) == 33


@pytest.mark.parametrize("kind", sorted(PROTOCOL))
def test_each_protocol_event_has_a_schema_naming_its_fields(kind):
    for target, fields in PROTOCOL[kind].items():
        schema = core_events.CONTROL[kind] if target == "" else EVENTS.get((target, kind))
        assert schema is not None, f"no schema for {kind} on {target}"
        assert _declaration_problems(schema, fields) == []


@pytest.mark.parametrize("target", sorted(PROTOCOL_SNAPSHOTS))
def test_each_snapshot_has_a_schema_naming_its_fields(target):
    assert _declaration_problems(SNAPSHOTS[target], PROTOCOL_SNAPSHOTS[target]) == []


def test_every_declared_event_is_a_protocol_type_or_a_test_stream_s():
    beyond = {key for key in EVENTS if key[1] not in PROTOCOL}
    assert beyond == {("PLAYER", "BALANCE_UPDATE")}  # tests/realtime/tally_actions.py


def test_every_schema_declares_json_types_only():
    placeholder: dict[str, Any] = {}
    for schema in [*EVENTS.values(), *SNAPSHOTS.values(), *core_events.CONTROL.values()]:
        problems(schema, placeholder)  # raises TypeError on a type JSON cannot hold


# --- The checker ---------------------------------------------------------------------------------


class Seat(TypedDict):
    seat: int
    user: dict[str, str] | None


class Sample(TypedDict):
    hand_id: str
    action: Literal["fold", "check"]
    seats: list[Seat]
    pot: float
    auto: NotRequired[bool]


@allow_extra_keys
class Open(TypedDict):
    id: str


GOOD = {"hand_id": "7", "action": "fold", "seats": [{"seat": 1, "user": None}], "pot": 3}


def test_a_matching_value_has_no_problems_optional_keys_may_be_left_out_or_sent():
    assert problems(Sample, GOOD) == []
    assert problems(Sample, {**GOOD, "auto": True}) == []


def test_a_missing_key_is_named_with_its_schema():
    data = {k: v for k, v in GOOD.items() if k != "pot"}
    assert problems(Sample, data) == ["data.pot: missing (Sample)"]


def test_a_key_the_schema_does_not_declare_is_refused_unless_the_schema_is_open():
    assert problems(Sample, {**GOOD, "dead": False}) == ["data.dead: not a field of Sample"]
    assert problems(Open, {"id": "1", "name": "Main"}) == []


def test_wrong_types_are_named_by_their_path():
    data = {**GOOD, "seats": [{"seat": 1, "user": None}, {"seat": "2", "user": {"id": 5}}]}
    assert problems(Sample, data) == [
        "data.seats[1].seat: expected int, got '2'",
        "data.seats[1].user: expected dict[str, str] | null, got {'id': 5}",
    ]


def test_bool_is_not_a_number_and_a_literal_compares_types():
    assert problems(Sample, {**GOOD, "pot": True}) == ["data.pot: expected number, got True"]
    assert problems(Sample, {**GOOD, "auto": 1}) == ["data.auto: expected bool, got 1"]
    assert problems(Sample, {**GOOD, "action": "raise"}) == ["data.action: expected 'fold' | 'check', got 'raise'"]


def test_a_type_json_cannot_hold_is_a_mistake_in_the_schema():
    class Bad(TypedDict):
        when: set[str]

    with pytest.raises(TypeError):
        problems(Bad, {"when": []})


# --- The checks the suite runs -----------------------------------------------------------------


def test_frames_are_checked_events_by_target_and_type_control_frames_by_type():
    user = {"id": "1", "username": "ann"}
    join = {"type": "TABLE_JOIN", "target": "TABLE", "id": "1", "seq": 3, "data": {"seat": 2, "user": user}}
    assert frame_problems(join) == ["TABLE TABLE_JOIN data.stack: missing (TableJoin)"]
    error = {"type": "ERROR", "target": None, "id": None, "data": {"code": "OOPS", "message": "x"}}
    assert frame_problems(error) == ["ERROR data.code: expected " + " | ".join(
        repr(code) for code in typing.get_args(core_events.ErrorCode)) + ", got 'OOPS'"]
    tally = {"type": "ADD", "target": "TALLY", "id": "1", "seq": 1, "data": {}}
    assert frame_problems(tally) == []  # a test-only stream declares nothing


def test_a_subscribed_snapshot_is_checked_with_its_player_sections():
    state = {"user": {"id": "1", "username": "ann"}, "balance": 10, "registrations": [],
             "seats": [{"table_id": "4", "seat": 1, "hand_id": None}]}
    frame = {"type": "SUBSCRIBED", "target": "PLAYER", "id": "1",
             "data": {"seq": 0, "epoch": "e", "recovered": False, "state": state}}
    assert frame_problems(frame) == ["PLAYER snapshot state.seats[0].cards: missing (PlayerSeat)"]


@pytest.mark.django_db
def test_the_journal_check_names_the_stream_seq_and_field():
    from django.utils import timezone

    from pokerrt.realtime.models import Event

    Event.objects.create(target="TABLE", stream_id="9", seq=1, epoch="e", type="TABLE_LEAVE",
                         data={"seat": 1, "user": {"id": "1", "username": "ann"}}, timestamp=timezone.now())
    assert journal_problems() == ["TABLE.9 seq 1: TABLE TABLE_LEAVE data.stack: missing (TableLeave)"]
    Event.objects.filter(target="TABLE", stream_id="9").delete()  # else the suite's own check fails the test
