"""The shape of tables/actions/: modules that import one way, short ones, and a pure event translation."""

import ast
import json
from pathlib import Path

import pytest

from tables import actions, live
from tables.actions import translate
from tables.engine import Deck, HandConfig
from tables.engine import Hand as EngineHand

from .helpers import table_events, user_at

PACKAGE = Path(actions.__file__).parent
# Each module may import only those before it.
CHAIN = ["translate", "base", "dealing", "seats", "moves", "settlement", "hands", "tables", "connections"]


def package_imports(name: str) -> set[str]:
    """The modules of the package that ``name`` imports, at any depth of its code."""
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                found.update([node.module] if node.module else [alias.name for alias in node.names])
            elif (node.module or "").startswith("tables.actions"):
                found.add(node.module.removeprefix("tables.actions").lstrip(".") or "__init__")
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("tables.actions.") for a in node.names
                         if a.name.startswith("tables.actions"))
    return {module.split(".")[0] for module in found}


def test_the_chain_names_every_module_of_the_package():
    assert sorted(CHAIN) == sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", CHAIN)
def test_each_module_imports_only_modules_before_it(name):
    earlier = set(CHAIN[: CHAIN.index(name)])
    assert package_imports(name) <= earlier, f"{name} imports {package_imports(name) - earlier}"


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def test_the_package_offers_every_name_its_callers_use():
    for name in actions.__all__:
        assert getattr(actions, name) is not None


@pytest.mark.django_db
def test_translation_reads_and_writes_nothing_and_gives_what_was_emitted(table, seated, django_assert_num_queries):
    # given: a hand dealt, and a fresh engine hand replaying it
    hand = actions.do_start_hand(table.pk)
    start = table_events(table)
    opening = next(e.seq for e in start if e.type == "HAND_START")
    to_act = next(e for e in start if e.type == "HAND_START").data["to_act"]
    dealt = EngineHand.replay(HandConfig.from_dict(hand.config), Deck.from_dict(hand.deck), [])
    refs = live.player_refs(hand)
    # when
    with django_assert_num_queries(0):
        batch = translate.translate(table.pk, hand, dealt, list(dealt.events), to_act, refs)
    # then: the TABLE events the deal emitted after HAND_START, in order; the hand goes on
    emitted = [(e.type, e.data) for e in table_events(table, opening)]
    translated = [(e.type, json.loads(json.dumps(e.data))) for e in batch.emissions if e.target == "TABLE"]
    assert translated == emitted
    assert batch.over is None
    cards = [e for e in batch.emissions if e.target == "PLAYER"]
    assert sorted((e.stream_id, e.data["seat"]) for e in cards) == [(user_at(hand, n).pk, n) for n in (1, 2, 3)]


@pytest.mark.django_db
def test_a_batch_that_ends_the_hand_says_where_to_settle_it(table, seated):
    hand = actions.do_start_hand(table.pk)
    dealt = EngineHand.replay(HandConfig.from_dict(hand.config), Deck.from_dict(hand.deck), [])
    refs = live.player_refs(hand)
    dealt.act(1, "raise", 100)
    dealt.act(2, "fold", None)
    # when: the last fold ends the hand, returning the raise nobody called
    batch = translate.translate(table.pk, hand, dealt, dealt.act(3, "fold", None), None, refs)
    # then: the fold is told first, settlement after it
    assert [e.type for e in batch.emissions] == ["PLAYER_ACTION"]
    assert batch.over == translate.HandOver(at=1, uncalled={1: 90})
    live.forget(hand)
