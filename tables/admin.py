"""Tables in the admin: created, changed and closed only through tables.actions.

Staff get the checks, events and chip movements of the TABLE_CREATE,
TABLE_UPDATE and TABLE_DELETE commands, because the same actions run.
Seats, hands and their actions are written by play alone: read-only here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from lobby.models import Lobby
from pokerrt.errors import PokerrtError
from pokerrt.live_admin import live_state
from pokerrt.readonly_admin import ReadOnlyAdmin

from .actions import (
    TABLE_FIELDS,
    check_table,
    do_create_table,
    do_delete_table,
    do_leave_table,
    do_update_table,
)
from .histories import pokerstars_text
from .models import Hand, HandAction, HandPlayer, HandStatus, Seat, Table, TableStatus
from .snapshots import table_snapshot

# Kept up to date by play and the actions; no action takes them from staff.
STATE_FIELDS = ("kind", "status", "positions", "hands_dealt", "created_at", "live_state")

CLOSED = "Closed the table; seated players were cashed out."


def refusal_text(error: PokerrtError) -> str:
    """An action's refusal with each field's reasons, for a message above the page."""
    reasons = [f"{field}: {' '.join(map(str, problems))}" for field, problems in (error.details or {}).items()]
    return " ".join([error.message, *reasons])


class TableForm(forms.ModelForm):
    """Checked by check_table, as the actions check, so the form refuses what they would."""

    class Meta:
        model = Table
        fields = ("lobby", *TABLE_FIELDS)

    def _post_clean(self) -> None:
        # The model form's own validation puts the typed values on the instance
        # first; only then can check_table see the table as it would be saved,
        # including what the form cannot know (players in seats to be removed).
        super()._post_clean()
        if self.errors:
            return
        try:
            check_table(self.instance)
        except PokerrtError as error:
            details = error.details or {}
            for field, problems in details.items():
                self.add_error(field if field in self.fields else None, list(problems))
            if not details:
                self.add_error(None, error.message)


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    form = TableForm
    list_display = ("id", "name", "lobby", "kind", "max_seats", "small_blind", "big_blind", "status",
                    "hands_dealt")
    list_filter = ("kind", "status", "lobby")
    search_fields = ("name",)
    actions = ("close_tables",)
    # "Delete" closes: the row stays, since hands, ledger memos and the journal name it.
    delete_confirmation_template = "admin/tables/table/close_confirmation.html"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "lobby":
            # New tables go to live lobbies only (do_create_table refuses the others).
            kwargs["queryset"] = Lobby.objects.live()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Table | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("lobby", *TABLE_FIELDS)
        return ("lobby", *TABLE_FIELDS, *STATE_FIELDS)

    @admin.display(description="Live state (the TABLE snapshot)")
    def live_state(self, obj: Table) -> str:
        return live_state(table_snapshot, obj.pk)

    def get_readonly_fields(self, request: HttpRequest, obj: Table | None = None) -> tuple[str, ...]:
        # do_update_table takes TABLE_FIELDS only: a table never moves lobby.
        return () if obj is None else ("lobby", *STATE_FIELDS)

    def has_change_permission(self, request: HttpRequest, obj: Table | None = None) -> bool:
        # do_update_table refuses a closed table; its page is for reading.
        closed = obj is not None and obj.status == TableStatus.CLOSED
        return super().has_change_permission(request, obj) and not closed

    def has_delete_permission(self, request: HttpRequest, obj: Table | None = None) -> bool:
        closed = obj is not None and obj.status == TableStatus.CLOSED
        return super().has_delete_permission(request, obj) and not closed

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # The site-wide bulk delete would say "deleted"; close_tables says what happens.
        actions.pop("delete_selected", None)
        return actions

    # --- writes, each through an action

    def save_model(self, request: HttpRequest, obj: Table, form: TableForm, change: bool) -> None:
        settings = {name: form.cleaned_data[name] for name in TABLE_FIELDS}
        if not change:
            obj.pk = do_create_table(form.cleaned_data["lobby"], **settings).pk
        else:
            changed = {name: settings[name] for name in form.changed_data if name in settings}
            # An unchanged form has nothing to tell the table's subscribers.
            if changed:
                do_update_table(obj.pk, **changed)
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Table) -> None:
        do_delete_table(obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Table]) -> None:
        self.close(request, queryset)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> list[Any]:
        # Closing keeps the row: its history records a change, not a deletion.
        return [self.log_change(request, table, CLOSED) for table in queryset]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        # Nothing is deleted, so nothing related is lost or protected.
        return [str(table) for table in objs], {}, set(), []

    def close(self, request: HttpRequest, tables: Any) -> list[Table]:
        """Close each table on its own; a refusal (a hand in play) is told and the rest go on."""
        closed = []
        for table in tables:
            if table.status == TableStatus.CLOSED:
                continue
            try:
                do_delete_table(table.pk)
            except PokerrtError as error:
                self.message_user(request, f"“{table}” was not closed. {refusal_text(error)}", messages.ERROR)
            else:
                closed.append(table)
        return closed

    @admin.action(description="Close selected tables (seated players are cashed out)", permissions=["delete"])
    def close_tables(self, request: HttpRequest, queryset: QuerySet[Table]) -> HttpResponse | None:
        tables = list(queryset.exclude(status=TableStatus.CLOSED))
        if not tables:
            self.message_user(request, "The selected tables are closed already.", messages.WARNING)
            return None
        if not request.POST.get("post"):
            return TemplateResponse(request, "admin/tables/table/close_selected_confirmation.html", {
                **self.admin_site.each_context(request),
                "title": "Close tables",
                "opts": self.opts,
                "tables": tables,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            })
        closed = self.close(request, tables)
        for table in closed:
            self.log_change(request, table, CLOSED)
        if closed:
            self.message_user(request, f"Closed {len(closed)} table(s); their players were cashed out.",
                              messages.SUCCESS)
        return None

    # --- an action's refusal is a message, never a 500

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PokerrtError as error:
            # The form passed check_table, but the action checks again under the
            # table's lock, and a player may have sat down in between.
            self.message_user(request, f"Nothing was saved. {refusal_text(error)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, object_id: str,
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, {"title": "Close the table", **(extra_context or {})})
        except PokerrtError as error:
            self.message_user(request, f"The table was not closed. {refusal_text(error)}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:tables_table_change", args=[object_id]))

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> HttpResponse:
        self.message_user(request, f"The table “{obj_display}” is closed; its players were cashed out.",
                          messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:tables_table_changelist"))


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ("table", "number", "user", "stack", "status", "owes", "leaving", "disconnected_at")
    list_filter = ("status", "leaving", "table__kind")
    search_fields = ("table__name", "user__username")
    list_select_related = ("table", "user")
    actions = ("stand_up",)

    def has_stand_up_permission(self, request: HttpRequest) -> bool:
        # Standing someone up changes a table, as closing one does.
        return request.user.has_perm("tables.change_table")

    @admin.action(description="Stand the selected players up (after the hand in play; chips to their wallet)",
                  permissions=["stand_up"])
    def stand_up(self, request: HttpRequest, queryset: QuerySet[Seat]) -> None:
        """Each player leaves as by their own TABLE_LEAVE: now, or when the hand they are in ends."""
        for seat in queryset.select_related("user", "table").filter(user__isnull=False):
            try:
                do_leave_table(seat.user, seat.table_id)
            except PokerrtError as error:
                self.message_user(request, f"{seat.user} at “{seat.table}”: {refusal_text(error)}", messages.ERROR)
            else:
                self.message_user(request, f"{seat.user} at “{seat.table}” stands up.", messages.SUCCESS)


@admin.register(Hand)
class HandAdmin(ReadOnlyAdmin):
    list_display = ("id", "table", "number", "button", "status", "started_at", "ended_at")
    list_filter = ("status",)
    search_fields = ("table__name",)
    list_select_related = ("table",)
    # Never the deck: it stays private until the rules show its cards.
    fields = ("table", "number", "button", "status", "config", "players", "commitment", "result",
              "action_deadline", "bank_started_at", "started_at", "ended_at", "history")
    readonly_fields = ("history",)

    @admin.display(description="Hand history (as the table saw it)")
    def history(self, obj: Hand) -> str:
        # The public text: the board and the hands shown, no other hole card,
        # as a spectator's history (viewer None) reads.
        if obj.status != HandStatus.ENDED:
            return "The hand is in play: its history is written when it ends."
        return format_html("<pre>{}</pre>", pokerstars_text(obj, None))


@admin.register(HandAction)
class HandActionAdmin(ReadOnlyAdmin):
    list_display = ("hand", "index", "seat", "action", "amount", "auto", "created_at")
    list_filter = ("action", "auto")
    search_fields = ("hand__table__name",)


@admin.register(HandPlayer)
class HandPlayerAdmin(ReadOnlyAdmin):
    list_display = ("hand", "user", "seat", "starting_stack", "final_stack")
    search_fields = ("user__username",)
    list_select_related = ("hand", "user")
