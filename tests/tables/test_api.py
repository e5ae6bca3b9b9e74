"""Hand histories over REST: the requester's view, and never anyone else's cards."""

import re

import pytest

from tables import actions, live

from .helpers import passive, play_out

pytestmark = pytest.mark.django_db


def _client_for(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_a_player_sees_their_own_cards_and_only_what_was_shown(api_client, table, seated, make_user):
    hand = actions.do_start_hand(table.pk)
    dealt = live.engine_hand(hand)
    ended = play_out(table, lambda legal, d: ("fold", None) if "fold" in legal else ("check", None))
    owner = seated[0]
    mine = next(int(n) for n, uid in ended.players.items() if uid == owner.pk)
    view = _client_for(api_client, owner).get(f"/api/hands/{hand.pk}/").json()
    assert view["your_seat"] == mine
    assert view["your_cards"] == dealt.hole_cards(mine)
    assert view["shown"] == []  # everyone folded to the big blind: nothing shown
    text = repr(view)
    for seat in dealt.seats:
        if seat != mine:
            for card in dealt.hole_cards(seat):
                assert f"'{card}'" not in text.replace(repr(view["board"]), "")
    spectator = _client_for(api_client, make_user("watcher")).get(f"/api/hands/{hand.pk}/").json()
    assert spectator["your_cards"] == [] and spectator["your_seat"] is None


def test_my_hands_lists_the_hands_i_played_with_my_result(api_client, table, seated, players):
    for _ in range(2):
        actions.do_start_hand(table.pk)
        play_out(table, passive)
    listed = _client_for(api_client, seated[0]).get("/api/me/hands/").json()["hands"]
    assert len(listed) == 2
    assert sum(h["net"] for h in listed) == sum(h["final_stack"] - h["starting_stack"] for h in listed)
    assert _client_for(api_client, players[5]).get("/api/me/hands/").json()["hands"] == []


def test_hand_api_needs_a_login_and_an_existing_hand(api_client, user):
    assert api_client.get("/api/hands/1/").status_code in (401, 403)
    assert _client_for(api_client, user).get("/api/hands/999/").status_code == 404


def test_pokerstars_history_is_the_requesters_view_and_parses_back(api_client, table, seated):
    from pokerkit import PokerStarsParser

    hand = actions.do_start_hand(table.pk)
    dealt = live.engine_hand(hand)
    ended = play_out(table, lambda legal, d: ("fold", None) if "fold" in legal else ("check", None))
    owner = seated[0]
    mine = next(int(n) for n, uid in ended.players.items() if uid == owner.pk)
    response = _client_for(api_client, owner).get(f"/api/hands/{hand.pk}/history.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert f"Dealt to {owner.username} [{' '.join(dealt.hole_cards(mine))}]" in text
    bracketed = {card for group in re.findall(r"\[([^\]]*)\]", text) for card in group.split()}
    for seat in dealt.seats:
        if seat != mine:
            assert not bracketed & set(dealt.hole_cards(seat))
    parsed = list(PokerStarsParser()(text))
    assert len(parsed) == 1
    assert sorted(parsed[0].players) == sorted(u.username for u in seated)
