from django.apps import AppConfig


class TournamentConfig(AppConfig):
    name = "tournament"

    def ready(self) -> None:
        from pokerrt.realtime.registry import register_target

        register_target("TOURNAMENT")
