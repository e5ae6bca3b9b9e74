"""Tournaments in the admin: added through do_create_tournament; no action changes or removes one yet, so neither does the admin."""

from __future__ import annotations

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from .actions import do_create_tournament
from .models import Tournament

# What a new tournament is created with; everything else is its state.
SETTINGS = ("kind", "buy_in", "starting_stack", "min_players", "max_players", "table_size", "starts_at",
            "structure", "payout_percentages")


@admin.register(Tournament)
class TournamentAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "lobby", "kind", "buy_in", "max_players", "status")
    list_filter = ("kind", "status")
    search_fields = ("name",)
    readonly_fields = ("status", "created_at")

    def get_fields(self, request: HttpRequest, obj: Tournament | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("lobby", "name", *SETTINGS)
        return ("lobby", "name", *SETTINGS, *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Tournament, form: ModelForm, change: bool) -> None:
        settings = {name: form.cleaned_data[name] for name in SETTINGS}
        obj.pk = do_create_tournament(form.cleaned_data["lobby"], form.cleaned_data["name"], **settings).pk
        obj.refresh_from_db()

    def has_change_permission(self, request: HttpRequest, obj: Tournament | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Tournament | None = None) -> bool:
        return False
