"""Ids in commands have one spelling (PROTOCOL.md section 1), or the command is VALIDATION."""

from __future__ import annotations

import pytest

from pokerrt import errors
from pokerrt.realtime import registry
from pokerrt.realtime.envelope import parse_command

# PROTOCOL.md section 2; each is registered by the app that owns it.
PROTOCOL_TARGETS = ("LOBBY", "TOURNAMENT", "TABLE", "PLAYER")
MISSPELLINGS = ["+1", " 1", "1 ", "0001", "00", "١", "１", "1.0", "1e3", "", "-1", "0x1", "1\n", -1, 1.0, True, [1]]


def test_the_registry_knows_every_target_of_the_protocol():
    for target in PROTOCOL_TARGETS:
        assert registry.is_known_target(target) and registry.has_canonical_ids(target), target


@pytest.mark.parametrize("target", [*PROTOCOL_TARGETS, "table"])
@pytest.mark.parametrize("id_", MISSPELLINGS)
def test_an_id_of_a_protocol_stream_in_another_spelling_is_validation(target, id_):
    for type_ in ("SUBSCRIBE", "UNSUBSCRIBE", "TABLE_JOIN"):
        with pytest.raises(errors.Validation) as refused:
            parse_command({"type": type_, "target": target, "id": id_, "data": {}})
        assert set(refused.value.details) == {"id"}


@pytest.mark.parametrize("id_, canonical", [("17", "17"), ("0", "0"), (17, "17"), (0, "0"), (10**20, str(10**20))])
def test_canonical_ids_and_non_negative_integers_are_taken_as_the_id_string(id_, canonical):
    assert parse_command({"type": "SUBSCRIBE", "target": "TABLE", "id": id_}).id == canonical


def test_a_stream_type_beyond_the_protocols_keeps_its_own_ids():
    assert parse_command({"type": "SUBSCRIBE", "target": "TALLY", "id": "secret-1"}).id == "secret-1"
    assert parse_command({"type": "SUBSCRIBE", "target": "TALLY", "id": 7}).id == "7"
    with pytest.raises(errors.Validation):
        parse_command({"type": "SUBSCRIBE", "target": "TALLY", "id": True})
