// How the table page applies TABLE events to a TABLE snapshot: the same rules
// as the server's consistency test (tests/tables/table_state.py), so the page
// and a fresh snapshot always agree. Pure functions over plain objects.

export function emptySeat(number) {
  return { seat: number, user: null, stack: 0, status: "empty", bet: 0, in_hand: false,
    disconnected: false, leaving: false };
}

function seatAt(state, number) {
  return state.seats.find((s) => s.seat === number);
}

function seatOfUser(state, user) {
  return state.seats.find((s) => s.user && s.user.id === user.id);
}

/** The next state after `frame`; `state` is left as it was. */
export function apply(state, frame) {
  const next = structuredClone(state);
  const data = frame.data;
  const hand = next.hand;
  switch (frame.type) {
    case "TABLE_CREATE":
    case "TABLE_DELETE":
      next.table = data.table;
      break;
    case "TABLE_UPDATE": {
      if (data.table) {
        next.table = data.table;
        const kept = new Map(next.seats.map((s) => [s.seat, s]));
        next.seats = [];
        for (let n = 1; n <= data.table.max_seats; n += 1) next.seats.push(kept.get(n) || emptySeat(n));
      }
      for (const seat of data.seats || []) next.seats = next.seats.map((s) => (s.seat === seat.seat ? seat : s));
      if ("to_act" in data && hand) hand.to_act = data.to_act;
      break;
    }
    case "TABLE_JOIN":
      Object.assign(seatAt(next, data.seat), { user: data.user, stack: data.stack, status: "active", bet: 0,
        in_hand: false, disconnected: false, leaving: false });
      break;
    case "TABLE_LEAVE":
      next.seats = next.seats.map((s) => (s.seat === data.seat ? emptySeat(s.seat) : s));
      break;
    case "HAND_START":
      next.hand = { hand_id: data.hand_id, hand_no: data.hand_no, button: data.button, street: "preflop",
        board: [], pots: [], to_act: data.to_act, deck_commitment: data.deck_commitment };
      for (const entry of data.seats) Object.assign(seatAt(next, entry.seat), { stack: entry.stack, bet: 0, in_hand: true });
      break;
    case "PLAYER_ACTION": {
      const seat = seatAt(next, data.seat);
      seat.stack = data.stack;
      if (data.action !== "post_ante" && !data.dead) seat.bet = data.amount;
      if (data.action === "fold") seat.in_hand = false;
      hand.to_act = data.to_act;
      if (data.pots) hand.pots = data.pots;
      break;
    }
    case "DEAL_CARDS":
      hand.to_act = data.to_act;
      break;
    case "FLOP":
    case "TURN":
    case "RIVER":
      Object.assign(hand, { board: data.board, street: frame.type.toLowerCase(), pots: data.pots, to_act: data.to_act });
      for (const seat of next.seats) seat.bet = 0;
      break;
    case "SHOWDOWN":
      for (const number of data.mucked || []) seatAt(next, number).in_hand = false;
      break;
    case "HAND_END":
      next.hand = null;
      for (const seat of next.seats) Object.assign(seat, { bet: 0, in_hand: false });
      for (const entry of data.stacks) seatAt(next, entry.seat).stack = entry.stack;
      break;
    case "PLAYER_DISCONNECT":
    case "PLAYER_RECONNECT": {
      const seat = seatOfUser(next, data.user);
      if (seat) seat.disconnected = frame.type === "PLAYER_DISCONNECT";
      break;
    }
    default:
      break;
  }
  return next;
}

/** Chips in the middle: the pots gathered plus this street's bets. */
export function potTotal(state) {
  const gathered = state.hand ? state.hand.pots.reduce((sum, p) => sum + p.amount, 0) : 0;
  return gathered + state.seats.reduce((sum, s) => sum + s.bet, 0);
}

/** The bet-to amounts of the presets for the player to act, within their bounds.
 *  A pot-sized raise is: call, then raise by the pot that call makes. */
export function presets(state, seatNumber) {
  const toAct = state.hand && state.hand.to_act;
  if (!toAct || toAct.min_raise_to === null) return null;
  const mine = seatAt(state, seatNumber).bet;
  const afterCall = potTotal(state) + toAct.to_call;
  const clamp = (v) => Math.min(toAct.max_raise_to, Math.max(toAct.min_raise_to, Math.floor(v)));
  return {
    min: toAct.min_raise_to,
    half: clamp(mine + toAct.to_call + afterCall / 2),
    pot: clamp(mine + toAct.to_call + afterCall),
    max: toAct.max_raise_to,
  };
}

/** The table a PLAYER stream event moves the player to from `tableId`, or null.
 *  A tournament moves players between hands (TABLE_BALANCE, TABLE_MERGE, and
 *  the TABLE_LEAVE / TABLE_JOIN pair of do_move_player); the page follows. */
export function movedTo(tableId, frame) {
  const d = frame.data;
  if ((frame.type === "TABLE_BALANCE" || frame.type === "TABLE_MERGE") && d.from_table === tableId) return d.to_table;
  if (frame.type === "TABLE_LEAVE" && d.table_id === tableId && d.to_table) return d.to_table;
  if (frame.type === "TABLE_JOIN" && d.from_table === tableId && d.table_id !== tableId) return d.table_id;
  return null;
}
