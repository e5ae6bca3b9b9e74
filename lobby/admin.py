"""Lobbies in the admin: created, changed and deleted only through lobby.actions.

Staff get the checks and events of the LOBBY_CREATE, LOBBY_UPDATE and
LOBBY_DELETE commands, because the same actions run. Deleted lobbies are
not listed (their rows stay for the tables and tournaments they held).
Members are written by presence alone: read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from pokerrt.readonly_admin import ReadOnlyAdmin

from . import directory
from .actions import do_create_lobby, do_delete_lobby, do_update_lobby
from .models import Lobby, Member


@admin.register(Lobby)
class LobbyAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "description", "created_at")
    search_fields = ("name",)
    fields = ("name", "description")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lobby]:
        return super().get_queryset(request).filter(deleted_at__isnull=True)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # One lobby at a time, each through do_delete_lobby and its refusal.
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Lobby, form: ModelForm, change: bool) -> None:
        if not change:
            obj.pk = do_create_lobby(form.cleaned_data["name"], form.cleaned_data["description"]).pk
        else:
            changed = {name: form.cleaned_data[name] for name in form.changed_data if name in self.fields}
            if changed:
                do_update_lobby(obj.pk, **changed)
        obj.refresh_from_db()

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        # Deleting keeps the row (its closed tables point at it), so Django's
        # cascade listing does not apply; what refuses it is what
        # do_delete_lobby refuses: live tables or tournaments.
        [lobby] = objs
        live = [f"{len(directory.rows(name, lobby.pk))} live {name}" for name in directory.SECTIONS
                if directory.rows(name, lobby.pk)]
        return [str(lobby)], {"lobbies": 1}, set(), live

    def delete_model(self, request: HttpRequest, obj: Lobby) -> None:
        do_delete_lobby(obj.pk)


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("lobby", "user", "connection", "joined_at")
    list_filter = ("lobby",)
    search_fields = ("user__username",)
    list_select_related = ("lobby", "user")
