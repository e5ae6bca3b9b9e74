from django.urls import path

from . import api

api_urls = [
    path("hands/<int:hand_id>/", api.HandDetailView.as_view(), name="api-hand"),
    path("hands/<int:hand_id>/history.txt", api.HandHistoryTextView.as_view(), name="api-hand-history"),
    path("me/hands/", api.MyHandsView.as_view(), name="api-my-hands"),
]
