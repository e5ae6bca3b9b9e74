from django.contrib import admin

from .models import Deadline


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    """Read-only: deadlines change only through pokerrt.timers.actions."""

    list_display = ["key", "handler", "due_at", "version", "fired_at", "cancelled_at"]
    search_fields = ["key"]
    list_filter = ["handler"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
