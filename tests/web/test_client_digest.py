"""The browser's state digest (static/js/digest.mjs, protocol.mjs): the server's hash, and a wrong state recovered."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (requirements-dev.txt)")
from playwright.sync_api import expect  # noqa: E402

from lobby.actions import do_create_lobby  # noqa: E402
from lobby.snapshots import lobby_snapshot  # noqa: E402
from pokerrt.accounts.actions import do_create_user  # noqa: E402
from pokerrt.realtime.digest import digest  # noqa: E402
from pokerrt.realtime.models import Event  # noqa: E402
from pokerrt.realtime.streams import event_frame  # noqa: E402
from tables import actions as table_actions  # noqa: E402
from tables import live  # noqa: E402
from tables.models import HandStatus  # noqa: E402
from tables.snapshots import table_snapshot  # noqa: E402
from tests.live import start_daphne, stop  # noqa: E402
from tests.sync.test_reconcile import send_lobby_rows  # noqa: E402
from tests.tables.helpers import user_at  # noqa: E402
from tournament import actions as tournament_actions  # noqa: E402
from tournament.snapshots import tournament_snapshot  # noqa: E402

from .conftest import off_the_loop, static_modules_page  # noqa: E402
from .helpers import FAKE_SOCKET, open_table, sign_up, sit_down, wait_for_turn  # noqa: E402

# SubtleCrypto exists only in secure contexts: http://localhost is one. The
# files are served by Playwright's routing, no server needed.
ORIGIN = "http://localhost"


@pytest.fixture
def modules(browser):
    run, close = static_modules_page(browser, ORIGIN, "m")
    yield lambda body, arg=None, module="digest": run(body, arg, module)
    close()


def frames(target, stream_id, after=0):
    rows = Event.objects.filter(target=target, stream_id=str(stream_id), seq__gt=after).order_by("seq")
    return [event_frame(row) for row in rows]


def table_mid_hand():
    """A table on the turn with a side pot: the short stack all-in preflop, the other two bet the flop."""
    lobby = do_create_lobby("Digest stakes")
    table = table_actions.do_create_table(lobby, "Felt", small_blind=5, big_blind=10, max_seats=6, min_buy_in=100,
                                          max_buy_in=2000)
    for name, buy_in in (("zoë", 1000), ("ben", 150), ("cat", 1000)):
        table_actions.do_join_table(do_create_user(name, "correct-horse-42"), table.pk, buy_in)
    hand = table_actions.do_start_hand(table.pk)
    while True:
        hand.refresh_from_db()
        dealt = live.engine_hand(hand)
        if str(dealt.street) == "turn" or hand.status != HandStatus.LIVE:
            return table, lobby
        seat, legal = dealt.to_act(), dealt.legal_actions()
        if dealt.stacks[seat] <= 150 and "all_in" in legal:
            action, amount = "all_in", None
        elif "bet" in legal:
            action, amount = "bet", dealt.min_raise_to()
        else:
            action, amount = ("call" if "call" in legal else "check"), None
        table_actions.do_player_action(user_at(hand, seat), table.pk, action, amount)


def new_sit_and_go(lobby):
    return tournament_actions.do_create_tournament(lobby, "Digest SNG", buy_in=100, fee=10, starting_stack=1500,
                                                   min_players=2, max_players=6, table_size=6)


def fill_and_start(sng):
    """Three register, one leaves again, the two left start playing."""
    users = [do_create_user(name, "correct-horse-42") for name in ("dee", "eli", "fox")]
    for user in users:
        tournament_actions.do_register(user, sng.pk)
    tournament_actions.do_unregister(users[2], sng.pk)
    tournament_actions.do_start_tournament(sng.pk)


@pytest.mark.django_db(transaction=True)
def test_the_browser_hashes_each_snapshot_as_the_server_does(modules):
    table, lobby = off_the_loop(table_mid_hand)
    sng = off_the_loop(new_sit_and_go, lobby)
    off_the_loop(fill_and_start, sng)
    off_the_loop(send_lobby_rows, lobby)
    states = off_the_loop(lambda: {
        "TABLE": table_snapshot(str(table.pk)),
        "LOBBY": lobby_snapshot(str(lobby.pk)),
        "TOURNAMENT": tournament_snapshot(str(sng.pk)),
        "odd text": {"name": 'quote " back \\ slash \n line \u2028 \u00e9 \U0001f0a1 \x01', "n": -12, "none": None,
                     "yes": True, "list": [], "nested": {"b": [1, {"z": 0, "a": ""}], "a": {}}},
    })
    hand = states["TABLE"]["hand"]
    assert hand["street"] == "turn" and len(hand["board"]) == 4 and len(hand["pots"]) == 2
    assert states["TOURNAMENT"]["tables"] and states["LOBBY"]["tables"] and states["LOBBY"]["tournaments"]
    found = modules("""
        const out = {};
        for (const [name, state] of Object.entries(arg)) out[name] = await m.stateDigest(state);
        return out;
    """, states)
    assert found == {name: digest(state) for name, state in states.items()}


@pytest.mark.django_db(transaction=True)
def test_the_tournament_page_s_rules_rebuild_the_snapshot_it_hashes(modules):
    # given: a sit-and-go's snapshot before anyone registered, and its events up to the start
    sng = off_the_loop(lambda: new_sit_and_go(do_create_lobby("Tournament stakes")))
    seq = off_the_loop(lambda: Event.objects.filter(target="TOURNAMENT", stream_id=str(sng.pk)).count())
    before = off_the_loop(tournament_snapshot, str(sng.pk))
    off_the_loop(fill_and_start, sng)
    events = off_the_loop(frames, "TOURNAMENT", sng.pk, seq)
    after = off_the_loop(tournament_snapshot, str(sng.pk))
    assert {e["type"] for e in events} >= {"TOURNAMENT_REGISTER", "TOURNAMENT_UNREGISTER", "TOURNAMENT_START"}
    # when: the page applies them
    rebuilt = modules("""
        let state = arg.before;
        for (const frame of arg.events) state = m.apply(state, frame);
        return state;
    """, {"before": before, "events": events}, module="tournament_state")
    # then: the snapshot after, so the digests agree
    assert rebuilt == after


def test_a_page_whose_state_went_wrong_is_told_by_the_sync_and_takes_a_fresh_snapshot(modules):
    right = {"seats": [{"seat": 1, "user": {"id": "7", "username": "zoë"}, "stack": 990}], "hand": None}
    later = {**right, "seats": [{**right["seats"][0], "stack": 1200}]}
    steps = modules(FAKE_SOCKET + """
        const {Connection} = await import('/static/js/protocol.mjs');
        const connection = new Connection("ws://localhost/ws/", {WebSocketImpl: FakeSocket});
        const view = {state: null};
        const stream = connection.subscribe("TABLE", "17", {
          snapshot(state) { view.state = state; },
          event() {},
          digestState: () => view.state,
        });
        const socket = connection.socket;
        const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
        await settle();
        const frame = (type, data) => ({type, target: "TABLE", id: "17", data, timestamp: "2026-11-28T05:00:00.000Z"});
        const steps = {asked: socket.sent[0]};
        connection.receive(frame("SUBSCRIBED", {seq: 5, epoch: "e1", recovered: false, state: structuredClone(arg.right),
                                                digest: arg.rightDigest, ref: socket.sent[0].ref}));
        await settle();
        view.state.seats[0].stack += 100;  // the page's state goes wrong
        connection.receive(frame("SYNC", {seq: 4, epoch: "e1", digest: arg.rightDigest}));  // another seq: ignored
        connection.receive(frame("SYNC", {seq: 5, epoch: "e2", digest: arg.rightDigest}));  // another epoch: ignored
        await settle();
        steps.ignored = {sent: socket.sent.length, digests: {...stream.digests}};
        connection.receive(frame("SYNC", {seq: 5, epoch: "e1", digest: arg.rightDigest}));
        await settle();
        steps.resubscribe = socket.sent[1];
        connection.receive(frame("SUBSCRIBED", {seq: 9, epoch: "e1", recovered: false, state: structuredClone(arg.later),
                                                digest: arg.laterDigest, ref: socket.sent[1].ref}));
        connection.receive(frame("SYNC", {seq: 9, epoch: "e1", digest: arg.laterDigest}));
        await settle();
        steps.state = view.state;
        steps.digests = {...stream.digests};
        steps.sent = socket.sent.length;
        return steps;
    """, {"right": right, "rightDigest": digest(right), "later": later, "laterDigest": digest(later)})
    # The page asks for digests on every SUBSCRIBE.
    assert steps["asked"]["data"] == {"digest": True}
    # SYNCs of another seq or epoch are not compared; the SUBSCRIBED's own digest matched.
    assert steps["ignored"] == {"sent": 1, "digests": {"matches": 1, "mismatches": 0}}
    # The SYNC at its seq: a mismatch, and a resubscription for a fresh snapshot (no since), saying why.
    assert steps["resubscribe"]["type"] == "SUBSCRIBE"
    assert steps["resubscribe"]["data"] == {"mismatch": True, "digest": True}
    # The fresh snapshot, and the next SYNC agrees with it.
    assert steps["state"] == later
    assert steps["digests"] == {"matches": 3, "mismatches": 1} and steps["sent"] == 2


# --- Against a real node --------------------------------------------------------------------------


@pytest.fixture
def site(browser, transactional_db):
    """A node that sends SYNC frames every second (tests/web/conftest.py's ``site`` sends none)."""
    from django.core.management import call_command

    from .conftest import PATIENCE_MS

    expect.set_options(timeout=PATIENCE_MS)
    call_command("collectstatic", interactive=False, verbosity=0)
    proc, port = start_daphne(POKERRT_HAND_INTERVAL_SECONDS="0.5", POKERRT_DIGEST_INTERVAL="1")
    yield f"http://127.0.0.1:{port}"
    stop(proc)


@pytest.mark.live
def test_a_table_page_with_a_wrong_stack_is_put_right_by_the_digest(site, logged_in):
    # given: two players in a hand, a spectator watching
    table = off_the_loop(lambda: table_actions.do_create_table(
        do_create_lobby("Digest live"), name="Felt 9", max_seats=6, small_blind=5, big_blind=10,
        min_buy_in=200, max_buy_in=2000))
    alice, bob, watcher = logged_in().new_page(), logged_in().new_page(), logged_in().new_page()
    sign_up(alice, site, "alice_digest")
    sign_up(bob, site, "bob_digest")
    for page in (alice, bob, watcher):
        open_table(page, site, table.pk)
    sit_down(alice, 1, 1000)
    sit_down(bob, 4, 1000)
    wait_for_turn([alice, bob])
    key = f"TABLE:{table.pk}"
    # when: the spectator's state goes wrong behind the page's back
    checked = watcher.evaluate("""(key) => {
        const stream = window.pokerrt.connection.streams.get(key);
        window.pokerrt.view.state.seats.find((s) => s.seat === 4).stack += 12345;
        return {...stream.digests};
    }""", key)
    # then: a SYNC shows the mismatch, the page takes a fresh snapshot, and the SYNCs after it match
    watcher.wait_for_function("""([key, matches]) => {
        const digests = window.pokerrt.connection.streams.get(key).digests;
        return digests.mismatches === 1 && digests.matches >= matches + 2;
    }""", arg=[key, checked["matches"]])
    assert checked["mismatches"] == 0
    state = watcher.evaluate("() => window.pokerrt.view.state")
    assert next(s for s in state["seats"] if s["seat"] == 4)["stack"] <= 1000


def stream_seq(target, stream_id):
    from pokerrt.realtime.models import Stream

    return Stream.objects.get(target=target, stream_id=str(stream_id)).seq


def wait_for_a_matching_sync(page, key, seq):
    """Wait until the page has applied up to ``seq`` and a later SYNC agreed with it; the stream's digests."""
    page.wait_for_function("([key, seq]) => window.pokerrt.connection.streams.get(key).cursor.seq >= seq",
                           arg=[key, seq])
    matches = page.evaluate("(key) => window.pokerrt.connection.streams.get(key).digests.matches", key)
    page.wait_for_function("([key, matches]) => window.pokerrt.connection.streams.get(key).digests.matches > matches",
                           arg=[key, matches])
    return page.evaluate("(key) => ({...window.pokerrt.connection.streams.get(key).digests})", key)


@pytest.mark.live
def test_the_lobby_and_tournament_pages_states_hash_to_every_sync(site, logged_in, make_user):
    # given: a lobby with a cash table and a sit-and-go, its page and the tournament's open
    def world():
        lobby = do_create_lobby("Digest lobby")
        table = table_actions.do_create_table(lobby, name="Side", max_seats=6, small_blind=5, big_blind=10,
                                              min_buy_in=200, max_buy_in=2000)
        return lobby, table, new_sit_and_go(lobby), make_user("rail"), [make_user(f"dg{n}") for n in range(3)]

    lobby, table, sng, rail, players = off_the_loop(world)
    context = logged_in(rail)
    lobby_page, tournament_page = context.new_page(), context.new_page()
    lobby_page.goto(f"{site}/lobbies/{lobby.pk}/")
    tournament_page.goto(f"{site}/tournaments/{sng.pk}/")
    for page in (lobby_page, tournament_page):
        expect(page.locator("body.synced")).to_be_visible()
    # when: players sit down, register and unregister through the node (rows, members, standings, payouts move)
    for n, player in enumerate(players):
        page = logged_in(player).new_page()
        if n < 2:
            open_table(page, site, table.pk)
            sit_down(page, n + 1, 500)
        page.goto(f"{site}/tournaments/{sng.pk}/")
        page.click("#register")
        expect(page.locator("#unregister")).to_be_visible()
        if n == 2:
            page.click("#unregister")
            expect(page.locator("#register")).to_be_visible()
    expect(lobby_page.locator(f'tr[data-table-id="{table.pk}"] .players')).to_have_text("2/6")
    expect(lobby_page.locator(f'tr[data-tournament-id="{sng.pk}"] .registered')).to_have_text("2/6")
    # then: each page's state hashes to the SYNCs after those events, with no mismatch on the way
    lobby_digests = wait_for_a_matching_sync(lobby_page, f"LOBBY:{lobby.pk}", off_the_loop(stream_seq, "LOBBY", lobby.pk))
    tournament_digests = wait_for_a_matching_sync(tournament_page, f"TOURNAMENT:{sng.pk}",
                                                  off_the_loop(stream_seq, "TOURNAMENT", sng.pk))
    assert lobby_digests["mismatches"] == 0 and tournament_digests["mismatches"] == 0
