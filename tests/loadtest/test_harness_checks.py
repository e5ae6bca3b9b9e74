"""The harness's checkers on hand-made frames: what is a gap, what is a leak, how latency is matched.

Pure Python, no server: each checker must catch what it is there for and
stay quiet on what the protocol allows.
"""

from loadtest.harness.checks import LeakChecker, StreamChecker, cards_in
from loadtest.harness.clients import Observer
from loadtest.harness.stats import Stats, percentile


def event(type_, target, id_, seq, data=None, epoch="e1"):
    return {"type": type_, "target": target, "id": id_, "seq": seq, "epoch": epoch, "data": data or {}}


def subscribed(target, id_, seq, state=None, epoch="e1"):
    return {"type": "SUBSCRIBED", "target": target, "id": id_, "data": {"seq": seq, "epoch": epoch,
                                                                          "recovered": False, "state": state or {}}}


# --- seq gaps -----------------------------------------------------------------------------------


def test_contiguous_events_after_subscribed_are_no_gap():
    check = StreamChecker()
    check.check(subscribed("TABLE", "1", 5))
    for seq in (6, 7, 8):
        check.check(event("HAND_START", "TABLE", "1", seq))
    assert check.gaps == [] and check.events == 3


def test_a_skipped_or_repeated_seq_is_a_gap():
    check = StreamChecker()
    check.check(subscribed("TABLE", "1", 0))
    check.check(event("X", "TABLE", "1", 1))
    check.check(event("X", "TABLE", "1", 3))
    check.check(event("X", "TABLE", "1", 3))
    assert len(check.gaps) == 2
    assert "expected 2" in check.gaps[0] and "expected 4" in check.gaps[1]


def test_streams_are_counted_apart_and_a_new_subscribed_resets():
    check = StreamChecker()
    check.check(subscribed("TABLE", "1", 10))
    check.check(subscribed("PLAYER", "7", 3))
    check.check(event("X", "PLAYER", "7", 4))
    check.check(event("X", "TABLE", "1", 11))
    check.check(subscribed("TABLE", "1", 40))  # a fresh snapshot the server chose to send
    check.check(event("X", "TABLE", "1", 41))
    assert check.gaps == []


def test_an_event_before_subscribed_or_in_another_epoch_is_a_gap():
    check = StreamChecker()
    check.check(event("X", "TABLE", "1", 1))
    check.check(subscribed("TABLE", "2", 0, epoch="a"))
    check.check(event("X", "TABLE", "2", 1, epoch="b"))
    assert len(check.gaps) == 2
    assert "before any SUBSCRIBED" in check.gaps[0] and "epoch b" in check.gaps[1]


def test_a_stream_left_is_not_checked_until_subscribed_again_and_reconnects_resume_the_rest():
    check = StreamChecker()
    check.check(subscribed("TABLE", "1", 4, epoch="a"))
    check.check(subscribed("TABLE", "2", 0, epoch="b"))
    check.check(event("X", "TABLE", "2", 1, epoch="b"))
    check.leave("TABLE", "1")
    check.check(event("X", "TABLE", "1", 9, epoch="a"))  # in flight when we left: not ours to check
    assert check.gaps == []
    # What a reconnect sends SUBSCRIBE {since, epoch} for.
    assert check.subscriptions() == [("TABLE", "2", 1, "b")]
    check.check(subscribed("TABLE", "1", 20, epoch="a"))
    check.check(event("X", "TABLE", "1", 22, epoch="a"))
    assert len(check.gaps) == 1


# --- hole-card leaks ----------------------------------------------------------------------------


def test_cards_in_finds_card_shaped_values_but_not_free_text():
    data = {"user": {"id": "1", "username": "As"}, "board": ["Kd", "2c"], "rank": "Two pair", "x": [{"c": "Th"}]}
    assert sorted(card for _, card in cards_in(data)) == ["2c", "Kd", "Th"]


def test_the_owner_sees_their_cards_on_their_own_player_stream():
    leaks = LeakChecker("7")
    leaks.check(event("DEAL_CARDS", "PLAYER", "7", 1, {"table_id": "1", "hand_id": "9", "seat": 2,
                                                         "cards": ["As", "Kd"]}))
    leaks.check(subscribed("PLAYER", "7", 1, {"seats": [{"table_id": "1", "seat": 2, "cards": ["As", "Kd"]}]}))
    assert leaks.leaks == []


def test_another_players_stream_is_a_leak_whatever_it_holds():
    for owner in ("8", None):
        leaks = LeakChecker(owner)
        leaks.check(event("DEAL_CARDS", "PLAYER", "7", 1, {"cards": ["As", "Kd"]}))
        assert len(leaks.leaks) == 1


