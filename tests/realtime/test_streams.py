"""The journal: emit, seq, envelope, broadcast on commit, retention, who may emit."""

from __future__ import annotations

import ast
import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from pokerrt.realtime import registry, streams
from pokerrt.realtime.models import Event, Stream

from . import tally_actions as actions
from .consistency import assert_events_replay

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused():
    with pytest.raises(streams.NotInTransaction):
        streams.emit("TALLY", "1", "ADD", {})
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_seq_counts_each_stream_from_one(sent):
    actions.do_add("a", 1, times=3)
    actions.do_add("b", 1)
    actions.do_add("a", 1)
    assert list(Event.objects.filter(stream_id="a").values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert list(Event.objects.filter(stream_id="b").values_list("seq", flat=True)) == [1]
    assert [(e.stream_id, e.seq) for e in sent] == [("a", 1), ("a", 2), ("a", 3), ("b", 1), ("a", 4)]


@pytest.mark.django_db(transaction=True)
def test_emit_many_takes_every_streams_seqs_in_one_update_and_sends_in_order(sent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actions.do_add("m1", 1)  # the streams exist: their rows are only updated below
    actions.do_add("m2", 1)
    sent.clear()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        events = streams.emit_many([
            ("TALLY", "m1", "ADD", {"n": 1}), ("TALLY", "m2", "ADD", {"n": 2}),
            ("TALLY", "m1", "ADD", {"n": 3}), ("TALLY", "m1", "ADD", {"n": 4}),
        ])
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert len(writes) == 2  # one seq update for both streams, one insert of all four events
    assert [(e.stream_id, e.seq, e.data["n"]) for e in events] == [("m1", 2, 1), ("m2", 2, 2), ("m1", 3, 3), ("m1", 4, 4)]
    assert [(e.stream_id, e.seq) for e in sent] == [("m1", 2), ("m2", 2), ("m1", 3), ("m1", 4)]
    stored = Event.objects.filter(stream_id="m1").order_by("seq")
    assert [(e.seq, e.data["n"]) for e in stored] == [(1, 1), (2, 1), (3, 3), (4, 4)]
    assert len({e.timestamp for e in events}) == 1 and Stream.objects.get(stream_id="m1").seq == 4


@pytest.mark.django_db(transaction=True)
def test_emit_many_gives_a_stream_new_to_the_batch_its_row_and_first_seqs(sent):
    # given: one stream with a row, one without
    actions.do_add("old", 1)
    # when: one batch writes to both
    with transaction.atomic():
        events = streams.emit_many([
            ("TALLY", "old", "ADD", {"n": 1}), ("TALLY", "new", "ADD", {"n": 2}), ("TALLY", "new", "ADD", {"n": 3}),
        ])
    # then
    assert [(e.stream_id, e.seq) for e in events] == [("old", 2), ("new", 1), ("new", 2)]
    assert Stream.objects.get(stream_id="new").seq == 2 and Stream.objects.get(stream_id="old").seq == 2


@pytest.mark.django_db(transaction=True)
def test_emit_many_checks_every_event_before_writing_any(sent):
    with pytest.raises(ValueError), transaction.atomic():
        streams.emit_many([("TALLY", "ok", "ADD", {"n": 1}), ("TALLY", "bad id!", "ADD", {"n": 2})])
    with pytest.raises(streams.NotInTransaction):
        streams.emit_many([("TALLY", "ok", "ADD", {"n": 1})])
    assert not Event.objects.exists() and sent == []
    with transaction.atomic():
        assert streams.emit_many([]) == []


@pytest.mark.django_db(transaction=True)
def test_rolled_back_events_are_neither_kept_nor_sent(sent):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            actions.do_add("c", 1)
            raise RuntimeError
    assert not Event.objects.exists() and sent == []
    actions.do_add("c", 1)
    assert Event.objects.get().seq == 1


@pytest.mark.django_db(transaction=True)
def test_broadcast_waits_for_the_outer_commit(sent):
    with transaction.atomic():
        actions.do_add("d", 1)
        assert sent == []
    assert len(sent) == 1


@pytest.mark.django_db(transaction=True)
def test_envelope_matches_the_protocol(sent):
    actions.do_add("e", 4)
    frame = streams.event_frame(sent[0])
    assert set(frame) == {"type", "target", "id", "data", "timestamp", "seq", "epoch", "event_id"}
    assert frame["id"] == "e" and frame["target"] == "TALLY" and frame["type"] == "ADD"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", frame["timestamp"])
    assert str(uuid.UUID(frame["event_id"])) == frame["event_id"]
    assert frame["epoch"] == Stream.objects.get(stream_id="e").epoch
    message = streams.event_message(sent[0])
    assert message["type"] == "event.send" and message["seq"] == 1


def test_group_name():
    assert streams.group_name("TABLE", 17) == "table.17"


@pytest.mark.django_db(transaction=True)
def test_unknown_target_and_bad_id_are_refused():
    with transaction.atomic():
        with pytest.raises(ValueError):
            streams.emit("NOWHERE", "1", "X", {})
        with pytest.raises(ValueError):
            streams.emit("TALLY", "a b", "X", {})
        with pytest.raises(TypeError):
            streams.emit("TALLY", "1", "X", {"when": object()})


@pytest.mark.django_db(transaction=True)
def test_retention_keeps_the_last_n_or_the_last_hours(sent):
    actions.do_add("old", 1, times=10)
    actions.do_add("new", 1, times=10)
    old = timezone.now() - dt.timedelta(hours=30)
    Event.objects.filter(stream_id="old").update(timestamp=old)
    assert streams.prune_journal(keep_events=3, keep_hours=24) == 7
    assert list(Event.objects.filter(stream_id="old").values_list("seq", flat=True)) == [8, 9, 10]
    assert Event.objects.filter(stream_id="new").count() == 10


@pytest.mark.django_db(transaction=True)
def test_retention_keeps_what_the_bus_has_not_published(sent, settings):
    settings.EVENT_BUS_URL = "amqp://example"
    actions.do_add("bus", 1, times=4)
    Event.objects.update(timestamp=timezone.now() - dt.timedelta(hours=30))
    Event.objects.filter(seq__lte=2).update(published_at=timezone.now())
    assert streams.prune_journal(keep_events=0, keep_hours=1) == 2
    assert list(Event.objects.values_list("seq", flat=True)) == [3, 4]


@pytest.mark.django_db(transaction=True)
def test_prune_events_command(sent):
    from django.core.management import call_command

    actions.do_add("cmd", 1, times=5)
    Event.objects.update(timestamp=timezone.now() - dt.timedelta(days=3))
    call_command("prune_events", "--keep-events", "2", "--keep-hours", "1", verbosity=0)
    assert Event.objects.count() == 2


# --- Snapshot before + events == snapshot after ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_player_stream_replays_to_its_snapshot(user, sent):
    events = assert_events_replay("PLAYER", user.pk, user, lambda: actions.do_grant(user, 250))
    assert [e["type"] for e in events] == ["BALANCE_UPDATE"]


@pytest.mark.django_db(transaction=True)
def test_player_sections_come_from_other_apps(user, monkeypatch):
    monkeypatch.setattr(registry, "_player_sections", {})
    registry.register_player_section("seats", lambda u: [{"table_id": "1", "seat": 3}])
    registry.register_player_section("notes", lambda u: ["x"])
    from pokerrt.realtime.snapshots import player_snapshot

    state = player_snapshot(str(user.pk), user)
    assert state["seats"] == [{"table_id": "1", "seat": 3}]
    assert state["registrations"] == [] and state["notes"] == ["x"]


@pytest.mark.django_db(transaction=True)
def test_tally_stream_replays_to_its_snapshot(sent):
    def apply(state, event):
        return {"total": state["total"] + event["data"]["n"]}

    assert_events_replay("TALLY", "z", None, lambda: actions.do_add("z", 3, times=4), apply)


# --- Only actions modules call emit ---------------------------------------------------------------------

EMITTERS = {"emit", "emit_many"}
SKIP_DIRS = {".venv", "venv", "node_modules", "var", ".git", "tests", "__pycache__"}


def emit_callers(root: Path) -> list[str]:
    """Modules other than an ``actions.py`` or those of an ``actions/`` package that import or call emit."""
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if SKIP_DIRS & set(relative.parts) or relative.parts[:2] == ("pokerrt", "realtime"):
            continue
        if path.name == "actions.py" or "actions" in relative.parts[:-1]:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pokerrt.realtime"):
                for alias in node.names:
                    if alias.name in EMITTERS:
                        offenders.append(f"{relative}:{node.lineno} imports {alias.name}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver = node.func.value
                name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
                if node.func.attr in EMITTERS and name == "streams":
                    offenders.append(f"{relative}:{node.lineno} calls streams.{node.func.attr}")
    return offenders


def test_only_actions_modules_call_emit():
    assert emit_callers(REPO) == []


def test_the_emit_scan_catches_a_stray_caller(tmp_path):
    (tmp_path / "lobby").mkdir()
    (tmp_path / "lobby" / "views.py").write_text("from pokerrt.realtime.streams import emit as e\n")
    (tmp_path / "lobby" / "api.py").write_text("from pokerrt.realtime.streams import emit_many\n")
    (tmp_path / "lobby" / "tasks.py").write_text(
        "from pokerrt.realtime import streams\nstreams.emit('LOBBY', 1, 'X', {})\n"
    )
    (tmp_path / "lobby" / "actions.py").write_text("from pokerrt.realtime.streams import emit\n")
    (tmp_path / "tables" / "actions").mkdir(parents=True)
    (tmp_path / "tables" / "actions" / "seats.py").write_text("from pokerrt.realtime.streams import emit\n")
    (tmp_path / "tables" / "policies.py").write_text("from pokerrt.realtime import streams\nstreams.emit('T', 1, 'X', {})\n")
    assert sorted(emit_callers(tmp_path)) == [
        "lobby/api.py:1 imports emit_many",
        "lobby/tasks.py:2 calls streams.emit",
        "lobby/views.py:1 imports emit",
        "tables/policies.py:2 calls streams.emit",
    ]
