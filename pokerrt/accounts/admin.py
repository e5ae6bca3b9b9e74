"""Accounts in the admin: users added through do_create_user; wallets and the ledger read-only.

Chips move only through do_transfer, inside the action that caused the move,
so no balance, entry or name claim is written from here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from pokerrt.readonly_admin import ReadOnlyAdmin

from . import usernames
from .actions import do_create_user
from .errors import UsernameTaken
from .models import Account, CanonicalUsername, LedgerEntry

User = get_user_model()


class PlayerCreationForm(UserCreationForm):
    """A name and a password, as at sign-up: do_create_user makes no password-less accounts."""

    def clean_username(self) -> str:
        # The rules of sign-up first, so staff cannot make a name a player could
        # not, and a taken name reads as it does at sign-up.
        self.cleaned_data["username"] = usernames.check_username(self.cleaned_data["username"])
        return super().clean_username()


class PlayerChangeForm(UserChangeForm):
    def clean_username(self) -> str:
        # Saving claims the name's canonical form (signals.claim_username); a
        # form error here instead of the unique index failing in the save.
        name = usernames.normalise(self.cleaned_data["username"])
        claimed = CanonicalUsername.objects.filter(canonical=usernames.canonical(name))
        if claimed.exclude(user=self.instance).exists():
            raise ValidationError(usernames.TAKEN, code="taken")
        return name


admin.site.unregister(User)


@admin.register(User)
class PlayerAdmin(UserAdmin):
    """Django's user pages, a new user made by do_create_user as at sign-up (wallet and name claim).

    Changes stay Django's own (password, staff flags, name): no pokerrt state
    lives on the user row, and the name's claim follows it by signal.
    """

    add_form = PlayerCreationForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),)
    form = PlayerChangeForm

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.pk = do_create_user(form.cleaned_data["username"], form.cleaned_data["password1"]).pk
        obj.refresh_from_db()

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except UsernameTaken as taken:
            # Another sign-up took the name after the form checked it.
            self.message_user(request, str(taken), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "ref", "user", "balance")
    list_filter = ("kind",)
    search_fields = ("ref", "user__username")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "source", "destination", "amount", "reason", "memo")
    list_filter = ("reason",)
    search_fields = ("memo",)
    list_select_related = ("source", "destination")


@admin.register(CanonicalUsername)
class CanonicalUsernameAdmin(ReadOnlyAdmin):
    list_display = ("user", "canonical")
    search_fields = ("canonical",)
