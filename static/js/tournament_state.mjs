// How the tournament page applies TOURNAMENT events to a TOURNAMENT snapshot:
// the same rules as the server's consistency test (tests/tournament/reducer.py),
// so the page's state is a fresh snapshot's and its digest the server's.

function playerOf(state, userId) {
  return state.players.find((p) => p.user.id === userId);
}

/** Add `change` players to a row of `tables`; a table left empty goes. */
function count(state, tableId, change) {
  for (const row of state.tables) if (row.table_id === tableId) row.players += change;
  state.tables = state.tables.filter((row) => row.players > 0);
}

function applyPlay(state, kind, data) {
  switch (kind) {
    case "TOURNAMENT_START":
      for (const table of data.tables) {
        for (const seated of table.players) {
          Object.assign(playerOf(state, seated.user.id), { status: "playing", table_id: table.table_id, chips: seated.chips });
        }
      }
      state.tables = data.tables.map((t) => ({ table_id: t.table_id, players: t.players.length }))
        .sort((a, b) => Number(a.table_id) - Number(b.table_id));
      state.level = data.level;
      break;
    case "LEVEL_UP":
      Object.assign(state, { level: data.level, next_level_at: data.ends_at });
      break;
    case "BREAK_START":
      Object.assign(state, { on_break: true, next_level_at: data.ends_at });
      break;
    case "BREAK_END":
      state.on_break = false;
      break;
    case "PLAYER_ELIMINATION": {
      const player = playerOf(state, data.user.id);
      count(state, player.table_id, -1);
      Object.assign(player, { status: "eliminated", chips: 0, table_id: null, position: data.position });
      break;
    }
    case "TABLE_MERGE":
    case "TABLE_BALANCE":
      for (const move of data.moves) {
        const player = playerOf(state, move.user.id);
        count(state, player.table_id, -1);
        count(state, move.to_table, +1);
        player.table_id = move.to_table;
      }
      break;
    case "TOURNAMENT_END":
      if (data.cancelled) break;
      for (const result of data.results) {
        Object.assign(playerOf(state, result.user.id), { status: "eliminated", chips: 0, table_id: null, position: result.position });
      }
      state.tables = [];
      state.next_level_at = null;
      break;
    default:
      break;
  }
}

/** The next state after `frame`; `state` is left as it was. */
export function apply(state, frame) {
  const next = structuredClone(state);
  const data = frame.data;
  const kind = frame.type;
  for (const part of ["tournament", "structure", "payouts"]) if (part in data) next[part] = data[part];
  if (kind === "TOURNAMENT_REGISTER" || kind === "TOURNAMENT_UNREGISTER") {
    next.players = next.players.filter((p) => p.user.id !== data.user.id);
    if (kind === "TOURNAMENT_REGISTER") next.players.push(data.player);
    Object.assign(next.tournament, { registered: data.registered, prize_pool: data.prize_pool });
  }
  if (kind === "TOURNAMENT_UPDATE" && data.players) {
    const rows = new Map(data.players.map((row) => [row.user.id, row]));
    next.players = next.players.map((p) => rows.get(p.user.id) || p);
  }
  if (kind === "TOURNAMENT_END" && data.cancelled) {
    next.players = data.players || [];
    next.tables = [];
  }
  applyPlay(next, kind, data);
  if ("next_level_at" in data) next.next_level_at = data.next_level_at;
  if ("tournament" in data) Object.assign(next, { level: data.tournament.level, on_break: data.tournament.on_break });
  return next;
}
