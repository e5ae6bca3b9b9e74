from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "pokerrt.realtime"
    label = "realtime"
    verbose_name = "Real-time core"

    def ready(self) -> None:
        from . import snapshots

        snapshots.register()
