// The table page: the felt from the TABLE stream, the viewer's own cards from
// their PLAYER stream, and the commands a seated player sends.

import { apply, movedTo, presets, potTotal } from "./table_state.mjs";
import { cards, chips, clearError, connect, el, formatClock, pageData, showError } from "./ui.mjs";

const page = pageData();
const tableId = page.table_id;
const me = page.me; // {id, username} or null for a spectator
const connection = connect();

// Everything the page renders; `state` is exactly the TABLE snapshot + events.
const view = {
  state: null,
  myCards: { hand_id: null, cards: [] },
  shown: new Map(), // seat -> {cards, rank}: hands shown at showdown, until the next hand
  timeBank: new Map(), // seat -> seconds left, from TABLE_UPDATE time_bank
  log: [],
};
window.pokerrt = { connection, view };

const $ = (id) => document.getElementById(id);

function mySeat() {
  if (!me || !view.state) return null;
  return view.state.seats.find((s) => s.user && s.user.id === me.id) || null;
}

function name(user) {
  return user ? user.username : "?";
}

function log(text) {
  view.log.push(text);
  if (view.log.length > 200) view.log.shift();
  const list = $("hand-log");
  list.append(el("li", { text }));
  while (list.children.length > 200) list.firstChild.remove();
  list.scrollTop = list.scrollHeight;
}

const ACTION_WORDS = { fold: "folds", check: "checks", call: "calls", bet: "bets", raise: "raises to",
  all_in: "is all-in for", post_small_blind: "posts the small blind", post_big_blind: "posts the big blind",
  post_ante: "posts an ante of" };

function describe(frame) {
  const d = frame.data;
  switch (frame.type) {
    case "HAND_START": return `Hand #${d.hand_no} begins; the button is seat ${d.button}.`;
    case "PLAYER_ACTION": {
      const amount = ["fold", "check"].includes(d.action) ? "" : ` ${chips(d.amount)}`;
      return `${name(d.user)} ${ACTION_WORDS[d.action] || d.action}${amount}${d.auto ? " (timed out)" : ""}.`;
    }
    case "FLOP": case "TURN": case "RIVER":
      return `${frame.type[0]}${frame.type.slice(1).toLowerCase()}: ${d.cards.join(" ")}`;
    case "SHOWDOWN":
      return (d.hands || []).filter((h) => h.cards).map((h) => `${name(h.user)} shows ${h.cards.join(" ")} (${h.rank}).`).join(" ");
    case "HAND_END":
      return (d.winners || []).map((w) => `${name(w.user)} wins ${chips(w.amount)}${w.pot ? ` from side pot ${w.pot}` : ""}.`).join(" ");
    case "TABLE_JOIN": return `${name(d.user)} sits down in seat ${d.seat} with ${chips(d.stack)}.`;
    case "TABLE_LEAVE": return `${name(d.user)} leaves seat ${d.seat}.`;
    case "PLAYER_DISCONNECT": return `${name(d.user)} lost connection.`;
    case "PLAYER_RECONNECT": return `${name(d.user)} is back.`;
    default: return null;
  }
}

// --- The TABLE stream ----------------------------------------------------------

connection.subscribe("TABLE", tableId, {
  snapshot(state) {
    view.state = state;
    if (!state.hand) view.shown.clear();
    render();
  },
  event(frame) {
    if (frame.type === "HAND_START") {
      view.shown.clear();
      view.timeBank.clear();
      if (view.myCards.hand_id !== frame.data.hand_id) view.myCards = { hand_id: null, cards: [] };
      $("hand-log").replaceChildren();
    }
    if (frame.type === "SHOWDOWN") {
      for (const shown of frame.data.hands || []) if (shown.cards) view.shown.set(shown.seat, shown);
    }
    if (frame.type === "TABLE_UPDATE" && frame.data.time_bank) {
      view.timeBank.set(frame.data.time_bank.seat, frame.data.time_bank.seconds);
    }
    if (frame.type === "HAND_END") renderLastHand(frame.data);
    view.state = apply(view.state, frame);
    const text = describe(frame);
    if (text) log(text);
    render();
  },
  error(data) {
    showError(data.message || data.code);
  },
  digestState: () => view.state,
});

