"""Payouts by field size, as pure functions: every chip of the pool is paid, odd chips to the earlier place."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tournament.payouts import PAYOUT_TABLES, STANDARD, WHOLE, payouts, shares_for, split


@pytest.mark.parametrize("table", sorted(PAYOUT_TABLES))
def test_every_tier_shares_the_whole_pool_first_place_down(table):
    for tier in PAYOUT_TABLES[table]:
        shares = tier.shares()
        assert sum(shares) == WHOLE, tier
        assert shares == sorted(shares, reverse=True), tier
        assert all(share > 0 for share in shares)
        # a tier never pays more places than its smallest field has players
        assert len(shares) <= tier.min_entrants


def test_the_standard_tiers_cover_every_field_size_once():
    for entrants in range(2, 5000):
        assert sum(tier.fits(entrants) for tier in STANDARD) == 1, entrants


def test_small_fields_pay_the_documented_shares():
    assert payouts(600, 6) == [390, 210]
    assert payouts(1000, 7) == [500, 300, 200]
    assert payouts(1000, 10) == [500, 300, 200]
    assert len(payouts(10_000, 11)) == 5
    assert len(payouts(300_000, 1000)) == 100
    assert len(payouts(300_000, 1001)) == 150


def test_odd_chips_go_to_the_earlier_places():
    # 65% and 35% of 101 are 65.65 and 35.35: one chip is left over, and first place takes it
    assert payouts(101, 2) == [66, 35]
    # three equal weights of 100: 33 each, the odd chip to first place
    assert split(100, [1, 1, 1]) == [34, 33, 33]
    assert split(101, [1, 1, 1]) == [34, 34, 33]


def test_one_entrant_takes_the_pool_and_an_empty_field_or_pool_pays_nobody():
    assert payouts(500, 1) == [500]
    assert payouts(0, 10) == []
    assert payouts(500, 0) == []
    assert shares_for(0) == []


def test_fixed_percentages_replace_the_table_and_a_short_field_pays_its_own_places_only():
    assert payouts(1000, 9, percentages=[65, 35]) == [650, 350]
    # three places asked, two players: the third share spreads over the first two in proportion
    assert payouts(1000, 2, percentages=[50, 30, 20]) == [625, 375]


def test_winner_takes_all_pays_one_place():
    assert payouts(999, 40, table="winner_takes_all") == [999]


def test_a_split_refuses_weights_that_share_nothing():
    with pytest.raises(ValueError):
        split(100, [0, 0])
    with pytest.raises(ValueError):
        split(100, [2, -1])


@given(pool=st.integers(min_value=0, max_value=10**9), entrants=st.integers(min_value=1, max_value=3000),
       table=st.sampled_from(sorted(PAYOUT_TABLES)))
def test_prizes_sum_exactly_to_the_pool_and_never_rise_with_the_place(pool, entrants, table):
    prizes = payouts(pool, entrants, table)
    assert sum(prizes) == pool
    assert prizes == sorted(prizes, reverse=True)
    assert len(prizes) <= entrants
