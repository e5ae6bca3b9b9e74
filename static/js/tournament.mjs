// The tournament page: clock, level and blinds, registration, standings,
// tables, payouts and results. Every event is applied to the snapshot with
// the server's own rules (tournament_state.mjs), so the state's digest can be
// checked; events that reshuffle players (start, eliminations, moves, the
// end) are still followed by a fresh snapshot (docs/web-client.md).

import { apply } from "./tournament_state.mjs";
import { chips, connect, el, formatClock, pageData, showError } from "./ui.mjs";

const page = pageData();
const tournamentId = page.tournament_id;
const me = page.me;
const connection = connect();
const view = { state: null, registration: null, results: null };
window.pokerrt = { connection, view };

const $ = (id) => document.getElementById(id);
const RESHUFFLE = new Set(["TOURNAMENT_START", "PLAYER_ELIMINATION", "TABLE_BALANCE", "TABLE_MERGE",
  "TOURNAMENT_END", "TOURNAMENT_CREATE"]);

function level(state, number) {
  return state.structure.find((l) => l.level === number) || null;
}

function renderClock() {
  const { state } = view;
  if (!state) return;
  const t = state.tournament;
  const current = level(state, state.level);
  $("level").textContent = state.on_break ? "On break" : current ? `Level ${current.level}` : "Not started";
  $("blinds").textContent = current && !state.on_break
    ? `${chips(current.small_blind)}/${chips(current.big_blind)}${current.ante ? ` ante ${chips(current.ante)}` : ""}` : "–";
  const next = level(state, state.level + 1);
  $("next-level").textContent = next ? `${chips(next.small_blind)}/${chips(next.big_blind)}${next.ante ? ` ante ${chips(next.ante)}` : ""}` : "–";
  const nextBreak = state.structure.find((l) => l.level >= state.level && l.break_minutes);
  $("next-break").textContent = state.on_break ? "now" : nextBreak ? `after level ${nextBreak.level}` : "none";
  const left = state.next_level_at && t.status === "running" ? (Date.parse(state.next_level_at) - Date.now()) / 1000 : null;
  $("time-left").textContent = left === null ? "–" : formatClock(left);
}

function render() {
  const { state } = view;
  const t = state.tournament;
  document.body.classList.add("synced");
  $("status").textContent = t.status;
  $("registered").textContent = `${t.registered}/${t.max_players}`;
  $("prize-pool").textContent = chips(t.prize_pool);
  renderClock();

  const mine = me && state.players.find((p) => p.user.id === me.id);
  const registered = view.registration !== null ? view.registration : Boolean(mine);
  $("register").hidden = !me || registered || t.status !== "registering";
  $("unregister").hidden = !me || !registered || t.status !== "registering";
  const myTable = mine && mine.table_id && mine.status === "playing" ? mine.table_id : null;
  $("my-table").hidden = !myTable;
  if (myTable) $("my-table").href = `/tables/${myTable}/`;

  const standings = [...state.players].sort((a, b) => (a.position || 0) - (b.position || 0) || b.chips - a.chips);
  $("standings").replaceChildren(...standings.map((p, i) => el("tr", { "data-user-id": p.user.id },
    el("td", { text: p.position ? `#${p.position}` : String(i + 1) }),
    el("td", { text: p.user.username }),
    el("td", { text: p.status }),
    el("td", { text: chips(p.chips) }),
    el("td", {}, p.table_id ? el("a", { href: `/tables/${p.table_id}/`, text: `Table ${p.table_id}` }) : null))));
  $("tables").replaceChildren(...state.tables.map((row) => el("li", {},
    el("a", { href: `/tables/${row.table_id}/`, text: `Table ${row.table_id}` }), ` · ${row.players} players`)));
  $("payouts").replaceChildren(...state.payouts.map((p) => el("tr", {},
    el("td", { text: `#${p.position}` }), el("td", { text: chips(p.prize) }))));
  const results = view.results;
  $("results-box").hidden = !results;
  if (results) {
    $("results").replaceChildren(...results.map((r) => el("tr", {},
      el("td", { text: `#${r.position}` }), el("td", { text: r.user.username }), el("td", { text: r.prize === null ? "–" : chips(r.prize) }))));
  }
}

connection.subscribe("TOURNAMENT", tournamentId, {
  snapshot(state) {
    view.state = state;
    view.registration = null;
    if (state.tournament.status === "finished" && !view.results) {
      view.results = state.players.filter((p) => p.position).sort((a, b) => a.position - b.position)
        .map((p) => ({ user: p.user, position: p.position, prize: null }));
    }
    render();
  },
  event(frame) {
    view.state = apply(view.state, frame);
    if (frame.type === "TOURNAMENT_END") view.results = frame.data.results;
    if (RESHUFFLE.has(frame.type)) connection.refresh("TOURNAMENT", tournamentId);
    render();
  },
  error(data) { showError(data.message); },
  digestState: () => view.state,
});

if (me) {
  connection.subscribe("PLAYER", me.id, {
    snapshot() {},
    event(frame) {
      const d = frame.data;
      if (d.tournament_id !== tournamentId) return;
      if (frame.type === "TOURNAMENT_REGISTER") view.registration = true;
      if (frame.type === "TOURNAMENT_UNREGISTER") view.registration = false;
      // The tournament has seated the player: take them to their table.
      if (frame.type === "TOURNAMENT_START" && d.table_id) window.location.assign(`/tables/${d.table_id}/`);
      if (view.state) render();
    },
  });
}

async function send(type) {
  try {
    await connection.command(type, "TOURNAMENT", tournamentId);
  } catch (error) {
    showError(error.message);
  }
}

$("register").addEventListener("click", () => send("TOURNAMENT_REGISTER"));
$("unregister").addEventListener("click", () => send("TOURNAMENT_UNREGISTER"));
setInterval(renderClock, 500);
