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
        BlindLevel.objects.bulk_create(
            BlindLevel(structure=structure, number=number, small_blind=level.small_blind,
                       big_blind=level.big_blind, ante=level.ante, big_blind_ante=level.big_blind_ante,
                       minutes=level.minutes, break_minutes=level.break_minutes)
            for number, level in enumerate(levels, start=1)
        )
        return structure


def structure_named(name: str) -> BlindStructure:
    """The structure a tournament names; VALIDATION on ``structure`` when there is none."""
    structure = BlindStructure.objects.filter(name=name).first()
    if structure is None:
        raise errors.Validation(details={"structure": [f"No blind structure named {name!r}."]})
    return structure
