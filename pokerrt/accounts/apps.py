from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pokerrt.accounts"
    label = "accounts"
    verbose_name = "Accounts and chips"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save

        from pokerrt.throttling import Rate

        from . import signals

        # The name first: a taken name fails before any chips move.
        post_save.connect(signals.claim_username, sender=settings.AUTH_USER_MODEL)
        post_save.connect(signals.open_wallet_for_new_user, sender=settings.AUTH_USER_MODEL)

        # A mistyped rate stops the start, not the first log-in.
        for rate in settings.POKERRT_THROTTLES.values():
            Rate.parse(rate)
