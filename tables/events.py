"""The shape of every event tables emit and of the TABLE snapshot (PROTOCOL.md section 6, Table).

Declared once here, next to the actions that emit them; the tests check each
event they produce against :data:`EVENTS` (see :mod:`pokerrt.realtime.schemas`).
A field is required when the protocol names it or the actions always send
it, ``NotRequired`` when some events of the type leave it out.
"""

# No ``from __future__ import annotations``: the classes are read at run time.
from typing import Literal, NotRequired, TypedDict

from pokerrt.realtime.events import UserRef

# Cards are two characters, rank then suit: "As", "Td".
Card = str
# What a PLAYER_ACTION says a seat did; the post_* ones are forced bets.
Action = Literal["fold", "check", "call", "bet", "raise", "all_in", "post_small_blind", "post_big_blind",
                 "post_ante"]
BettingAction = Literal["fold", "check", "call", "bet", "raise", "all_in"]


# --- Parts ---------------------------------------------------------------------------------------


class TableInfo(TypedDict):
    """A table's settings, as TABLE_CREATE/UPDATE/DELETE and the snapshot carry them."""

    id: str
    name: str
    kind: Literal["cash", "tournament"]
    lobby_id: str
    max_seats: int
    small_blind: int
    big_blind: int
    ante: int
    min_buy_in: int
    max_buy_in: int
    action_seconds: int
    time_bank_seconds: int
    status: Literal["open", "paused", "closed"]


class SeatInfo(TypedDict):
    """One seat as every subscriber sees it; stack and bet live during a hand."""

    seat: int
    user: UserRef | None
    stack: int
    status: Literal["empty", "active", "sitting_out"]
    bet: int
    in_hand: bool
    disconnected: bool
    leaving: bool


class ToAct(TypedDict):
    """Who acts, their bounds and deadline; ``turn`` numbers the hand's decisions from 1."""

    seat: int
    user: UserRef
    to_call: int
    # None when the seat may not bet or raise.
    min_raise_to: int | None
    max_raise_to: int | None
    legal: list[BettingAction]
    deadline: str | None
    turn: int


class Pot(TypedDict):
    amount: int
    # The seats that can win it.
    seats: list[int]


class HandSeat(TypedDict):
    """A seat dealt into a hand and its stack (at the start in HAND_START, at the end in HAND_END)."""

    seat: int
    user: UserRef
    stack: int


class Winner(TypedDict):
    seat: int
    user: UserRef
    amount: int
    # 0 is the main pot, then the side pots in order.
    pot: int


class Uncalled(TypedDict):
    """An uncalled bet that went back to the seat (its chips are in HAND_END's stacks)."""

    seat: int
    amount: int


class Reveal(TypedDict):
    """A card shown and its salt (PROTOCOL.md section 8), hex."""

    position: int
    card: Card
    salt: str


class DeckProof(TypedDict):
    leaves: list[str]
    reveals: list[Reveal]


class ShownHand(TypedDict):
    seat: int
    user: UserRef
    cards: list[Card]
    rank: str
    # The five cards that make the hand.
    best: list[Card]


class TimeBank(TypedDict):
    seat: int
    seconds: float


class HandInfo(TypedDict):
    """The hand in play, as the TABLE snapshot holds it."""

    hand_id: str
    hand_no: int
    button: int
    street: Literal["preflop", "flop", "turn", "river"]
    board: list[Card]
    pots: list[Pot]
    to_act: ToAct | None
    deck_commitment: str


# --- TABLE stream events -------------------------------------------------------------------------


class TableCreate(TypedDict):
    table: TableInfo


class TableDelete(TypedDict):
    table: TableInfo


class TableUpdate(TypedDict):
    """The table (always: PROTOCOL.md names it), and whichever else changed: some seats, or the time bank of the player to act."""

    table: TableInfo
    seats: NotRequired[list[SeatInfo]]
    hand_id: NotRequired[str]
    time_bank: NotRequired[TimeBank]
    to_act: NotRequired[ToAct | None]


class TableJoin(TypedDict):
    seat: int
    user: UserRef
    stack: int
    # Set when the player was moved here from another table (do_move_player).
    from_table: NotRequired[str]


class TableLeave(TypedDict):
    seat: int
    user: UserRef
    # The chips cashed out to the balance, or taken along to ``to_table``.
    stack: int
    # Set when the player was moved to another table (do_move_player).
    to_table: NotRequired[str]


class PlayerDisconnect(TypedDict):
    user: UserRef
    table_id: str


class PlayerReconnect(TypedDict):
    user: UserRef
    table_id: str


class HandStart(TypedDict):
    hand_id: str
    hand_no: int
    button: int
    small_blind: int
    big_blind: int
    ante: int
    seats: list[HandSeat]
    deck_commitment: str
    to_act: ToAct | None


