"""Lobbies in the admin: added through do_create_lobby; no action changes or removes one, so neither does the admin."""

from __future__ import annotations

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from .actions import do_create_lobby
from .models import Lobby


@admin.register(Lobby)
class LobbyAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "description", "created_at")
    search_fields = ("name",)
    fields = ("name", "description")

    def save_model(self, request: HttpRequest, obj: Lobby, form: ModelForm, change: bool) -> None:
        obj.pk = do_create_lobby(form.cleaned_data["name"], form.cleaned_data["description"]).pk
        obj.refresh_from_db()

    def has_change_permission(self, request: HttpRequest, obj: Lobby | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Lobby | None = None) -> bool:
        return False