def test_public_streams_may_carry_the_board_and_shown_hands_only():
    leaks = LeakChecker(None)
    leaks.check(event("DEAL_CARDS", "TABLE", "1", 1, {"hand_id": "9", "seats": [1, 2]}))
    leaks.check(event("FLOP", "TABLE", "1", 2, {"hand_id": "9", "cards": ["2c", "3d", "4h"],
                                                 "board": ["2c", "3d", "4h"]}))
    leaks.check(event("SHOWDOWN", "TABLE", "1", 3, {"hand_id": "9", "mucked": [2],
                                                     "hands": [{"seat": 1, "cards": ["As", "Ad"],
                                                                "best": ["As", "Ad", "2c", "3d", "4h"]}]}))
    leaks.check(event("HAND_END", "TABLE", "1", 4, {
        "hand_id": "9", "board": ["2c", "3d", "4h", "5s", "9h"],
        "deck_proof": {"leaves": ["ab" * 32], "reveals": [{"position": 0, "card": "As", "salt": "00"},
                                                           {"position": 9, "card": "9h", "salt": "01"}]}}))
    assert leaks.leaks == []


def test_a_hole_card_on_a_public_stream_is_a_leak():
    leaks = LeakChecker("7")
    # A DEAL_CARDS that carries cards on the TABLE stream.
    leaks.check(event("DEAL_CARDS", "TABLE", "1", 1, {"hand_id": "9", "seats": [{"seat": 1, "cards": ["As", "Kd"]}]}))
    # A snapshot whose seat shows its cards.
    leaks.check(subscribed("TABLE", "1", 1, {"seats": [{"seat": 1, "cards": ["Qs"]}],
                                             "hand": {"hand_id": "9", "board": []}}))
    # A deck proof revealing a mucked hand's card (never shown, not on the board).
    leaks.check(event("HAND_END", "TABLE", "1", 2, {
        "hand_id": "9", "board": ["2c", "3d", "4h"],
        "deck_proof": {"leaves": [], "reveals": [{"position": 1, "card": "Jh", "salt": "00"}]}}))
    assert [leak.split(": ")[1].split(" ")[0] for leak in leaks.leaks] == ["As", "Kd", "Qs", "Jh"]


def test_cards_shown_in_one_hand_do_not_clear_another():
    leaks = LeakChecker(None)
    leaks.check(event("SHOWDOWN", "TABLE", "1", 1, {"hand_id": "9", "hands": [{"cards": ["As", "Ad"]}]}))
    leaks.check(event("HAND_END", "TABLE", "1", 2, {"hand_id": "10", "board": [],
                                                     "deck_proof": {"reveals": [{"card": "As"}]}}))
    assert len(leaks.leaks) == 1


# --- latency matching ---------------------------------------------------------------------------


def action(seq, hand, user, kind="call", **extra):
    return event("PLAYER_ACTION", "TABLE", "1", seq, {"hand_id": hand, "user": {"id": user}, "action": kind, **extra})


def test_every_receiver_times_each_action_sent_and_nothing_else():
    stats = Stats()
    stats.open_window()
    sender, watcher = Observer(stats, "7"), Observer(stats, None)
    for o in (sender, watcher):
        o.observe(subscribed("TABLE", "1", 0))
    stats.clock.sent("1", "9", "7")
    refused = stats.clock.sent("1", "9", "7")
    stats.clock.refused(refused)  # answered ERROR: never broadcast
    stats.clock.sent("1", "9", "7")
    frames = [action(1, "9", "7", "post_big_blind"), action(2, "9", "7"), action(3, "9", "8", "fold"),
              action(4, "9", "7", "check"), action(5, "9", "7", "fold", auto=True)]
    for frame in frames:
        sender.observe(frame)
        watcher.observe(frame)
    # Two actions sent and broadcast, each timed by both receivers; blinds, other users' and auto actions are not.
    assert len(stats.samples) == 4
    assert stats.actions_timed == 2
    assert stats.deliveries == 10
    assert all(latency >= 0 for _, latency in stats.samples)


def test_nothing_counts_outside_the_window():
    stats = Stats()
    o = Observer(stats, "7")
    o.observe(subscribed("TABLE", "1", 0))
    stats.clock.sent("1", "9", "7")
    o.observe(action(1, "9", "7"))
    o.observe({"type": "ERROR", "data": {"code": "CONFLICT"}})
    assert stats.samples == [] and stats.deliveries == 0 and not stats.errors
    stats.open_window()
    o.observe({"type": "ERROR", "data": {"code": "CONFLICT"}})
    assert stats.errors == {"CONFLICT": 1}


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.99) == 100.0
    assert percentile([], 0.5) is None
