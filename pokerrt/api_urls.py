"""Every REST endpoint under /api/, in one place, so the permission matrix test walks them all."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from lobby import api as lobby_api
from tables import api as hands_api
from tables import api_tables as tables_api
from tournament import api as tournament_api

from . import rest
from .accounts import api as accounts_api
from .accounts import urls as accounts_urls
from .api_docs import SwaggerView

urlpatterns = [
    *accounts_urls.api_urls,
    path("me/ledger/", accounts_api.MyLedgerView.as_view(), name="api-my-ledger"),
    path("me/registrations/", tournament_api.MyRegistrationsView.as_view(), name="api-my-registrations"),
    path("me/hands/", hands_api.MyHandsView.as_view(), name="api-my-hands"),
    path("hands/<id:hand_id>/", hands_api.HandDetailView.as_view(), name="api-hand"),
    path("hands/<id:hand_id>/history.txt", hands_api.HandHistoryTextView.as_view(), name="api-hand-history"),
    path("lobbies/", lobby_api.LobbyListView.as_view(), name="api-lobbies"),
    path("lobbies/<id:lobby_id>/", lobby_api.LobbyDetailView.as_view(), name="api-lobby"),
    path("tables/", tables_api.TableListView.as_view(), name="api-tables"),
    path("tables/<id:table_id>/", tables_api.TableDetailView.as_view(), name="api-table"),
    path("tables/<id:table_id>/seat/", tables_api.TableSeatView.as_view(), name="api-table-seat"),
    path("tournaments/", tournament_api.TournamentListView.as_view(), name="api-tournaments"),
    path("tournaments/<id:tournament_id>/", tournament_api.TournamentDetailView.as_view(), name="api-tournament"),
    path("tournaments/<id:tournament_id>/registration/", tournament_api.RegistrationView.as_view(),
         name="api-tournament-registration"),
    path("tournaments/<id:tournament_id>/start/", tournament_api.TournamentStartView.as_view(),
         name="api-tournament-start"),
    path("tournaments/<id:tournament_id>/pause/", tournament_api.TournamentPauseView.as_view(),
         name="api-tournament-pause"),
    path("tournaments/<id:tournament_id>/resume/", tournament_api.TournamentResumeView.as_view(),
         name="api-tournament-resume"),
    path("structures/", tournament_api.StructureListView.as_view(), name="api-structures"),
    path("structures/<id:structure_id>/", tournament_api.StructureDetailView.as_view(), name="api-structure"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Anything else under /api/ is NOT_FOUND in the API's own error format.
    re_path(r"^(?P<path>.*)$", rest.not_found, name="api-not-found"),
]
