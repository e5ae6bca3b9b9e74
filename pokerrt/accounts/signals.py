"""Every user gets a wallet, however it was created (sign-up, admin, createsuperuser)."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def open_wallet_for_new_user(sender, instance, created, raw=False, **kwargs):  # type: ignore[no-untyped-def]
    if created and not raw:
        from .actions import do_open_wallet

        do_open_wallet(instance)
