"""The home page: the lobbies, what each lists, and where to go from here."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lobby import directory
from lobby.models import Lobby


def home(request: HttpRequest) -> HttpResponse:
    # The rows the LOBBY streams carry, so the page and the live lobby agree.
    lobbies = [
        {"lobby": lobby, "tables": directory.rows("tables", lobby.pk),
         "tournaments": directory.rows("tournaments", lobby.pk)}
        for lobby in Lobby.objects.live()
    ]
    return render(request, "home.html", {"lobbies": lobbies})
