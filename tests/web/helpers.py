"""What the browser tests do the way a player would: sign up, sit down, click their turn."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from .conftest import PATIENCE_MS

# A WebSocket stand-in for protocol.mjs: it opens on the next tick and records what the client writes.
FAKE_SOCKET = """
    class FakeSocket {
      constructor() {
        this.readyState = 0;
        this.sent = [];
        setTimeout(() => { this.readyState = 1; this.onopen(); }, 0);
      }
      send(text) { this.sent.push(JSON.parse(text)); }
      close() {}
    }
"""



def sign_up(page: Page, site: str, username: str, password: str = "correct-horse-42", shoot=None) -> None:
    page.goto(f"{site}/accounts/signup/")
    page.fill("#id_username", username)
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    if shoot is not None:
        shoot(page, "sign-up")
    page.click("button[type=submit]")
    expect(page.locator("#me")).to_have_text(username)


def open_table(page: Page, site: str, table_id: int) -> None:
    page.goto(f"{site}/tables/{table_id}/")
    expect(page.locator("body.synced")).to_be_visible()
    expect(page.locator("#connection")).to_have_attribute("data-status", "open")


def sit_down(page: Page, seat: int, buy_in: int) -> None:
    page.locator(f'.seat[data-seat="{seat}"] .sit-here').click()
    page.fill("#buyin-amount", str(buy_in))
    page.click("#buyin-submit")
    expect(page.locator(f'.seat[data-seat="{seat}"] .name')).not_to_have_text("Empty")
    expect(page.locator("#seat-controls")).to_be_visible()


def whose_turn(pages: list[Page]) -> Page | None:
    return next((p for p in pages if p.locator("#actions").is_visible()), None)


def hand_id(page: Page) -> str | None:
    return page.evaluate("(window.pokerrt.view.state.hand || {}).hand_id || null")


def wait_for_turn(pages: list[Page], timeout_ms: int = PATIENCE_MS) -> Page:
    """The page whose player must act next; fails after the (generous) bound."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        page = whose_turn(pages)
        if page is not None:
            return page
        pages[0].wait_for_timeout(50)
    raise AssertionError("nobody's turn came")


def play_passively_to_the_end(pages: list[Page], hand: str, each_turn=None) -> None:
    """Check or call every decision of hand ``hand`` until it ends on one of the pages."""
    deadline = time.monotonic() + PATIENCE_MS / 1000 * 3
    while time.monotonic() < deadline:
        if any(p.locator(f'#last-hand[data-hand-id="{hand}"]').count() for p in pages):
            return
        page = whose_turn(pages)
        if page is not None and hand_id(page) == hand:
            if each_turn is not None:
                each_turn(page)
            check_or_call(page)
        else:
            pages[0].wait_for_timeout(50)
    raise AssertionError(f"hand {hand} did not end")


def check_or_call(page: Page) -> None:
    """The passive action open to the player: check when they can, else call."""
    button = page.locator("#act-check") if page.locator("#act-check").is_visible() else page.locator("#act-call")
    turn = page.evaluate("window.pokerrt.view.state.hand.to_act.turn")
    button.click()
    # The click was answered once the hand moved past this decision.
    page.wait_for_function(
        "t => { const h = window.pokerrt.view.state.hand; return !h || !h.to_act || h.to_act.turn !== t; }",
        arg=turn)


def face_up(page: Page, seat: int) -> list[str]:
    return page.locator(f'.seat[data-seat="{seat}"] .card.face').evaluate_all("els => els.map(e => e.dataset.card)")


def face_down(page: Page, seat: int) -> int:
    return page.locator(f'.seat[data-seat="{seat}"] .card.back').count()
