// The staff metrics dashboard: polls the staff-only JSON of the metrics and draws,
// on plain canvases, the rates and quantiles Prometheus would compute from them.

const POLL_MS = 3000;
// Readings kept: the charts' span (about five minutes) and the quantiles' window.
const KEEP = 100;
const QUANTILE_WINDOW_S = 60;
const COLORS = ["#f4d35e", "#8ecae6", "#ff9b8a", "#b5e48c", "#cdb4db", "#ffb703", "#ffffff"];

/** Prometheus' histogram_quantile: linear within the bucket the rank falls in; null without observations. */
export function quantile(q, buckets) {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.length ? sorted[sorted.length - 1][1] : 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(bound)) return lower;
      return count > below ? lower + ((bound - lower) * (rank - below)) / (count - below) : bound;
    }
    lower = bound;
    below = count;
  }
  return lower;
}

/** The observations between two readings of a histogram, as cumulative buckets. */
export function bucketsBetween(earlier, later) {
  const before = new Map((earlier?.buckets || []).map(([le, n]) => [le, n]));
  return later.buckets.map(([le, n]) => [le === "+Inf" ? Infinity : Number(le), n - (before.get(le) || 0)]);
}

function perSecond(now, before, read) {
  const elapsed = now.at - before.at;
  return elapsed > 0 ? Math.max(0, read(now) - read(before)) / elapsed : null;
}

/** The reading about QUANTILE_WINDOW_S before the last one (or the oldest kept). */
function windowStart(readings) {
  const last = readings[readings.length - 1];
  return readings.find((r) => last.at - r.at <= QUANTILE_WINDOW_S) || readings[0];
}

function ms(histogram, q, readings) {
  const start = windowStart(readings);
  if (start === readings[readings.length - 1]) return null;
  const value = quantile(q, bucketsBetween(start.histograms[histogram], readings[readings.length - 1].histograms[histogram]));
  return value === null ? null : value * 1000;
}

/** Each chart's lines for the newest reading: {name: value or null}. */
export function pointsOf(readings) {
  const now = readings[readings.length - 1];
  const before = readings.length > 1 ? readings[readings.length - 2] : null;
  // "ok" always, so the chart says "none yet" rather than nothing; each error code once seen.
  const commands = {};
  for (const result of [...new Set(["ok", ...Object.keys(now.commands)])].sort((a, b) => (a === "ok" ? -1 : b === "ok" ? 1 : a.localeCompare(b)))) {
    commands[result] = before ? perSecond(now, before, (r) => r.commands[result] || 0) : null;
  }
  return {
    connections: { open: now.connections },
    events: { events: before ? perSecond(now, before, (r) => r.events) : null },
    commands,
    command_latency: { p50: ms("command_seconds", 0.5, readings), p99: ms("command_seconds", 0.99, readings) },
    delivery: { p99: ms("delivery_seconds", 0.99, readings) },
    heartbeat: { p99: ms("heartbeat_rtt_seconds", 0.99, readings) },
    relay_lag: { lag: now.relay_lag_seconds },
  };
}

function format(value) {
  if (value === null || value === undefined) return "–";
  if (Number.isInteger(value) || value >= 100) return Math.round(value).toString();
  return value.toFixed(value >= 10 ? 1 : 2);
}

class Chart {
  constructor(figure) {
    this.figure = figure;
    this.canvas = figure.querySelector("canvas");
    this.output = figure.querySelector("output");
    this.legend = figure.querySelector(".legend");
    this.lines = new Map(); // name -> values, oldest first, null for "no data"
  }

  add(points) {
    for (const name of Object.keys(points)) if (!this.lines.has(name)) this.lines.set(name, []);
    for (const [name, values] of this.lines) {
      values.push(name in points ? points[name] : null);
      if (values.length > KEEP) values.shift();
    }
    const names = [...this.lines.keys()];
    this.output.textContent = names.map((name) => (names.length > 1 ? `${name} ` : "") + format(points[name])).join(" · ");
    this.legend.replaceChildren(...names.map((name, i) => {
      const key = document.createElement("span");
      key.className = "key";
      key.dataset.color = String(i % COLORS.length);
      key.textContent = name;
      return key;
    }));
    this.draw();
  }

  draw() {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.clearRect(0, 0, width, height);
    const all = [...this.lines.values()].flat().filter((v) => v !== null);
    const top = Math.max(...all, 0) * 1.15 || 1;
    ctx.fillStyle = "#b9cfc4";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText(format(top), 2, 11);
    ctx.fillText("0", 2, height - 2);
    let index = 0;
    for (const values of this.lines.values()) {
      ctx.strokeStyle = COLORS[index++ % COLORS.length];
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let drawing = false;
      values.forEach((value, i) => {
        if (value === null) { drawing = false; return; }
        const x = (width * i) / (KEEP - 1);
        const y = height - 2 - ((height - 14) * value) / top;
        if (drawing) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        drawing = true;
      });
      ctx.stroke();
    }
  }
}

async function poll(source, charts, readings, status) {
  try {
    const response = await fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    readings.push(await response.json());
    if (readings.length > KEEP) readings.shift();
    const points = pointsOf(readings);
    for (const [key, chart] of charts) chart.add(points[key]);
    status.textContent = `Last reading ${new Date(readings[readings.length - 1].at * 1000).toISOString().slice(11, 19)} UTC`;
  } catch (error) {
    status.textContent = `Could not read the metrics (${error.message}); retrying.`;
  }
}

function start() {
  const root = document.getElementById("charts");
  if (!root) return;
  const status = document.getElementById("metrics-status");
  const charts = new Map([...root.querySelectorAll("figure[data-chart]")].map((f) => [f.dataset.chart, new Chart(f)]));
  const readings = [];
  const tick = () => poll(root.dataset.source, charts, readings, status).finally(() => setTimeout(tick, POLL_MS));
  tick();
}

if (typeof document !== "undefined") start();
