"""Blind structures: checked whole, stored with their levels. No stream: tournaments carry their structure."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from pokerrt import errors

from ..models import BlindLevel, BlindStructure
from ..structures import Level, check_levels


def do_create_structure(name: str, levels: Sequence[Level], description: str = "") -> BlindStructure:
    """A new named structure; VALIDATION for levels no clock could play or a name taken."""
    check_levels(levels)
    if not name or len(name) > 40:
        raise errors.Validation(details={"name": ["1 to 40 characters."]})
    with transaction.atomic():
        if BlindStructure.objects.filter(name=name).exists():
            raise errors.Validation(details={"name": [f"A structure named {name!r} exists."]})
        structure = BlindStructure.objects.create(name=name, description=description)
        _add_levels(structure, levels)
        return structure


def _add_levels(structure: BlindStructure, levels: Sequence[Level]) -> None:
    BlindLevel.objects.bulk_create(
        BlindLevel(structure=structure, number=number, small_blind=level.small_blind,
                   big_blind=level.big_blind, ante=level.ante, big_blind_ante=level.big_blind_ante,
                   minutes=level.minutes, break_minutes=level.break_minutes)
        for number, level in enumerate(levels, start=1)
    )


def structure_named(name: str) -> BlindStructure:
    """The structure a tournament names; VALIDATION on ``structure`` when there is none."""
    structure = BlindStructure.objects.filter(name=name).first()
    if structure is None:
        raise errors.Validation(details={"structure": [f"No blind structure named {name!r}."]})
    return structure


def lock_structure(structure_id: int | str) -> BlindStructure:
    """The structure's row, locked until the transaction ends; NOT_FOUND when there is none."""
    try:
        pk = int(structure_id)
    except (TypeError, ValueError):
        raise errors.NotFound(f"No blind structure {structure_id}.") from None
    structure = BlindStructure.objects.select_for_update().filter(pk=pk).first()
    if structure is None:
        raise errors.NotFound(f"No blind structure {structure_id}.")
    return structure


def _check_unused(structure: BlindStructure, doing: str) -> None:
    # A tournament plays its structure's levels as they are when each level
    # starts, and its history names them: changing or removing them under a
    # tournament would rewrite what its players were told. A new structure
    # is the way to change one in use.
    used = structure.tournaments.count()
    if used:
        raise errors.Conflict(f"{used} tournament(s) use this structure; {doing} it is refused. Create a new one.")


def do_update_structure(structure_id: int | str, *, name: str | None = None, description: str | None = None,
                        levels: Sequence[Level] | None = None) -> BlindStructure:
    """Rename, redescribe or replace the levels of a structure no tournament uses yet."""
    with transaction.atomic():
        structure = lock_structure(structure_id)
        _check_unused(structure, "changing")
        if name is not None and name != structure.name:
            if not name or len(name) > 40:
                raise errors.Validation(details={"name": ["1 to 40 characters."]})
            if BlindStructure.objects.filter(name=name).exclude(pk=structure.pk).exists():
                raise errors.Validation(details={"name": [f"A structure named {name!r} exists."]})
            structure.name = name
        if description is not None:
            structure.description = description
        structure.save()
        if levels is not None:
            check_levels(levels)
            structure.levels.all().delete()
            _add_levels(structure, levels)
        return structure


def do_delete_structure(structure_id: int | str) -> None:
    """Remove a structure no tournament uses (none ever played it)."""
    with transaction.atomic():
        structure = lock_structure(structure_id)
        _check_unused(structure, "deleting")
        structure.delete()
