"""Tournaments made before structures were shared keep running on the standard turbo structure."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tournament.models import BlindStructure, Tournament

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tournament", "0001_initial")]
AFTER = [("tournament", "0004_structure_required")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_an_older_tournament_gets_the_turbo_structure_and_keeps_its_settings():
    # given: a tournament with its levels in a JSON list, as 0001 stored them
    old_apps = migrate(BEFORE)
    lobby = old_apps.get_model("lobby", "Lobby").objects.create(name="Old lobby")
    old = old_apps.get_model("tournament", "Tournament").objects.create(
        lobby_id=lobby.pk, name="Old SNG", buy_in=50, max_players=6, table_size=6,
        structure=[{"level": 1, "small_blind": 10, "big_blind": 20, "ante": 0, "minutes": 5}],
        payout_percentages=[65, 35])
    # when
    try:
        migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    # then
    tournament = Tournament.objects.get(pk=old.pk)
    assert tournament.structure == BlindStructure.objects.get(name="turbo")
    assert (tournament.buy_in, tournament.fee, tournament.max_players, tournament.payout_percentages) == (
        50, 0, 6, [65, 35])
    assert (tournament.status, tournament.level, tournament.late_registration_levels) == ("registering", 0, 0)