class DealCards(TypedDict):
    """Which seats were dealt; the cards go to each player's PLAYER stream only."""

    hand_id: str
    seats: list[int]
    to_act: ToAct | None


class PlayerAction(TypedDict):
    hand_id: str
    seat: int
    user: UserRef
    action: Action
    # The seat's bet on this street after the action (for post_ante, the ante).
    amount: int
    stack: int
    pot: int
    to_act: ToAct | None
    # On the last event of a batch only: a fold changes who can win the pots.
    pots: NotRequired[list[Pot]]
    # The server acted for the player (timeout).
    auto: NotRequired[bool]
    # A dead small blind made up.
    dead: NotRequired[bool]
    # A blind posted from a seat that is neither blind (missed blinds made up).
    out_of_position: NotRequired[bool]


class Flop(TypedDict):
    """The first three board cards; ``board`` is the whole board so far."""

    hand_id: str
    cards: list[Card]
    board: list[Card]
    pots: list[Pot]
    to_act: ToAct | None


class Turn(Flop):
    """The fourth board card, shaped as FLOP."""


class River(Flop):
    """The fifth board card, shaped as FLOP."""


class Showdown(TypedDict):
    """The hands the rules show; mucked ones name their seat only."""

    hand_id: str
    hands: list[ShownHand]
    mucked: list[int]


class HandEnd(TypedDict):
    hand_id: str
    winners: list[Winner]
    board: list[Card]
    stacks: list[HandSeat]
    uncalled: list[Uncalled]
    deck_proof: DeckProof


# --- PLAYER stream events (the owner's own) ---------------------------------------------------


class PlayerTableJoin(TypedDict):
    table_id: str
    seat: int
    stack: int
    # A buy-in from the balance: the balance after it and minus the buy-in.
    # A move between tables (``from_table``) leaves the balance alone.
    balance: NotRequired[int]
    change: NotRequired[int]
    from_table: NotRequired[str]


class PlayerTableLeave(TypedDict):
    table_id: str
    seat: int
    stack: int
    # A cash-out to the balance: the balance after it and plus the chips.
    # A move between tables (``to_table``) leaves the balance alone.
    balance: NotRequired[int]
    change: NotRequired[int]
    to_table: NotRequired[str]


class PlayerDealCards(TypedDict):
    table_id: str
    hand_id: str
    seat: int
    cards: list[Card]


class PlayerHandEnd(TypedDict):
    """The owner's hole cards proven (PROTOCOL.md section 8) and their stack after the hand."""

    table_id: str
    hand_id: str
    seat: int
    reveals: list[Reveal]
    stack: int


# --- Snapshots ------------------------------------------------------------------------------------


class TableSnapshot(TypedDict):
    table: TableInfo
    seats: list[SeatInfo]
    hand: HandInfo | None


class PlayerSeat(TypedDict):
    """An item of the PLAYER snapshot's ``seats``: the owner's cards in the hand in play."""

    table_id: str
    seat: int
    hand_id: str | None
    cards: list[Card]


EVENTS: dict[tuple[str, str], type] = {
    ("TABLE", "TABLE_CREATE"): TableCreate,
    ("TABLE", "TABLE_UPDATE"): TableUpdate,
    ("TABLE", "TABLE_DELETE"): TableDelete,
    ("TABLE", "TABLE_JOIN"): TableJoin,
    ("TABLE", "TABLE_LEAVE"): TableLeave,
    ("TABLE", "PLAYER_DISCONNECT"): PlayerDisconnect,
    ("TABLE", "PLAYER_RECONNECT"): PlayerReconnect,
    ("TABLE", "HAND_START"): HandStart,
    ("TABLE", "DEAL_CARDS"): DealCards,
    ("TABLE", "PLAYER_ACTION"): PlayerAction,
    ("TABLE", "FLOP"): Flop,
    ("TABLE", "TURN"): Turn,
    ("TABLE", "RIVER"): River,
    ("TABLE", "SHOWDOWN"): Showdown,
    ("TABLE", "HAND_END"): HandEnd,
    ("PLAYER", "TABLE_JOIN"): PlayerTableJoin,
    ("PLAYER", "TABLE_LEAVE"): PlayerTableLeave,
    ("PLAYER", "DEAL_CARDS"): PlayerDealCards,
    ("PLAYER", "HAND_END"): PlayerHandEnd,
}

SNAPSHOTS: dict[str, type] = {"TABLE": TableSnapshot}

# The PLAYER snapshot sections tables fill: section -> each item's shape.
PLAYER_SECTIONS: dict[str, type] = {"seats": PlayerSeat}
