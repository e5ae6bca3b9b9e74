"""Processed command ids are remembered for EVENT_BUS_DEDUPE_DAYS, then forgotten."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pokerrt.bus.commands import forget_processed_messages
from pokerrt.bus.models import ProcessedMessage

pytestmark = pytest.mark.django_db


def test_ids_older_than_the_window_are_forgotten_and_younger_ones_kept(settings):
    settings.EVENT_BUS_DEDUPE_DAYS = 7
    old = ProcessedMessage.objects.create(message_id="old", command_type="TOURNAMENT_REGISTER")
    ProcessedMessage.objects.filter(pk=old.pk).update(processed_at=timezone.now() - dt.timedelta(days=8))
    ProcessedMessage.objects.create(message_id="recent", command_type="TOURNAMENT_REGISTER")
    assert forget_processed_messages() == 1
    assert list(ProcessedMessage.objects.values_list("message_id", flat=True)) == ["recent"]