// --- The viewer's PLAYER stream: their cards, and moves to another table ----------

if (me) {
  connection.subscribe("PLAYER", me.id, {
    snapshot(state) {
      const entry = (state.seats || []).find((s) => s.table_id === tableId);
      // Moved while the socket was down: the tournament seats the player elsewhere now.
      const playing = (state.registrations || []).find((r) => r.status === "playing" && r.table_id);
      if (!entry && playing && playing.table_id !== tableId && view.state && view.state.table.kind === "tournament") {
        window.location.assign(`/tables/${playing.table_id}/`);
        return;
      }
      view.myCards = entry && entry.hand_id ? { hand_id: entry.hand_id, cards: entry.cards } : { hand_id: null, cards: [] };
      render();
    },
    event(frame) {
      const d = frame.data;
      if (frame.type === "DEAL_CARDS" && d.table_id === tableId) {
        view.myCards = { hand_id: d.hand_id, cards: d.cards };
        render();
      }
      const destination = movedTo(tableId, frame);
      if (destination) window.location.assign(`/tables/${destination}/`);
    },
  });
}

// --- Rendering ------------------------------------------------------------------

function seatCards(seat, hand) {
  if (!seat.user) return null;
  const shown = view.shown.get(seat.seat);
  if (shown) return cards(shown.cards);
  if (me && seat.user.id === me.id && view.myCards.cards.length && (!hand || view.myCards.hand_id === hand.hand_id)) {
    return cards(view.myCards.cards);
  }
  if (seat.in_hand) return cards([null, null]);
  return null;
}

function renderSeats() {
  const { state } = view;
  const felt = $("seats");
  const hand = state.hand;
  const mine = mySeat();
  const count = state.seats.length;
  // The viewer's seat sits at the bottom; the others go round clockwise.
  const bottom = mine ? mine.seat : 1;
  felt.replaceChildren();
  for (const seat of state.seats) {
    const turn = hand && hand.to_act && hand.to_act.seat === seat.seat;
    const node = el("div", {
      class: `seat${seat.user ? "" : " empty"}${turn ? " acting" : ""}${seat.in_hand || view.shown.has(seat.seat) ? "" : " out"}${seat.status === "sitting_out" ? " sitting-out" : ""}`,
      "data-seat": seat.seat,
      "aria-label": seat.user ? `Seat ${seat.seat}: ${seat.user.username}` : `Seat ${seat.seat}: empty`,
    });
    const angle = ((seat.seat - bottom + count) % count) / count * 2 * Math.PI;
    node.style.setProperty("--x", `${50 - 44 * Math.sin(angle)}%`);
    node.style.setProperty("--y", `${50 + 40 * Math.cos(angle)}%`);
    if (seat.user) {
      node.append(
        el("div", { class: "name", text: seat.user.username }),
        el("div", { class: "stack", text: chips(seat.stack) }),
      );
      const held = seatCards(seat, hand);
      node.append(el("div", { class: "cards" }, held));
      if (seat.status === "sitting_out") node.append(el("div", { class: "tag", text: "sitting out" }));
      if (seat.disconnected) node.append(el("div", { class: "tag", text: "disconnected" }));
      const shown = view.shown.get(seat.seat);
      if (shown && shown.rank) node.append(el("div", { class: "tag rank", text: shown.rank }));
    } else if (me && !mine && state.table.kind === "cash") {
      node.append(el("button", { class: "sit-here", type: "button", text: "Sit here", onclick: () => openBuyIn(seat.seat) }));
    } else {
      node.append(el("div", { class: "name", text: "Empty" }));
    }
    if (seat.bet) node.append(el("div", { class: "bet", text: chips(seat.bet) }));
    if (hand && hand.button === seat.seat) node.append(el("div", { class: "dealer-button", title: "Dealer button", text: "D" }));
    felt.append(node);
  }
}

