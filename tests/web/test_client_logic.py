"""The client modules' pure rules (protocol, table state), run in the browser that runs them (no node needed)."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (requirements-dev.txt)")

from .conftest import static_modules_page  # noqa: E402
from .helpers import FAKE_SOCKET  # noqa: E402

# No server needed: the browser gets the project's files as a server would send them.
ORIGIN = "http://pokerrt.test"


@pytest.fixture
def protocol(browser):
    run, close = static_modules_page(browser, ORIGIN, "p")
    yield lambda body, arg=None, module="protocol": run(body, arg, module)
    close()


def test_the_next_event_is_applied_a_repeat_dropped_and_a_gap_or_new_epoch_resubscribes(protocol):
    verdicts = protocol("""
        const cursor = {seq: 7, epoch: "k3"};
        return [8, 7, 3, 9].map((seq) => p.classify(cursor, {seq, epoch: "k3"}))
            .concat([p.classify(cursor, {seq: 8, epoch: "zz"})]);
    """)
    assert verdicts == ["apply", "duplicate", "duplicate", "gap", "gap"]


def test_a_resubscription_resumes_from_the_last_seq_and_epoch_or_asks_for_a_snapshot(protocol):
    assert protocol('return p.resumeData({seq: 42, epoch: "k3"});') == {"since": 42, "epoch": "k3"}
    assert protocol("return p.resumeData({seq: 0, epoch: null});") == {}


def test_reconnect_delays_grow_exponentially_up_to_a_cap_with_jitter(protocol):
    delays = protocol("""
        const low = [0, 1, 2, 3, 10].map((n) => p.backoffDelay(n, {random: () => 0}));
        const high = [0, 1, 2, 3, 10].map((n) => p.backoffDelay(n, {random: () => 0.999999}));
        return {low, high};
    """)
    assert delays["low"] == [250, 500, 1000, 2000, 7500]
    assert delays["high"] == [500, 1000, 2000, 4000, 15000]


def test_every_betting_action_carries_the_hand_and_turn_it_answers(protocol):
    data = protocol("""
        const hand = {hand_id: "31", to_act: {turn: 4}};
        let refused = null;
        try { p.actionData({hand_id: "31", to_act: null}, "check"); } catch (e) { refused = e.message; }
        return {raise: p.actionData(hand, "raise", 600), fold: p.actionData(hand, "fold"), refused};
    """)
    assert data["raise"] == {"action": "raise", "hand_id": "31", "turn": 4, "amount": 600}
    assert data["fold"] == {"action": "fold", "hand_id": "31", "turn": 4}
    assert data["refused"] == "No decision is pending."


def test_a_tournament_table_follows_the_player_to_the_table_they_are_moved_to(protocol):
    moves = protocol("""
        const here = "7";
        return [
            {type: "TABLE_BALANCE", data: {tournament_id: "3", from_table: "7", to_table: "9", seat: 2}},
            {type: "TABLE_MERGE", data: {tournament_id: "3", from_table: "7", to_table: "8", seat: 5}},
            {type: "TABLE_LEAVE", data: {table_id: "7", seat: 2, stack: 900, to_table: "9"}},
            {type: "TABLE_JOIN", data: {table_id: "9", seat: 4, stack: 900, from_table: "7"}},
            {type: "TABLE_BALANCE", data: {tournament_id: "3", from_table: "6", to_table: "7", seat: 1}},
            {type: "TABLE_LEAVE", data: {table_id: "7", seat: 2, stack: 900}},
            {type: "DEAL_CARDS", data: {table_id: "7", hand_id: "1", seat: 2, cards: ["As", "Kd"]}},
        ].map((frame) => p.movedTo(here, frame));
    """, module="table_state")
    assert moves == ["9", "8", "9", "9", None, None, None]


def test_half_pot_and_pot_presets_are_raises_to_within_the_players_bounds(protocol):
    sizes = protocol("""
        const seats = [{seat: 1, bet: 10}, {seat: 2, bet: 30}];
        const hand = {pots: [{amount: 100, seats: [1, 2]}],
                      to_act: {seat: 1, to_call: 20, min_raise_to: 50, max_raise_to: 400, turn: 5}};
        const small = p.presets({seats, hand}, 1);
        const capped = p.presets({seats, hand: {...hand, to_act: {...hand.to_act, max_raise_to: 120}}}, 1);
        const noRaise = p.presets({seats, hand: {...hand, to_act: {...hand.to_act, min_raise_to: null}}}, 1);
        return {small, capped, noRaise};
    """, module="table_state")
    # Pot after calling: 100 + 10 + 30 + 20 = 160; pot raise = call 20 + 160 on top of the 10 bet.
    assert sizes["small"] == {"min": 50, "half": 110, "pot": 190, "max": 400}
    assert sizes["capped"] == {"min": 50, "half": 110, "pot": 120, "max": 120}
    assert sizes["noRaise"] is None


def test_a_fold_takes_the_seat_out_of_the_hand_and_a_street_clears_the_bets(protocol):
    state = protocol("""
        let s = {table: {max_seats: 2}, hand: {hand_id: "1", street: "preflop", board: [], pots: [], to_act: null},
                 seats: [{seat: 1, user: {id: "1", username: "a"}, stack: 990, status: "active", bet: 10, in_hand: true},
                         {seat: 2, user: {id: "2", username: "b"}, stack: 980, status: "active", bet: 20, in_hand: true}]};
        const flop = p.apply(s, {type: "FLOP", data: {board: ["As", "Kd", "2c"], pots: [{amount: 30, seats: [1, 2]}],
                                                      to_act: null}});
        const folded = p.apply(flop, {type: "PLAYER_ACTION", data: {seat: 1, action: "fold", amount: 0, stack: 990,
                                                                    to_act: null}});
        return {before: s.seats[0].bet, flop, folded};
    """, module="table_state")
    assert state["before"] == 10, "apply leaves the state it was given alone"
    assert [seat["bet"] for seat in state["flop"]["seats"]] == [0, 0]
    assert state["flop"]["hand"]["street"] == "flop" and state["flop"]["hand"]["board"] == ["As", "Kd", "2c"]
    assert state["folded"]["seats"][0]["in_hand"] is False and state["folded"]["seats"][1]["in_hand"] is True


def test_an_action_answered_internal_is_sent_again_with_its_turn_and_a_copy_refused_settles(protocol):
    steps = protocol(FAKE_SOCKET + """
        const connection = new p.Connection("ws://localhost/ws/", {WebSocketImpl: FakeSocket});
        const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
        await settle();
        const socket = connection.socket;
        const answer = (type, data) => connection.receive({type, target: "TABLE", id: "17", data});
        const hand = {hand_id: "31", to_act: {turn: 4}};
        const resends = [];
        const acted = connection.act("17", hand, "call", null, {onResend: (e) => resends.push(e.message),
                                                               delay: () => 0});
        await settle();
        answer("ERROR", {code: "INTERNAL", message: "The server is busy; try again in a moment.",
                         ref: socket.sent[0].ref});
        await settle();
        answer("ERROR", {code: "INTERNAL", message: "Internal error.", ref: socket.sent[1].ref});
        await settle();
        // The first had landed after all: the turn guard refuses the copy, and that is no error.
        answer("ERROR", {code: "CONFLICT", message: "Not the current turn.", ref: socket.sent[2].ref});
        return {sent: socket.sent, resends, result: await acted};
    """)
    assert [frame["data"] for frame in steps["sent"]] == [{"action": "call", "hand_id": "31", "turn": 4}] * 3
    assert len({frame["ref"] for frame in steps["sent"]}) == 3
    assert steps["resends"] == ["The server is busy; try again in a moment.", "Internal error."]
    assert steps["result"] is None


def test_resends_stop_when_the_decision_passes_or_a_newer_action_is_asked_and_fail_after_the_last(protocol):
    steps = protocol(FAKE_SOCKET + """
        const connection = new p.Connection("ws://localhost/ws/", {WebSocketImpl: FakeSocket});
        const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
        await settle();
        const socket = connection.socket;
        const busy = (ref) => connection.receive({type: "ERROR", target: "TABLE", id: "17",
                                                  data: {code: "INTERNAL", message: "Internal error.", ref}});
        const hand = {hand_id: "31", to_act: {turn: 4}};
        const steps = {};
        // the decision passes during the backoff (the clock acted): nothing more is sent
        let pending = true;
        const gone = connection.act("17", hand, "check", null, {current: () => pending, delay: () => 30});
        await settle();
        busy(socket.sent.at(-1).ref);
        pending = false;
        steps.gone = await gone;
        steps.afterGone = socket.sent.length;
        // a newer action (another button) ends the older one's resends
        const older = connection.act("17", hand, "check", null, {delay: () => 30});
        await settle();
        const newer = connection.act("17", hand, "fold", null, {delay: () => 0});
        busy(socket.sent.at(-2).ref);
        await settle();
        steps.older = await older;
        connection.receive({type: "ACK", target: "TABLE", id: "17", data: {ref: socket.sent.at(-1).ref}});
        steps.newer = await newer;
        steps.afterNewer = socket.sent.map((frame) => frame.data.action);
        // past the last resend the player is told, as for any refusal
        const stubborn = connection.act("17", hand, "call", null, {delay: () => 0});
        for (let i = 0; i <= p.BUSY_RESENDS; i += 1) {
          await settle();
          busy(socket.sent.at(-1).ref);
        }
        try { await stubborn; } catch (e) { steps.told = e.code; }
        steps.stubbornSends = socket.sent.filter((frame) => frame.data.action === "call").length;
        steps.delays = [0, 1, 2, 5].map((n) => p.busyDelay(n, {random: () => 0.999999}));
        return steps;
    """)
    assert steps["gone"] is None and steps["afterGone"] == 1
    assert steps["older"] is None
    assert steps["newer"] == {"ref": "c-3"}
    assert steps["afterNewer"] == ["check", "check", "fold"]
    assert steps["told"] == "INTERNAL"
    assert steps["stubbornSends"] == 1 + 5
    assert steps["delays"] == [500, 1000, 2000, 2000]
