from django.apps import AppConfig


class TimersConfig(AppConfig):
    name = "pokerrt.timers"
    label = "timers"
    verbose_name = "Timers"
