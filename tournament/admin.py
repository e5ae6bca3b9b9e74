"""Tournaments in the admin, through their actions: added by do_create_tournament, cancelled by do_cancel_tournament.

Structures, levels and entries are written only by actions (the ledger and
the journal go with them), so their pages are read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from lobby.models import Lobby
from pokerrt import errors
from pokerrt.live_admin import live_state
from pokerrt.readonly_admin import ReadOnlyAdmin

from .actions import do_cancel_tournament, do_create_tournament, do_pause, do_resume, do_start_tournament
from .models import BlindLevel, BlindStructure, Entry, Tournament
from .snapshots import tournament_snapshot

# What a new tournament is created with; everything else is its state.
SETTINGS = ("kind", "buy_in", "fee", "starting_stack", "min_players", "max_players", "table_size", "starts_at",
            "late_registration_levels", "structure", "payout_structure", "payout_percentages")
STATE = ("status", "level", "on_break", "period_ends_at", "created_at", "started_at", "finished_at", "live_state")


@admin.register(Tournament)
class TournamentAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "lobby", "kind", "buy_in", "fee", "max_players", "status")
    list_filter = ("kind", "status", "lobby")
    search_fields = ("name",)
    readonly_fields = STATE
    actions = ["start", "pause", "resume", "cancel"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "lobby":
            # New tournaments go to live lobbies only (do_create_tournament refuses the others).
            kwargs["queryset"] = Lobby.objects.live()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Tournament | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("lobby", "name", *SETTINGS)
        return ("lobby", "name", *SETTINGS, *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Tournament, form: ModelForm, change: bool) -> None:
        settings = {name: form.cleaned_data[name] for name in SETTINGS}
        obj.pk = do_create_tournament(form.cleaned_data["lobby"], form.cleaned_data["name"], **settings).pk
        obj.refresh_from_db()

    @admin.display(description="Live state (the TOURNAMENT snapshot)")
    def live_state(self, obj: Tournament) -> str:
        return live_state(tournament_snapshot, obj.pk)

    def run(self, request: HttpRequest, queryset: QuerySet[Tournament], action: Any, done: str) -> None:
        """``action`` on each tournament on its own: a refusal is told, and the rest go on."""
        for tournament in queryset:
            try:
                action(tournament.pk)
            except errors.PokerrtError as error:
                self.message_user(request, f"{tournament}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{tournament}: {done}")

    # The clock and the field are the tournament's state: changing them is
    # "change" on tournaments, which no staff form gives (see has_change_permission).
    def has_run_permission(self, request: HttpRequest) -> bool:
        return request.user.is_staff and request.user.has_perm("tournament.add_tournament")

    @admin.action(description="Start the selected tournaments now (seat everyone registered)", permissions=["run"])
    def start(self, request: HttpRequest, queryset: QuerySet[Tournament]) -> None:
        self.run(request, queryset, do_start_tournament, "started.")

    @admin.action(description="Pause the selected tournaments (stop the clock; no new hands)", permissions=["run"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Tournament]) -> None:
        self.run(request, queryset, do_pause, "paused.")

    @admin.action(description="Resume the selected paused tournaments", permissions=["run"])
    def resume(self, request: HttpRequest, queryset: QuerySet[Tournament]) -> None:
        self.run(request, queryset, do_resume, "resumed.")

    @admin.action(description="Cancel the selected tournaments and refund every entry", permissions=["run"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Tournament]) -> None:
        self.run(request, queryset, do_cancel_tournament, "cancelled, entries refunded.")

    def get_actions(self, request: HttpRequest) -> dict[str, object]:
        # No bulk delete: a tournament ends by cancelling it, which refunds its entries.
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    def has_change_permission(self, request: HttpRequest, obj: Tournament | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Tournament | None = None) -> bool:
        return False


class LevelInline(admin.TabularInline):
    model = BlindLevel
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(BlindStructure)
class BlindStructureAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "description")
    inlines = [LevelInline]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "tournament", "user", "status", "chips", "table", "finish_position", "prize")
    list_filter = ("status", "tournament")
    list_select_related = ("tournament", "user", "table")
    search_fields = ("user__username", "tournament__name")
