"""Blind structures: the rules of a playable structure, its storage, and the two standard ones."""

import pytest

from pokerrt import errors
from tournament.actions import do_create_structure
from tournament.models import BlindStructure
from tournament.structures import Level, check_levels, level_problems

from .helpers import world

pytestmark = pytest.mark.django_db

GOOD = [Level(10, 20, minutes=10), Level(15, 30, minutes=10, break_minutes=5), Level(25, 50, 5, minutes=10)]


def test_a_structure_with_rising_blinds_is_playable():
    assert level_problems(GOOD) == []
    check_levels(GOOD)


@pytest.mark.parametrize("levels, problem", [
    ([], "A structure needs at least one level."),
    ([Level(10, 20), Level(10, 15)], "Level 2: the blinds go down from level 1."),
    ([Level(10, 20), Level(5, 20)], "Level 2: the blinds go down from level 1."),
    ([Level(30, 20)], "Level 1: the small blind is above the big blind."),
    ([Level(10, 20, minutes=0)], "Level 1: a level lasts 1 to 600 minutes."),
    ([Level(0, 20)], "Level 1: the small blind must be at least 1."),
    ([Level(10, 20, ante=-1)], "Level 1: ante must be a whole number of at least 0."),
    ([Level(10, 20, break_minutes=5)], "Level 1: the last level never ends, so no break can follow it."),
    ([Level(10, 20, minutes=True)], "Level 1: minutes must be a whole number of at least 0."),
])
def test_an_unplayable_structure_is_a_validation_error_naming_the_level(levels, problem):
    assert problem in level_problems(levels)
    with pytest.raises(errors.Validation) as refused:
        check_levels(levels)
    assert problem in refused.value.details["levels"]


def test_a_structure_is_stored_with_its_levels_in_order():
    structure = do_create_structure("deep", GOOD, "Deep stacks")
    rows = list(structure.levels.values_list("number", "small_blind", "big_blind", "ante", "break_minutes"))
    assert rows == [(1, 10, 20, 0, 0), (2, 15, 30, 0, 5), (3, 25, 50, 5, 0)]


@pytest.mark.parametrize("name, levels", [
    ("deep", []),
    ("deep", [Level(10, 20), Level(5, 10)]),
    ("turbo", GOOD),  # taken
    ("", GOOD),
])
def test_a_refused_structure_stores_nothing(name, levels):
    before = world()
    with pytest.raises(errors.Validation):
        do_create_structure(name, levels)
    assert world() == before


@pytest.mark.parametrize("name", ["turbo", "regular"])
def test_the_standard_structures_ship_playable(name):
    structure = BlindStructure.objects.get(name=name)
    levels = [Level(r.small_blind, r.big_blind, r.ante, r.big_blind_ante, r.minutes, r.break_minutes)
              for r in structure.levels.order_by("number")]
    assert len(levels) >= 20
    assert level_problems(levels) == []
    assert any(level.break_minutes for level in levels)


def test_turbo_levels_are_shorter_than_regular_ones():
    turbo = set(BlindStructure.objects.get(name="turbo").levels.values_list("minutes", flat=True))
    regular = set(BlindStructure.objects.get(name="regular").levels.values_list("minutes", flat=True))
    assert max(turbo) < min(regular)


def test_installing_the_standard_structures_again_adds_nothing_and_keeps_a_reshaped_one():
    from tournament.models import BlindLevel
    from tournament.standard_structures import install_standard_structures

    BlindLevel.objects.filter(structure__name="turbo", number__gt=3).delete()
    assert install_standard_structures(BlindStructure, BlindLevel) == []
    assert BlindStructure.objects.get(name="turbo").levels.count() == 3
    BlindStructure.objects.filter(name="regular").delete()
    assert install_standard_structures(BlindStructure, BlindLevel) == ["regular"]