function renderMiddle() {
  const { state } = view;
  const hand = state.hand;
  $("board").replaceChildren(cards(hand ? hand.board : view.lastBoard || []));
  const pots = hand ? hand.pots : [];
  $("pots").textContent = hand ? `Pot ${chips(potTotal(state))}${pots.length > 1 ? ` (${pots.map((p) => chips(p.amount)).join(" + ")})` : ""}` : "";
  $("hand-no").textContent = hand ? `Hand #${hand.hand_no} · ${hand.street}` : "Waiting for the next hand";
}

function renderControls() {
  const { state } = view;
  const mine = mySeat();
  const hand = state.hand;
  const toAct = hand && hand.to_act;
  const myTurn = Boolean(mine && toAct && toAct.seat === mine.seat && me && toAct.user.id === me.id);
  document.body.classList.toggle("my-turn", myTurn);
  $("turn-banner").hidden = !myTurn;
  $("actions").hidden = !myTurn;
  $("seat-controls").hidden = !mine;
  $("spectating").hidden = Boolean(mine);
  if (mine) {
    $("sit-out").hidden = mine.status === "sitting_out";
    $("sit-in").hidden = mine.status !== "sitting_out";
    $("leave").hidden = state.table.kind !== "cash";
  }
  if (!myTurn) return;
  const legal = new Set(toAct.legal);
  $("act-fold").hidden = !legal.has("fold");
  $("act-check").hidden = !legal.has("check");
  $("act-call").hidden = !legal.has("call");
  $("act-call").textContent = `Call ${chips(toAct.to_call)}`;
  const raiseKind = legal.has("raise") ? "raise" : legal.has("bet") ? "bet" : null;
  $("raise-box").hidden = raiseKind === null;
  $("act-allin").hidden = !legal.has("all_in");
  if (raiseKind) {
    const p = presets(state, mine.seat);
    const slider = $("raise-amount");
    const input = $("raise-input");
    const key = `${hand.hand_id}:${toAct.turn}`;
    if (slider.dataset.turn !== key) {
      // A new decision: start from the minimum; keep what the player chose otherwise.
      slider.dataset.turn = key;
      slider.min = input.min = p.min;
      slider.max = input.max = p.max;
      slider.value = input.value = p.min;
      $("preset-half").dataset.amount = p.half;
      $("preset-pot").dataset.amount = p.pot;
      $("preset-max").dataset.amount = p.max;
    }
    $("act-raise").dataset.kind = raiseKind;
    $("act-raise").textContent = `${raiseKind === "bet" ? "Bet" : "Raise to"} ${chips(input.value)}`;
  }
}

function renderClock() {
  const hand = view.state && view.state.hand;
  const toAct = hand && hand.to_act;
  const clock = $("clock");
  if (!toAct || !toAct.deadline) {
    clock.textContent = "";
    return;
  }
  const left = (Date.parse(toAct.deadline) - Date.now()) / 1000;
  const bank = view.timeBank.get(toAct.seat);
  clock.textContent = `${toAct.user.username} to act: ${formatClock(left)}${bank !== undefined ? ` (time bank ${formatClock(bank)})` : ""}`;
  clock.classList.toggle("urgent", left < 5);
}

// The hand just ended stays readable (who showed what, who won) while the next
// one is dealt, with the way to its replay and deck proof.
function renderLastHand(end) {
  const box = $("last-hand");
  const lines = [];
  for (const shown of view.shown.values()) {
    lines.push(el("li", { class: "shown", "data-seat": shown.seat }, `${name(shown.user)} shows `, cards(shown.cards),
      shown.rank ? ` ${shown.rank}` : ""));
  }
  for (const winner of end.winners) lines.push(el("li", { class: "winner", text: `${name(winner.user)} wins ${chips(winner.amount)}` }));
  box.replaceChildren(
    el("h2", { text: "Last hand" }),
    el("ul", {}, ...lines),
    el("a", { href: `/hands/${end.hand_id}/`, text: "Replay and check the deck" }),
  );
  box.dataset.handId = end.hand_id;
  box.hidden = false;
}

