"""Deadlines in the admin, read-only: they change only through pokerrt.timers.actions."""

from django.contrib import admin

from pokerrt.readonly_admin import ReadOnlyAdmin

from .models import Deadline


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["key", "handler", "due_at", "version", "fired_at", "cancelled_at"]
    search_fields = ["key"]
    list_filter = ["handler"]
