from django.urls import path

from . import views

pages = [
    path("lobbies/<int:lobby_id>/", views.lobby, name="lobby"),
    path("tables/<int:table_id>/", views.table, name="table"),
    path("tournaments/<int:tournament_id>/", views.tournament, name="tournament"),
    path("hands/<int:hand_id>/", views.hand, name="hand"),
    path("account/", views.account, name="account"),
]
