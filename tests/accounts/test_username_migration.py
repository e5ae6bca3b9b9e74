"""Existing users get their canonical names when the migration adds them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pokerrt.accounts.models import CanonicalUsername

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_canonical_username")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_users_are_claimed_and_the_oldest_keeps_a_clashing_name(capsys):
    # given: accounts made before names were compared ignoring case
    old_apps = migrate(BEFORE)
    User = old_apps.get_model("auth", "User")
    alice = User.objects.create(username="alice")
    shouting = User.objects.create(username="ALICE")
    bob = User.objects.create(username="Bob")
    # when
    try:
        migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    # then
    claims = dict(CanonicalUsername.objects.values_list("user_id", "canonical"))
    assert claims == {alice.pk: "alice", bob.pk: "bob"}
    assert f"'ALICE' (id {shouting.pk}, same name as id {alice.pk})" in capsys.readouterr().out
