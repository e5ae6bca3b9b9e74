from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TournamentConfig(AppConfig):
    name = "tournament"

    def ready(self) -> None:
        # Everything tournaments offer the real-time core and the audit.
        from lobby.directory import register_section
        from pokerrt.accounts.audit import register_check
        from pokerrt.realtime.digest import register_digest
        from pokerrt.realtime.presence import register_connection_hook
        from pokerrt.realtime.registry import register_player_section, register_stream, register_target
        from pokerrt.realtime.validation import register_validator
        from pokerrt.timers import register_timer_handler
        from tables.models import TableKind
        from tables.policies import register_policy

        from . import actions, commands, lobby_rows, snapshots, tasks, validation
        from .audit import tournament_chip_problems, tournament_table_chip_problems
        from .policy import AFTER_HANDS, TournamentPolicy

        register_target("TOURNAMENT")
        register_stream(
            "TOURNAMENT",
            can_subscribe=lambda tournament_id, user: True,  # public by construction
            snapshot=snapshots.tournament_snapshot,
            exists=snapshots.tournament_exists,
        )
        register_digest("TOURNAMENT")
        register_validator("TOURNAMENT", validation.tournament_problems, active=validation.active_tournaments)
        register_player_section("registrations", snapshots.player_registrations)
        register_section("tournaments", lobby_rows.tournament_rows, lobby_rows.tournament_row)
        commands.register()
        # The tournament's watchers hear when a registered player's last connection goes and comes back.
        register_connection_hook(on_first_connect=actions.do_player_reconnected,
                                 on_last_disconnect=actions.do_player_disconnected)
        register_check(tournament_chip_problems)
        register_check(tournament_table_chip_problems)
        # Tournament tables seat players by the tournament's rules; its timers run the start, clock and hands.
        register_policy(TableKind.TOURNAMENT, TournamentPolicy())
        lock = tasks.lock_tournament_of
        register_timer_handler("tournament.start", tasks.start, lock=lock)
        register_timer_handler("tournament.clock", tasks.clock, lock=lock)
        register_timer_handler(AFTER_HANDS, tasks.after_hands, lock=tasks.lock_tournament_and_table)
        post_migrate.connect(_install_standard_structures, sender=self)


def _install_standard_structures(sender: AppConfig, **kwargs: Any) -> None:
    """The standard structures, back after a flush emptied the tables (migration 0003 installed them first)."""
    from .models import BlindLevel, BlindStructure
    from .standard_structures import install_standard_structures

    if kwargs.get("using", "default") == "default":
        install_standard_structures(BlindStructure, BlindLevel)
