from django.contrib import admin

from .models import Account, LedgerEntry


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "ref", "user", "balance")
    list_filter = ("kind",)
    search_fields = ("ref", "user__username")
    # Balances change only through the ledger (actions.do_transfer).
    readonly_fields = ("kind", "ref", "user", "balance")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "source", "destination", "amount", "reason", "memo")
    list_filter = ("reason",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
