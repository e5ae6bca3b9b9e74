// The hand page: a street-by-street replay of a finished hand, and its deck
// proof checked here, in the browser, so the verdict does not rest on the server's word.

import { verifyDeckProof } from "./deck_proof.mjs";
import { cardName, cards, el, pageData } from "./ui.mjs";

const page = pageData();
const $ = (id) => document.getElementById(id);

// --- Replay ---------------------------------------------------------------------

let step = 0;

function showStep(n) {
  step = Math.max(0, Math.min(page.streets.length - 1, n));
  const current = page.streets[step];
  $("step-name").textContent = `${current.name} (${step + 1} of ${page.streets.length})`;
  $("replay-board").replaceChildren(cards(current.board));
  $("replay-lines").replaceChildren(...current.lines.map((line) => el("li", { text: line })));
  $("step-prev").disabled = step === 0;
  $("step-next").disabled = step === page.streets.length - 1;
}

if (page.streets.length) {
  $("step-prev").addEventListener("click", () => showStep(step - 1));
  $("step-next").addEventListener("click", () => showStep(step + 1));
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLTextAreaElement) return;
    if (event.key === "ArrowLeft") showStep(step - 1);
    if (event.key === "ArrowRight") showStep(step + 1);
  });
  showStep(0);
}

// --- Deck proof -----------------------------------------------------------------

async function check() {
  const verdict = $("verdict");
  let proof;
  try {
    proof = JSON.parse($("proof-input").value);
  } catch {
    verdict.className = "verdict bad";
    verdict.textContent = "Deck proof does not verify: this is not JSON.";
    return;
  }
  const result = await verifyDeckProof(proof.deck_commitment, proof.deck_proof);
  verdict.className = `verdict ${result.ok ? "ok" : "bad"}`;
  verdict.dataset.ok = String(result.ok);
  verdict.textContent = result.ok
    ? `Deck proof verifies: the ${result.checked.length} cards shown are the cards committed before the deal.`
    : `Deck proof does not verify: ${result.reason}.`;
  $("proven").replaceChildren(...result.checked.map((c) => el("li", { text: `Position ${c.position}: ${cardName(c.card)}` })));
}

if (page.proof.deck_proof) {
  $("proof-input").value = JSON.stringify(page.proof, null, 1);
  $("proof-check").addEventListener("click", check);
  check();
}
