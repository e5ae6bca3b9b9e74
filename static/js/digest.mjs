// The state digest (docs/realtime.md, "Version-1 additions"): the same text
// and hash as the server's pokerrt/realtime/digest.py, so a page can tell
// whether the state it built from events is the server's at that seq.

/** JSON with keys sorted and no whitespace: the text the digest hashes.
 *  States hold strings, integers, booleans, null, arrays and objects with
 *  ASCII keys; JSON.stringify writes each of those as Python's json does. */
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Whether this page can hash: SubtleCrypto exists only in secure contexts
 *  (https, or http on localhost). */
export function canDigest() {
  return Boolean(globalThis.crypto && globalThis.crypto.subtle);
}

/** The first 16 hex digits of the SHA-256 of the UTF-8 of `text` (a canonicalJson). */
export async function digestOfText(text) {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(hash).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The digest of a state: what SUBSCRIBED and SYNC carry in `data.digest`. */
export function stateDigest(state) {
  return digestOfText(canonicalJson(state));
}
