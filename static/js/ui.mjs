// What every page shares: cards as screen readers and eyes read them, the
// connection banner, small DOM helpers.

import { Connection, socketUrl } from "./protocol.mjs";

const RANKS = { A: "Ace", K: "King", Q: "Queen", J: "Jack", T: "Ten", 9: "Nine", 8: "Eight", 7: "Seven",
  6: "Six", 5: "Five", 4: "Four", 3: "Three", 2: "Two" };
const SUITS = { s: ["spades", "♠"], h: ["hearts", "♥"], d: ["diamonds", "♦"], c: ["clubs", "♣"] };

/** "As" -> "Ace of spades". */
export function cardName(card) {
  return `${RANKS[card[0]]} of ${SUITS[card[1]][0]}`;
}

/** A face-up card, or a face-down one when `card` is null. */
export function cardElement(card) {
  const el = document.createElement("span");
  el.setAttribute("role", "img");
  if (!card) {
    el.className = "card back";
    el.setAttribute("aria-label", "face-down card");
    return el;
  }
  const [, symbol] = SUITS[card[1]];
  el.className = `card face suit-${card[1]}`;
  el.dataset.card = card;
  el.setAttribute("aria-label", cardName(card));
  el.textContent = `${card[0] === "T" ? "10" : card[0]}${symbol}`;
  return el;
}

export function cards(list) {
  const frag = document.createDocumentFragment();
  for (const card of list) frag.append(cardElement(card));
  return frag;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

export function chips(amount) {
  return Number(amount).toLocaleString("en-US");
}

/** The JSON a template put in a json_script element. */
export function pageData(id = "page-data") {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

const STATUS_TEXT = {
  connecting: "Connecting…",
  open: "Connected",
  reconnecting: "Connection lost: reconnecting…",
};

/** The page's one connection, its state shown in the banner (#connection). */
export function connect() {
  const banner = document.getElementById("connection");
  const connection = new Connection(socketUrl(window.location), {
    onStatus(status, info) {
      if (!banner) return;
      banner.dataset.status = status;
      let text = STATUS_TEXT[status];
      if (status === "reconnecting" && info.delay) text = `Connection lost: retrying in ${Math.ceil(info.delay / 1000)} s…`;
      banner.textContent = text;
    },
  });
  connection.onUnsolicitedError = (data) => showError(data.message || data.code);
  return connection;
}

let errorTimer = null;

/** A refusal or failure the user should read; it fades after a while. */
export function showError(message) {
  const box = document.getElementById("errors");
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { box.hidden = true; }, 8000);
}

/** Take the error bar down at once: what it said no longer holds. */
export function clearError() {
  const box = document.getElementById("errors");
  if (box) box.hidden = true;
  clearTimeout(errorTimer);
}

export function formatClock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`
    : `${m}:${String(s % 60).padStart(2, "0")}`;
}
