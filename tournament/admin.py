from django.contrib import admin

from .models import Tournament


@admin.register(Tournament)
class TournamentAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "lobby", "kind", "buy_in", "max_players", "status")
    list_filter = ("kind", "status")
