import pytest
from django.db import transaction

from lobby.actions import do_create_lobby
from tables import actions
from tables.models import Hand
from pokerrt.realtime.models import Event

pytestmark = pytest.mark.django_db


def test_a_hand_plays(make_user):
    lobby = do_create_lobby("L")
    table = actions.do_create_table(lobby, "T", small_blind=5, big_blind=10, min_buy_in=100, max_buy_in=1000)
    a, b, c = make_user("a"), make_user("b"), make_user("c")
    for u in (a, b, c):
        actions.do_join_table(u, table.pk, 500)
    hand = actions.do_start_hand(table.pk)
    assert hand is not None
    from tables import live
    while True:
        hand.refresh_from_db()
        if hand.status == "ended":
            break
        dealt = live.engine_hand(hand)
        seat = dealt.to_act()
        user = {1: a, 2: b, 3: c}[seat]
        act = "check" if "check" in dealt.legal_actions() else "call"
        actions.do_player_action(user, table.pk, act)
    for e in Event.objects.filter(target="TABLE").order_by("seq"):
        print(e.seq, e.type, e.data)
