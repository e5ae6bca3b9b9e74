from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pokerrt.accounts"
    label = "accounts"
    verbose_name = "Accounts and chips"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the wallet opener)
