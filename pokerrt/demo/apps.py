from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pokerrt.demo"
    label = "demo"
    verbose_name = "Demo data"
