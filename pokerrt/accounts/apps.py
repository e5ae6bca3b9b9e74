from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pokerrt.accounts"
    label = "accounts"
    verbose_name = "Accounts and chips"

    def ready(self) -> None:
        from django.conf import settings

        from pokerrt.throttling import Rate

        from . import signals  # noqa: F401  (connects the wallet opener)

        # A mistyped rate stops the start, not the first log-in.
        for rate in settings.POKERRT_THROTTLES.values():
            Rate.parse(rate)
