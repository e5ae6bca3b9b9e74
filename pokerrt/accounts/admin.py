"""Accounts in the admin: users added through do_create_user; wallets and the ledger read-only.

Chips move only through actions: staff correct a balance on the player's
"Adjust wallet" page, which runs do_adjust_wallet (a ledger entry from or to
the mint, with the reason). No balance, entry or name claim is written here
directly. API tokens are shown, and may be revoked (deleted), never written.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from pokerrt.errors import PokerrtError
from pokerrt.readonly_admin import ReadOnlyAdmin

from . import usernames
from .actions import MAX_ADJUSTMENT, do_adjust_wallet, do_create_user, wallet_of
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


class AdjustWalletForm(forms.Form):
    amount = forms.IntegerField(help_text="Chips: positive adds, negative takes.",
                                min_value=-MAX_ADJUSTMENT, max_value=MAX_ADJUSTMENT)
    reason = forms.CharField(max_length=150, help_text="Why: it is written on the ledger entry.")


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
    list_display = ("username", "is_staff", "is_active", "date_joined", "last_login", "wallet")

    @admin.display(description="Wallet")
    def wallet(self, obj: Any) -> str:
        account = Account.objects.filter(user=obj).first()
        balance = account.balance if account else 0
        link = reverse("admin:accounts_adjust_wallet", args=[obj.pk])
        return format_html('{} <a href="{}">adjust</a>', balance, link)

    def get_urls(self) -> list[Any]:
        own = [path("<int:user_id>/adjust-wallet/", self.admin_site.admin_view(self.adjust_wallet),
                    name="accounts_adjust_wallet")]
        return own + super().get_urls()

    def adjust_wallet(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """A form for do_adjust_wallet; its refusals are the form's errors."""
        player = get_object_or_404(User, pk=user_id)
        if not request.user.has_perm("accounts.change_account"):
            raise PermissionDenied
        form = AdjustWalletForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                entry = do_adjust_wallet(player, form.cleaned_data["amount"], form.cleaned_data["reason"],
                                         request.user)
            except PokerrtError as error:
                for field, problems in (error.details or {"amount": [error.message]}).items():
                    form.add_error(field if field in form.fields else None, list(problems))
            else:
                self.log_change(request, player, f"Wallet adjusted by {form.cleaned_data['amount']}: "
                                                 f"{form.cleaned_data['reason']} (ledger entry {entry.pk})")
                self.message_user(request, f"{player}'s wallet: {form.cleaned_data['amount']:+d} chips.",
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:auth_user_changelist"))
        return TemplateResponse(request, "admin/accounts/adjust_wallet.html", {
            **self.admin_site.each_context(request), "title": f"Adjust {player}'s wallet", "opts": self.opts,
            "player": player, "balance": wallet_of(player).balance, "form": form,
        })

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
    list_filter = ("reason", "source__kind", "destination__kind")
    search_fields = ("memo", "source__user__username", "destination__user__username")
    date_hierarchy = "created_at"
    list_select_related = ("source", "destination")


@admin.register(CanonicalUsername)
class CanonicalUsernameAdmin(ReadOnlyAdmin):
    list_display = ("user", "canonical")
    search_fields = ("canonical",)


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ReadOnlyTokenAdmin(TokenAdmin):
    """Tokens are made at sign-up and log-in (POST /api/auth/token/), never typed in: staff may only revoke one."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
