"""The live lobby and the tournament page: six players register for a sit-and-go in the browser and it starts."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (requirements-dev.txt)")
from playwright.sync_api import expect  # noqa: E402

from lobby.actions import do_create_lobby  # noqa: E402
from tables.actions import do_create_table  # noqa: E402
from tournament.actions import do_create_tournament  # noqa: E402

from .conftest import off_the_loop  # noqa: E402

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_six_players_register_for_a_sit_and_go_in_the_browser_and_it_starts(site, logged_in, make_user, shots):
    def world():
        lobby = do_create_lobby("Browser tournaments")
        do_create_table(lobby, name="Side game", max_seats=6, small_blind=5, big_blind=10, min_buy_in=200,
                        max_buy_in=2000)
        sng = do_create_tournament(lobby, "Browser SNG", buy_in=100, starting_stack=500, min_players=6,
                                   max_players=6, table_size=6)
        return lobby, sng, make_user("railbird"), [make_user(f"sng{n}") for n in range(6)]

    lobby, sng, railbird, players = off_the_loop(world)
    watcher = logged_in(railbird).new_page()
    watcher.goto(f"{site}/")
    shots(watcher, "lobbies")
    watcher.get_by_role("link", name="Browser tournaments").click()
    expect(watcher).to_have_url(f"{site}/lobbies/{lobby.pk}/")
    row = watcher.locator(f'tr[data-tournament-id="{sng.pk}"]')
    expect(row.locator(".registered")).to_have_text("0/6")
    expect(watcher.locator("#members li")).to_have_text(["railbird"])

    pages = [logged_in(user).new_page() for user in players]
    # Half register from the live lobby, half from the tournament's own page.
    for n, page in enumerate(pages):
        if n < 3:
            page.goto(f"{site}/lobbies/{lobby.pk}/")
            page.locator(f'tr[data-tournament-id="{sng.pk}"] button.register').click()
            expect(page.locator(f'tr[data-tournament-id="{sng.pk}"] button.unregister')).to_be_visible()
            expect(watcher.locator("#members li")).to_have_count(2 + n)
        else:
            page.goto(f"{site}/tournaments/{sng.pk}/")
            expect(page.locator("body.synced")).to_be_visible()
            if n == 5:
                shots(page, "tournament-registering")
            page.click("#register")
            if n < 5:
                expect(page.locator("#unregister")).to_be_visible()
                expect(page.locator("#standings tr")).to_have_count(n + 1)
        if n < 5:
            # The lobby row follows in place for everyone watching.
            expect(row.locator(".registered")).to_have_text(f"{n + 1}/6")
    shots(watcher, "lobby-live")

    # The sixth registration starts it: every player is taken to their seat and dealt in.
    for user, page in zip(players, pages, strict=True):
        expect(page).to_have_url(re.compile(r"/tables/\d+/$"))
        expect(page.locator("body.synced")).to_be_visible()
        seat = page.locator(".seat", has=page.locator(".name", has_text=re.compile(f"^{user.username}$")))
        expect(seat).to_have_count(1)
        expect(seat.locator(".card.face")).to_have_count(2)
    expect(row.locator(".status")).to_have_text("running")
    shots(pages[0], "tournament-table")

    standings = watcher.context.new_page()
    standings.goto(f"{site}/tournaments/{sng.pk}/")
    expect(standings.locator("#status")).to_have_text("running")
    expect(standings.locator("#standings tr")).to_have_count(6)
    expect(standings.locator("#level")).to_have_text("Level 1")
    expect(standings.locator("#time-left")).to_have_text(re.compile(r"^\d+:\d\d"))
    shots(standings, "tournament-running")
