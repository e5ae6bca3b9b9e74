from django.apps import AppConfig


class LobbyConfig(AppConfig):
    name = "lobby"

    def ready(self) -> None:
        from pokerrt.realtime.registry import register_target

        register_target("LOBBY")
