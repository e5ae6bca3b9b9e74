"""The PLAYER_ACTION shortcut: whatever it accepts, the serializer validates to the same data."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tables.commands import ActionSerializer, plain_action

values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-5, max_value=10**13), st.floats(allow_nan=False),
    st.sampled_from(["fold", "check", "call", "bet", "raise", "all_in", "FOLD", "", "17", "017", "+1", " 1"]),
    st.text(max_size=4), st.lists(st.integers(), max_size=2),
)
frames = st.dictionaries(st.sampled_from(["action", "amount", "hand_id", "turn", "seat", "extra"]), values,
                         max_size=5)


@settings(deadline=None, max_examples=300)  # no timing: a slow machine is not a failure
@given(frames)
@example({"action": "fold", "hand_id": None})  # once taken by the shortcut, refused by the serializer
@example({"action": "call", "turn": None, "amount": None})
def test_what_the_shortcut_accepts_the_serializer_validates_to_the_same(data):
    quick = plain_action(data)
    if quick is None:
        return
    serializer = ActionSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    assert quick == dict(serializer.validated_data)


def test_the_common_actions_take_the_shortcut():
    assert plain_action({"action": "call", "hand_id": "12", "turn": 3}) == {"action": "call", "hand_id": "12", "turn": 3}
    assert plain_action({"action": "raise", "amount": 40}) == {"action": "raise", "amount": 40}


def test_anything_doubtful_goes_to_the_serializer():
    for data in ({"action": "bet"}, {"action": "call", "amount": True}, {"action": "call", "hand_id": 12},
                 {"action": "fold", "hand_id": None},
                 {"action": "call", "turn": 0}, {"action": "call", "seat": 1}, {"action": 1}, [], {"amount": 5}):
        assert plain_action(data) is None
