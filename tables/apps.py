from django.apps import AppConfig


class TablesConfig(AppConfig):
    name = "tables"

    def ready(self) -> None:
        # Everything the tables offer the real-time core, the timers and the audit.
        from lobby.directory import register_section
        from pokerrt.accounts.audit import register_check
        from pokerrt.realtime.digest import register_digest
        from pokerrt.realtime.presence import register_connection_hook
        from pokerrt.realtime.registry import register_player_section, register_stream, register_target
        from pokerrt.realtime.validation import register_mend, register_validator
        from pokerrt.timers import register_timer_handler

        from . import actions, commands, lobby_rows, snapshots, tasks, validation
        from .audit import table_chip_problems
        from .models import TableKind
        from .policies import CashPolicy, register_policy

        register_target("TABLE")
        register_stream(
            "TABLE",
            can_subscribe=lambda table_id, user: True,  # public by construction
            snapshot=snapshots.table_snapshot,
            exists=snapshots.table_exists,
            awaited_user=snapshots.awaited_user,
        )
        register_digest("TABLE")
        register_validator("TABLE", validation.table_problems, active=validation.active_tables)
        register_validator("PLAYER", validation.player_seat_problems)
        register_mend(validation.REARM_ACTION_CLOCK, lambda problem: actions.do_rearm_action_clock(problem.stream_id))
        register_mend(validation.REFRESH_LIVE_HAND, lambda problem: actions.do_refresh_live_hand(problem.stream_id))
        register_player_section("seats", snapshots.player_seats)
        register_section("tables", lobby_rows.rows_of_lobby, lobby_rows.row_of_item)
        commands.register()
        register_timer_handler("tables.start_hand", tasks.start_hand, lock=tasks.lock_table_of)
        register_timer_handler("tables.action_clock", tasks.action_clock, lock=tasks.lock_table_of)
        register_timer_handler("tables.sit_out_expired", tasks.sit_out_expired, lock=tasks.lock_table_of)
        register_timer_handler("tables.grace_expired", tasks.grace_expired, lock=tasks.lock_table_of)
        register_connection_hook(
            on_first_connect=actions.do_player_reconnected,
            on_last_disconnect=actions.do_player_disconnected,
        )
        register_check(table_chip_problems)
        # The cash game's seating rules; the tournament app registers its own.
        register_policy(TableKind.CASH, CashPolicy())
