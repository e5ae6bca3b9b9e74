// The live lobby: its tables and tournaments update in place from LOBBY_UPDATE,
// its members from LOBBY_JOIN/LOBBY_LEAVE; a logged-in viewer joins the
// presence on every (re)connection and may register for tournaments here.

import { chips, connect, el, pageData, showError } from "./ui.mjs";

const page = pageData();
const lobbyId = page.lobby_id;
const me = page.me;
const connection = connect();
const view = { state: null, registered: new Set() };
window.pokerrt = { connection, view };

const $ = (id) => document.getElementById(id);

/** LOBBY_UPDATE rows replace the rows with the same id; removed ids go. */
export function applyUpdate(state, data) {
  const next = structuredClone(state);
  if (data.lobby) next.lobby = data.lobby;
  for (const [section, removed] of [["tables", "removed_tables"], ["tournaments", "removed_tournaments"]]) {
    const rows = new Map(next[section].map((row) => [row.id, row]));
    for (const row of data[section] || []) rows.set(row.id, row);
    for (const id of data[removed] || []) rows.delete(id);
    next[section] = [...rows.values()].sort((a, b) => Number(a.id) - Number(b.id));
  }
  return next;
}

function tableCells(row) {
  return [
    el("td", {}, el("a", { href: `/tables/${row.id}/`, text: row.name })),
    el("td", { text: `${chips(row.small_blind)}/${chips(row.big_blind)}${row.ante ? ` ante ${chips(row.ante)}` : ""}` }),
    el("td", { class: "players", text: `${row.players}/${row.max_seats}` }),
    el("td", { text: `${chips(row.min_buy_in)}–${chips(row.max_buy_in)}` }),
    el("td", { text: String(row.hands_per_hour) }),
    el("td", { text: chips(row.average_pot) }),
    el("td", {}, el("a", { class: "button", href: `/tables/${row.id}/`,
      text: row.players < row.max_seats ? (me ? "Sit down" : "Watch") : "Watch" })),
  ];
}

function registerButton(row) {
  if (!me || !["registering", "running"].includes(row.status)) return null;
  if (view.registered.has(row.id)) {
    return el("button", { type: "button", class: "secondary unregister", onclick: () => register(row.id, false),
      text: row.status === "registering" ? "Unregister" : "Registered" });
  }
  if (row.status !== "registering") return null;
  return el("button", { type: "button", class: "register", onclick: () => register(row.id, true), text: "Register" });
}

function tournamentCells(row) {
  return [
    el("td", {}, el("a", { href: `/tournaments/${row.id}/`, text: row.name })),
    el("td", { text: row.kind === "mtt" ? "Scheduled" : "Sit and go" }),
    el("td", { text: `${chips(row.buy_in)}${row.fee ? ` + ${chips(row.fee)}` : ""}` }),
    el("td", { class: "registered", text: `${row.registered}/${row.max_players}` }),
    el("td", { text: chips(row.prize_pool) }),
    el("td", { text: row.starts_at ? new Date(row.starts_at).toLocaleString() : "when full" }),
    el("td", { class: "status", text: row.status }),
    el("td", {}, registerButton(row)),
  ];
}

/** Rows keyed by id: a changed row is rewritten in place (and flashes), the rest are left alone. */
function renderRows(body, rows, cells, attr) {
  const existing = new Map([...body.querySelectorAll(`tr[${attr}]`)].map((tr) => [tr.getAttribute(attr), tr]));
  const wanted = [];
  for (const row of rows) {
    const key = JSON.stringify(row) + view.registered.has(row.id);
    let tr = existing.get(row.id);
    if (!tr) tr = el("tr", { [attr]: row.id });
    if (tr.dataset.key !== key) {
      if (tr.dataset.key) {
        tr.classList.remove("row-updated");
        void tr.offsetWidth; // restart the flash
        tr.classList.add("row-updated");
      }
      tr.dataset.key = key;
      tr.replaceChildren(...cells(row));
    }
    wanted.push(tr);
  }
  body.replaceChildren(...wanted);
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: 8, text: "None right now." })));
}

function render() {
  const { state } = view;
  document.body.classList.add("synced");
  $("lobby-name").textContent = state.lobby.name;
  renderRows($("tables"), state.tables, tableCells, "data-table-id");
  renderRows($("tournaments"), state.tournaments, tournamentCells, "data-tournament-id");
  $("member-count").textContent = String(state.members.length);
  $("members").replaceChildren(...state.members.map((u) => el("li", { "data-user-id": u.id, text: u.username })));
}

connection.subscribe("LOBBY", lobbyId, {
  snapshot(state) {
    view.state = state;
    render();
  },
  event(frame) {
    const d = frame.data;
    if (frame.type === "LOBBY_CREATE") view.state = { lobby: d.lobby, tables: [], tournaments: [], members: [] };
    else if (frame.type === "LOBBY_UPDATE") view.state = applyUpdate(view.state, d);
    else if (frame.type === "LOBBY_JOIN" && !view.state.members.some((u) => u.id === d.user.id)) {
      view.state.members = [...view.state.members, d.user].sort((a, b) => Number(a.id) - Number(b.id));
    } else if (frame.type === "LOBBY_LEAVE") view.state.members = view.state.members.filter((u) => u.id !== d.user.id);
    else if (frame.type === "LOBBY_DELETE") {
      view.state.lobby = d.lobby;
      showError("This lobby has closed.");
    }
    render();
  },
  error(data) { showError(data.message); },
  digestState: () => view.state,
});

if (me) {
  // Presence belongs to a socket: join again on every new one.
  connection.onOpen = () => connection.command("LOBBY_JOIN", "LOBBY", lobbyId).catch((e) => showError(e.message));
  connection.subscribe("PLAYER", me.id, {
    snapshot(state) {
      view.registered = new Set((state.registrations || []).map((r) => r.tournament_id));
      if (view.state) render();
    },
    event(frame) {
      // A sit-and-go filled up and seated the player: take them to their table.
      if (frame.type === "TOURNAMENT_START" && frame.data.table_id) {
        window.location.assign(`/tables/${frame.data.table_id}/`);
        return;
      }
      if (frame.data.registrations) {
        view.registered = new Set(frame.data.registrations.map((r) => r.tournament_id));
        if (view.state) render();
      }
    },
  });
}

async function register(tournamentId, joining) {
  try {
    await connection.command(joining ? "TOURNAMENT_REGISTER" : "TOURNAMENT_UNREGISTER", "TOURNAMENT", tournamentId);
    if (joining) view.registered.add(tournamentId);
    else view.registered.delete(tournamentId);
    render();
  } catch (error) {
    showError(error.message);
  }
}
