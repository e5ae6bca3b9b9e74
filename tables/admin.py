from django.contrib import admin

from .models import Table


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "lobby", "kind", "max_seats", "small_blind", "big_blind", "status")
    list_filter = ("kind", "status", "lobby")
