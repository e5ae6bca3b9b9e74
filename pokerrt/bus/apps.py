from django.apps import AppConfig


class BusConfig(AppConfig):
    name = "pokerrt.bus"
    label = "bus"
    verbose_name = "RabbitMQ bridge"
