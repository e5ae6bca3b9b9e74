from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TournamentConfig(AppConfig):
    name = "tournament"

    def ready(self) -> None:
        # Everything tournaments offer the real-time core and the audit.
        from lobby.directory import register_section
        from pokerrt.accounts.audit import register_check
        from pokerrt.realtime.registry import register_player_section, register_stream, register_target

        from . import commands, lobby_rows, snapshots
        from .audit import tournament_chip_problems

        register_target("TOURNAMENT")
        register_stream(
            "TOURNAMENT",
            can_subscribe=lambda tournament_id, user: True,  # public by construction
            snapshot=snapshots.tournament_snapshot,
            exists=snapshots.tournament_exists,
        )
        register_player_section("registrations", snapshots.player_registrations)
        register_section("tournaments", lobby_rows.tournament_rows, lobby_rows.tournament_row)
        commands.register()
        register_check(tournament_chip_problems)
        post_migrate.connect(_install_standard_structures, sender=self)


def _install_standard_structures(sender: AppConfig, **kwargs: Any) -> None:
    """The standard structures, back after a flush emptied the tables (migration 0003 installed them first)."""
    from .models import BlindLevel, BlindStructure
    from .standard_structures import install_standard_structures

    if kwargs.get("using", "default") == "default":
        install_standard_structures(BlindStructure, BlindLevel)
