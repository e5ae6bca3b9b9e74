from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "pokerrt.realtime"
    label = "realtime"
    verbose_name = "Real-time core"

    def ready(self) -> None:
        # The core's own target; the apps register the others in their ready().
        from . import reconcile, revocation, snapshots
        from .registry import register_stream, register_target
        from .validation import register_active, register_mend

        register_target("PLAYER")
        register_stream(
            "PLAYER",
            can_subscribe=snapshots.can_subscribe_player,
            snapshot=snapshots.player_snapshot,
            exists=snapshots.player_exists,
        )
        # The PLAYER streams worth checking: their owners are connected now.
        register_active("PLAYER", snapshots.connected_players)
        register_mend(reconcile.DROP_GHOST_PRESENCE, reconcile.drop_ghost_presence)
        register_mend(reconcile.DROP_CLOSED_SOCKET, reconcile.drop_closed_socket)
        # Revoked credentials pushed to their open sockets.
        revocation.install()
