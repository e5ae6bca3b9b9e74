from django.apps import AppConfig


class TournamentConfig(AppConfig):
    name = "tournament"

    def ready(self) -> None:
        from lobby.directory import register_section
        from pokerrt.realtime.registry import register_target

        from . import lobby_rows

        register_target("TOURNAMENT")
        register_section("tournaments", lobby_rows.rows_of_lobby, lobby_rows.row_of_item)
