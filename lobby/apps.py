from django.apps import AppConfig


class LobbyConfig(AppConfig):
    name = "lobby"

    def ready(self) -> None:
        # Everything the lobby offers the real-time core and the timers; the
        # tables and tournaments plug their rows in (lobby.directory) from their own ready().
        from pokerrt.realtime.digest import register_digest
        from pokerrt.realtime.presence import register_connection_hook
        from pokerrt.realtime.registry import register_stream, register_target
        from pokerrt.realtime.validation import register_mend, register_validator
        from pokerrt.timers import register_timer_handler

        from . import actions, commands, snapshots, tasks, validation
        from .directory import SEND_ROWS, rows_sent

        register_target("LOBBY")
        register_stream(
            "LOBBY",
            can_subscribe=lambda lobby_id, user: True,  # public by construction
            snapshot=snapshots.lobby_snapshot,
            exists=snapshots.lobby_exists,
        )
        register_digest("LOBBY", settled=rows_sent)
        register_validator("LOBBY", validation.lobby_problems, active=validation.active_lobbies)
        register_mend(validation.REMARK_ROW, lambda problem: actions.do_remark_row(
            int(problem.stream_id), *problem.subject.split(":", 1)))
        commands.register()
        register_timer_handler(SEND_ROWS, tasks.send_rows, lock=tasks.lock_lobby_of)
        register_connection_hook(on_close=actions.do_sockets_closed)
