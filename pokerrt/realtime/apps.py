from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "pokerrt.realtime"
    label = "realtime"
    verbose_name = "Real-time core"

    def ready(self) -> None:
        # The core's own target; the apps register the others in their ready().
        from . import snapshots
        from .registry import register_stream, register_target

        register_target("PLAYER")
        register_stream(
            "PLAYER",
            can_subscribe=snapshots.can_subscribe_player,
            snapshot=snapshots.player_snapshot,
            exists=snapshots.player_exists,
        )
