"""The home page: what is running, and where to go from here."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lobby.models import Lobby


def home(request: HttpRequest) -> HttpResponse:
    lobbies = Lobby.objects.prefetch_related("tables", "tournaments")
    return render(request, "home.html", {"lobbies": lobbies})
