// The one client of the wire protocol (PROTOCOL.md) every page uses.
//
// One WebSocket multiplexes every stream the page follows. The module keeps,
// per stream, the last seq applied and its epoch, so that after a dropped
// connection (or a gap) it resubscribes with `since` and the server either
// replays what was missed or sends a fresh snapshot: the page never has to
// know which. Commands carry a `ref` and return a promise settled by the
// matching ACK or ERROR.
//
// A stream whose handler gives `digestState()` also asks for the server's
// state digest (SUBSCRIBE `digest: true`): at every SYNC that names the seq
// it holds, the page hashes its own state, and a different hash takes a fresh
// snapshot (docs/realtime.md, "Version-1 additions").

import { canDigest, canonicalJson, digestOfText } from "./digest.mjs";

/** Milliseconds to wait before reconnect attempt `attempt` (0 = first retry).
 *  Exponential, capped, with "equal jitter" (half fixed, half random) so that
 *  the clients a restarting node dropped do not all come back at once. */
export function backoffDelay(attempt, { base = 500, cap = 15000, random = Math.random } = {}) {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Where a stream's next event stands against what the client applied.
 *  "apply": the next seq; "duplicate": already applied (a replay overlap);
 *  "gap": a seq is missing or the epoch changed, so the client resubscribes. */
export function classify(cursor, frame) {
  if (cursor.epoch !== null && frame.epoch !== cursor.epoch) return "gap";
  if (frame.seq <= cursor.seq) return "duplicate";
  if (frame.seq === cursor.seq + 1) return "apply";
  return "gap";
}

/** The SUBSCRIBE data that resumes a stream from what the client holds. */
export function resumeData(cursor) {
  return cursor.seq > 0 && cursor.epoch ? { since: cursor.seq, epoch: cursor.epoch } : {};
}

/** Whether a SYNC speaks of the state the client holds now: same epoch, same seq.
 *  A SYNC for another seq is ignored; the next one will do. */
export function syncApplies(cursor, data) {
  return data.epoch === cursor.epoch && data.seq === cursor.seq;
}

/** A PLAYER_ACTION command's data, held to the turn guard: it names the hand
 *  and the decision it answers, so a click meant for one street never lands
 *  on the next (the server answers CONFLICT instead). */
export function actionData(hand, action, amount) {
  if (!hand || !hand.to_act) throw new Error("No decision is pending.");
  const data = { action, hand_id: hand.hand_id, turn: hand.to_act.turn };
  if (amount !== undefined && amount !== null) data.amount = amount;
  return data;
}

/** Milliseconds to wait before sending a betting action again after the server answered INTERNAL
 *  (attempt 0 = the first resend): short, since the player's clock is running, and never at once. */
export function busyDelay(attempt, { random = Math.random } = {}) {
  return backoffDelay(attempt, { base: 500, cap: 2000, random });
}

/** How many times a betting action answered INTERNAL is sent again before the player is told. */
export const BUSY_RESENDS = 5;

export function socketUrl(location) {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/`;
}

/** A refused command: the ERROR frame's data (code, message, details). */
export class CommandError extends Error {
  constructor(data) {
    super(data.message || data.code);
    this.code = data.code;
    this.details = data.details;
  }
}

export class Connection {
  /** `onStatus(status, info)` hears "connecting", "open", "reconnecting" ({delay, attempt}). */
  constructor(url, { onStatus = () => {}, WebSocketImpl = WebSocket } = {}) {
    this.url = url;
    this.onStatus = onStatus;
    this.WebSocketImpl = WebSocketImpl;
    this.streams = new Map(); // "TABLE:17" -> {target, id, handler, cursor, syncing, digests}
    this.pending = new Map(); // ref -> {resolve, reject, stream?}
    this.nextRef = 1;
    this.attempt = 0;
    this.socket = null;
    this.stopped = false;
    this.onOpen = () => {}; // after each (re)connection's resubscriptions: per-socket commands go here
    this.actions = 0; // betting actions asked for: a newer one ends the resends of an older one
    this.connect();
  }

  connect() {
    this.onStatus(this.attempt === 0 ? "connecting" : "reconnecting", { attempt: this.attempt });
    const socket = new this.WebSocketImpl(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.onStatus("open", {});
      for (const stream of this.streams.values()) this.sendSubscribe(stream, resumeData(stream.cursor));
      this.onOpen();
    };
    socket.onmessage = (message) => this.receive(JSON.parse(message.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      for (const [ref, waiter] of this.pending) {
        waiter.reject(new CommandError({ code: "DISCONNECTED", message: "The connection dropped; try again." }));
        this.pending.delete(ref);
      }
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt);
      this.attempt += 1;
      this.onStatus("reconnecting", { delay, attempt: this.attempt });
      setTimeout(() => this.connect(), delay);
    };
  }

  /** Follow a stream. `handler.snapshot(state, frame)` gets each fresh state,
   *  `handler.event(frame)` each event in seq order, `handler.error(data)` a refusal;
   *  `handler.digestState()`, if given, returns the state the page holds, to be
   *  checked against the server's digests. */
  subscribe(target, id, handler) {
    const key = `${target}:${id}`;
    // What the digest checks found: a page (or a test) may read it.
    const digests = handler.digestState && canDigest() ? { matches: 0, mismatches: 0 } : null;
    const stream = { target, id: String(id), handler, cursor: { seq: 0, epoch: null }, syncing: true, digests };
    this.streams.set(key, stream);
    if (this.isOpen()) this.sendSubscribe(stream, {});
    return stream;
  }

  unsubscribe(target, id) {
    const key = `${target}:${id}`;
    if (!this.streams.delete(key)) return;
    if (this.isOpen()) this.write({ type: "UNSUBSCRIBE", target, id: String(id) });
  }

  /** Ask for a fresh snapshot of a stream (a page that would rather re-read than replay). */
  refresh(target, id) {
    const stream = this.streams.get(`${target}:${id}`);
    if (stream && this.isOpen()) this.sendSubscribe(stream, {});
  }

  /** Send a command; resolves with the ACK's data, rejects with a CommandError. */
  command(type, target, id, data = {}) {
    if (!this.isOpen()) {
      return Promise.reject(new CommandError({ code: "DISCONNECTED", message: "Not connected; wait a moment." }));
    }
    const ref = `c-${this.nextRef++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(ref, { resolve, reject });
      this.write({ type, target, id: id === null ? undefined : String(id), data, ref });
    });
  }

  /** A betting action, always with the turn guard.
   *
   *  Answered INTERNAL (the database away, a fault past the server's own
   *  retries), it changed nothing, or it was applied and its answer lost:
   *  either way the player still wants it, and the turn guard makes a copy
   *  safe. So it is sent again, the same `hand_id` and `turn`, after
   *  `busyDelay`, up to `BUSY_RESENDS` times, for as long as `current(data)`
   *  says the decision is still the player's and no newer action was asked
   *  for; `onResend(error)` hears each resend. A copy refused CONFLICT (the
   *  first landed, or the clock acted) and a decision gone meanwhile settle
   *  with null: the events show what happened. Past the resends, the last
   *  INTERNAL rejects as any refusal does. */
  async act(tableId, hand, action, amount, { current = () => true, onResend = () => {}, delay = busyDelay } = {}) {
    const data = actionData(hand, action, amount);
    const asked = ++this.actions;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.command("PLAYER_ACTION", "TABLE", tableId, data);
      } catch (error) {
        if (attempt > 0 && error.code === "CONFLICT") return null;
        if (error.code !== "INTERNAL" || attempt >= BUSY_RESENDS) throw error;
        onResend(error);
        await new Promise((resolve) => setTimeout(resolve, delay(attempt)));
        if (asked !== this.actions || !current(data)) return null;
      }
    }
  }

  /** Drop the socket as a network cut would; the usual reconnect follows. */
  dropSocket() {
    if (this.socket) this.socket.close();
  }

  close() {
    this.stopped = true;
    if (this.socket) this.socket.close();
  }

  isOpen() {
    return this.socket !== null && this.socket.readyState === 1;
  }

  write(frame) {
    this.socket.send(JSON.stringify(frame));
  }

  sendSubscribe(stream, data) {
    stream.syncing = true;
    const ref = `s-${this.nextRef++}`;
    this.pending.set(ref, { stream, resolve: () => {}, reject: () => {} });
    const asked = stream.digests ? { ...data, digest: true } : data;
    this.write({ type: "SUBSCRIBE", target: stream.target, id: stream.id, data: asked, ref });
  }

  receive(frame) {
    const data = frame.data || {};
    switch (frame.type) {
      case "PING":
        this.write({ type: "PONG", data: { t: data.t } });
        return;
      case "PONG":
        return;
      case "SUBSCRIBED":
        this.subscribed(frame);
        return;
      case "SYNC":
        this.sync(frame);
        return;
      case "ACK":
      case "ERROR":
        this.answered(frame);
        return;
      default:
        this.event(frame);
    }
  }

  streamOf(frame) {
    return this.streams.get(`${frame.target}:${frame.id}`);
  }

  subscribed(frame) {
    const data = frame.data;
    this.pending.delete(data.ref);
    const stream = this.streamOf(frame);
    if (!stream) return;
    stream.syncing = false;
    stream.cursor = { seq: data.seq, epoch: data.epoch };
    if (!data.recovered) stream.handler.snapshot(data.state, frame);
    if (stream.digests && typeof data.digest === "string") this.checkDigest(stream, data.digest, true);
  }

  sync(frame) {
    const stream = this.streamOf(frame);
    if (!stream || !stream.digests || stream.syncing || !syncApplies(stream.cursor, frame.data || {})) return;
    this.checkDigest(stream, frame.data.digest, false);
  }

  /** Hash the page's state as it is now (at the cursor's seq); on a mismatch take a fresh snapshot. */
  async checkDigest(stream, expected, fresh) {
    const text = canonicalJson(stream.handler.digestState());
    const found = await digestOfText(text);
    if (!stream.digests) return; // another check gave up on this stream meanwhile
    // Another check found the mismatch while this one hashed (two SYNCs queued
    // behind a page the browser starved): the fresh snapshot is on its way.
    if (stream.syncing) return;
    if (found === expected) {
      stream.digests.matches += 1;
      return;
    }
    stream.digests.mismatches += 1;
    if (fresh) {
      // The snapshot itself hashes differently: this page's state is not the
      // snapshot's shape, and asking again would loop. Stop checking.
      console.warn(`pokerrt: ${stream.target} ${stream.id} state does not hash to its snapshot's digest`);
      stream.digests = null;
      return;
    }
    if (this.streams.get(`${stream.target}:${stream.id}`) === stream && !stream.syncing && this.isOpen()) {
      this.sendSubscribe(stream, { mismatch: true });
    }
  }

  answered(frame) {
    const data = frame.data || {};
    const waiter = data.ref !== undefined ? this.pending.get(data.ref) : undefined;
    if (waiter) this.pending.delete(data.ref);
    if (frame.type === "ACK") {
      if (waiter) waiter.resolve(data);
      return;
    }
    if (waiter && waiter.stream) {
      waiter.stream.syncing = false;
      if (waiter.stream.handler.error) waiter.stream.handler.error(data);
      return;
    }
    if (waiter) waiter.reject(new CommandError(data));
    else if (this.onUnsolicitedError) this.onUnsolicitedError(data);
  }

  event(frame) {
    const stream = this.streamOf(frame);
    if (!stream || stream.syncing || typeof frame.seq !== "number") return;
    const verdict = classify(stream.cursor, frame);
    if (verdict === "duplicate") return;
    if (verdict === "gap") {
      // A changed epoch voids the old seq numbers: start from a snapshot.
      const epochChanged = frame.epoch !== stream.cursor.epoch;
      this.sendSubscribe(stream, epochChanged ? {} : resumeData(stream.cursor));
      return;
    }
    stream.cursor.seq = frame.seq;
    stream.handler.event(frame);
  }
}
