"""Real sockets: six bots register for a sit-and-go on a live node and play it to its end."""

import asyncio

import pytest
from rest_framework.authtoken.models import Token

from loadtest.bots import Bot, shove
from lobby.actions import do_create_lobby
from tests.live import node_log, start_daphne, stop
from tournament import actions
from tournament.models import Entry, TournamentStatus

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

# Failure bounds only: each bot stops at the frame it waits for.
PATIENCE = 600


@pytest.fixture
def node():
    proc, port = start_daphne(POKERRT_HAND_INTERVAL_SECONDS="0.05")
    yield proc, f"ws://127.0.0.1:{port}/ws/"
    stop(proc)


def _seen(bot, kind):
    return next((f for f in bot.frames if f["type"] == kind and f.get("target") == "TOURNAMENT"), None)


def _progress(bots, proc):
    """Where each bot got to, and what the node logged: the message of a run that ran out of patience."""
    lines = [f"bot {b.user_id}: {b.hands_ended} hands ended, {b.actions_sent} actions sent, errors {b.errors}, "
             f"last frames {[(f['type'], f.get('seq')) for f in b.frames[-6:]]}" for b in bots]
    return "\n".join(lines) + "\nnode log:\n" + node_log(proc)


@pytest.mark.timeout(PATIENCE + 120)
def test_six_players_over_sockets_play_a_sit_and_go_to_its_end(node, make_user):
    proc, server = node
    lobby = do_create_lobby("Live tournaments")
    sng = actions.do_create_tournament(lobby, "Live SNG", buy_in=100, starting_stack=500, min_players=6,
                                       max_players=6, table_size=6)
    users = [make_user(f"live{n}") for n in range(6)]
    tokens = [Token.objects.get_or_create(user=user)[0].key for user in users]

    bots = [Bot(server, token, str(user.pk), shove) for user, token in zip(users, tokens, strict=True)]

    async def scenario():
        for bot in bots:
            await bot.connect()
            await bot.subscribe("TOURNAMENT", str(sng.pk))
        for bot in bots:
            ref = await bot.send("TOURNAMENT_REGISTER", "TOURNAMENT", str(sng.pk))
            await bot.run(lambda b, ref=ref: any(f["type"] in ("ACK", "ERROR") and f["data"].get("ref") == ref
                                                 for f in b.frames), timeout=PATIENCE)
        for bot in bots:
            await bot.run(lambda b: _seen(b, "TOURNAMENT_START") is not None, timeout=PATIENCE)
            table_id = _seen(bot, "TOURNAMENT_START")["data"]["tables"][0]["table_id"]
            await bot.subscribe("TABLE", table_id)

        def done(bot):
            return _seen(bot, "TOURNAMENT_END") is not None or any(b.errors or b.gaps for b in bots)

        await asyncio.gather(*(b.run(done, timeout=PATIENCE) for b in bots))
        for bot in bots:
            await bot.close()

    try:
        asyncio.run(scenario())
    except TimeoutError as timeout:
        raise AssertionError(f"ran out of patience: {timeout!r}\n{_progress(bots, proc)}") from timeout
    for bot in bots:
        assert bot.errors == [] and bot.gaps == []
    sng.refresh_from_db()
    assert sng.status == TournamentStatus.FINISHED
    end = _seen(bots[0], "TOURNAMENT_END")["data"]
    assert sorted(r["position"] for r in end["results"]) == [1, 2, 3, 4, 5, 6]
    assert sum(r["prize"] for r in end["results"]) == 600
    eliminations = [f for f in bots[0].frames if f["type"] == "PLAYER_ELIMINATION"]
    assert len(eliminations) == 5
    assert sorted(Entry.objects.filter(tournament=sng).values_list("finish_position", flat=True)) == [1, 2, 3, 4, 5, 6]
