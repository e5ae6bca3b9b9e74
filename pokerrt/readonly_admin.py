"""Admin pages for rows only actions may write: staff look, nobody adds, edits or deletes."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete for anyone, superusers included.

    A row written here would skip its action: no event in the journal, no
    ledger entry for the chips, no lock. The pages stay for reading.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
