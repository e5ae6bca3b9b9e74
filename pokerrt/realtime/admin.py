"""The journal and the live-connection rows in the admin, read-only.

Events are written by ``emit`` inside an action's transaction and nowhere
else; streams, nodes and connections by the core's own bookkeeping. An edit
here would break seq order, replay or presence, so staff only read.
"""

from django.contrib import admin

from pokerrt.readonly_admin import ReadOnlyAdmin

from .models import Connection, Discrepancy, Event, Node, Stream


@admin.register(Stream)
class StreamAdmin(ReadOnlyAdmin):
    list_display = ("target", "stream_id", "seq", "epoch")
    list_filter = ("target",)
    search_fields = ("stream_id",)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("target", "stream_id", "seq", "type", "timestamp", "published_at")
    list_filter = ("target", "type")
    search_fields = ("stream_id", "type", "event_id")
    date_hierarchy = "timestamp"


@admin.register(Node)
class NodeAdmin(ReadOnlyAdmin):
    list_display = ("name", "last_seen")
    search_fields = ("name",)


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = ("user", "node", "channel_name", "connected_at")
    list_filter = ("node",)
    search_fields = ("user__username", "channel_name")
    list_select_related = ("user",)


@admin.register(Discrepancy)
class DiscrepancyAdmin(ReadOnlyAdmin):
    list_display = ("target", "stream_id", "rule", "message", "times_seen", "first_seen", "last_seen")
    list_filter = ("target", "rule")
    search_fields = ("stream_id", "message")
