"""Every user gets a wallet and a claim on its name, however it was created (sign-up, admin, createsuperuser).

AccountsConfig.ready() connects both to the user model's ``post_save``.
"""


def claim_username(sender, instance, raw=False, update_fields=None, **kwargs):  # type: ignore[no-untyped-def]
    # Most saves (a log-in's last_login) do not touch the name.
    if raw or (update_fields is not None and instance.USERNAME_FIELD not in update_fields):
        return
    from .actions import do_claim_username

    do_claim_username(instance)


def open_wallet_for_new_user(sender, instance, created, raw=False, **kwargs):  # type: ignore[no-untyped-def]
    if created and not raw:
        from .actions import do_open_wallet

        do_open_wallet(instance)
