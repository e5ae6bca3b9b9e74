from django.apps import AppConfig


class TimersConfig(AppConfig):
    name = "pokerrt.timers"
    label = "timers"
    verbose_name = "Timers"

    def ready(self) -> None:
        from . import inprocess, tasks
        from .wakeups import register_backend

        register_backend("celery", tasks.wake_up)
        register_backend("inprocess", inprocess.wake_up)