function render() {
  if (!view.state) return;
  document.body.classList.add("synced");
  $("table-name").textContent = view.state.table.name;
  $("blinds").textContent = `Blinds ${chips(view.state.table.small_blind)}/${chips(view.state.table.big_blind)}${view.state.table.ante ? ` ante ${chips(view.state.table.ante)}` : ""}`;
  if (view.state.hand) view.lastBoard = view.state.hand.board;
  renderSeats();
  renderMiddle();
  renderControls();
  renderClock();
}

setInterval(renderClock, 250);

// --- Commands -----------------------------------------------------------------

async function send(promise) {
  try {
    return await promise;
  } catch (error) {
    showError(error.message);
    return null;
  }
}

/** Whether the decision an action answers is still the one the table waits for. */
function stillPending(data) {
  const hand = view.state && view.state.hand;
  return Boolean(hand && hand.to_act && hand.hand_id === data.hand_id && hand.to_act.turn === data.turn);
}

async function act(action, amount) {
  const hand = view.state && view.state.hand;
  if (!hand || !hand.to_act) return;
  let resent = false;
  try {
    await connection.act(tableId, hand, action, amount, {
      current: stillPending,
      onResend: (error) => {
        resent = true;
        showError(`${error.message} Sending your action again…`);
      },
    });
    // Taken, or the decision passed (the table shows which): the busy notice no longer holds.
    if (resent) clearError();
  } catch (error) {
    showError(error.message);
  }
}

function setAmount(amount) {
  $("raise-amount").value = amount;
  $("raise-input").value = amount;
  renderControls();
}

function openBuyIn(seatNumber) {
  const form = $("buyin-form");
  form.dataset.seat = seatNumber;
  const amount = $("buyin-amount");
  amount.min = view.state.table.min_buy_in;
  amount.max = view.state.table.max_buy_in;
  amount.value = Math.min(view.state.table.max_buy_in, Math.max(view.state.table.min_buy_in, view.state.table.big_blind * 100));
  $("buyin-seat").textContent = `Seat ${seatNumber}`;
  $("buyin-range").textContent = `${chips(view.state.table.min_buy_in)} to ${chips(view.state.table.max_buy_in)}`;
  form.hidden = false;
  amount.focus();
}

$("buyin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const ok = await send(connection.command("TABLE_JOIN", "TABLE", tableId,
    { seat: Number(form.dataset.seat), buy_in: Number($("buyin-amount").value) }));
  if (ok) form.hidden = true;
});
$("buyin-cancel").addEventListener("click", () => { $("buyin-form").hidden = true; });

$("act-fold").addEventListener("click", () => act("fold"));
$("act-check").addEventListener("click", () => act("check"));
$("act-call").addEventListener("click", () => act("call"));
$("act-allin").addEventListener("click", () => act("all_in"));
$("act-raise").addEventListener("click", () => act($("act-raise").dataset.kind, Number($("raise-input").value)));
$("raise-amount").addEventListener("input", (e) => setAmount(e.target.value));
$("raise-input").addEventListener("change", (e) => setAmount(e.target.value));
for (const id of ["preset-half", "preset-pot", "preset-max"]) {
  $(id).addEventListener("click", (e) => setAmount(e.currentTarget.dataset.amount));
}
$("leave").addEventListener("click", () => send(connection.command("TABLE_LEAVE", "TABLE", tableId)));
$("sit-out").addEventListener("click", () => send(connection.command("SIT_OUT", "TABLE", tableId)));
$("sit-in").addEventListener("click", () => send(connection.command("SIT_IN", "TABLE", tableId)));

// Keyboard shortcuts (docs/web-client.md): only while it is the viewer's turn,
// and never while they type in a field.
const SHORTCUTS = { f: "act-fold", x: "act-check", c: "act-call", r: "act-raise", a: "act-allin",
  h: "preset-half", p: "preset-pot" };

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || $("actions").hidden) return;
  if (event.target instanceof HTMLInputElement && event.target.type !== "range") return;
  let id = SHORTCUTS[event.key.toLowerCase()];
  // "c" is check when there is nothing to call.
  if (id === "act-call" && $("act-call").hidden) id = "act-check";
  const button = id && $(id);
  if (button && !button.hidden && !button.closest("[hidden]")) {
    event.preventDefault();
    button.click();
  }
});

