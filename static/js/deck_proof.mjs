// The fair-deck check of PROTOCOL.md section 8 / docs/fair-deck.md, in the
// browser with SubtleCrypto: the 52 leaves must hash to the commitment made
// before the deal, and every revealed card must hash, with its salt, to its leaf.

const HEX = /^[0-9a-f]+$/;

function bytesFromHex(hex, length) {
  if (typeof hex !== "string" || !HEX.test(hex) || hex.length !== length * 2) return null;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function hexFromBytes(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

const CARD = /^[2-9TJQKA][shdc]$/;

/** {ok, reason, checked}: `checked` lists the reveals proven, `reason` says why not. */
export async function verifyDeckProof(commitment, proof) {
  const fail = (reason) => ({ ok: false, reason, checked: [] });
  if (!proof || !Array.isArray(proof.leaves) || proof.leaves.length !== 52) return fail("the proof does not hold 52 leaves");
  const leaves = proof.leaves.map((leaf) => bytesFromHex(leaf, 32));
  if (leaves.some((leaf) => leaf === null)) return fail("a leaf is not a 32-byte hex hash");
  const joined = new Uint8Array(52 * 32);
  leaves.forEach((leaf, i) => joined.set(leaf, i * 32));
  if (hexFromBytes(await sha256(joined)) !== String(commitment).toLowerCase()) {
    return fail("the leaves do not hash to the deck commitment published before the deal");
  }
  const positions = new Set();
  const seen = new Set();
  const checked = [];
  for (const reveal of proof.reveals || []) {
    const { position, card } = reveal;
    if (!Number.isInteger(position) || position < 0 || position > 51 || positions.has(position)) {
      return fail(`position ${position} is not a distinct deck position`);
    }
    if (typeof card !== "string" || !CARD.test(card) || seen.has(card)) return fail(`card ${card} is not a distinct card`);
    const salt = bytesFromHex(reveal.salt, 16);
    if (salt === null) return fail(`the salt of position ${position} is not 16 hex bytes`);
    const message = new Uint8Array(18);
    message.set(salt);
    message.set(new TextEncoder().encode(card), 16);
    if (hexFromBytes(await sha256(message)) !== proof.leaves[position]) {
      return fail(`${card} at position ${position} is not the card committed there`);
    }
    positions.add(position);
    seen.add(card);
    checked.push({ position, card });
  }
  return { ok: true, reason: null, checked };
}
