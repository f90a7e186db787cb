"""API cost: reference values are hand arithmetic on genai-prices 0.2.3 list prices."""

import numpy as np
import pytest

import engine as e

# genai-prices 0.2.3: gpt-4o $2.50 in / $1.25 cached / $10 out per 1M tokens, no batch rows
# (batch = 50 % default); claude-sonnet-4-5 $3 in / $0.30 cached / $15 out, above 200k prompt
# tokens $6 / $0.60 / $22.50, batch $1.50 / $0.15 / $7.50.


def test_seed_article_150m_tokens_per_month_on_gpt_4o():
    # 150M tokens at 3:1 → 112.5M in, 37.5M out: 112.5 × 2.50 + 37.5 × 10 = 281.25 + 375 = 656.25
    assert e.api_cost_usd("gpt-4o", 112.5e6, 37.5e6) == pytest.approx(656.25, abs=1e-9)


def test_seed_article_range_at_its_own_prices():
    # The article's $2.5–5 in / $10–15 out on 150M tokens at 3:1 gives $656–1,500, not $3–7k:
    # cheap end 656.25 (above); dear end 112.5 × 5 + 37.5 × 15 = 562.5 + 562.5 = 1,125 at 3:1,
    # and at 1:1 (75M/75M) 75 × 5 + 75 × 15 = 1,500.
    p = e.api_price("gpt-4o").replace(input_usd_per_million_tokens=5.0,
                                       output_usd_per_million_tokens=15.0)
    assert e.api_cost_usd(p, 112.5e6, 37.5e6) == pytest.approx(1125.0)
    assert e.api_cost_usd(p, 75e6, 75e6) == pytest.approx(1500.0)


def test_monthly_workload_matches_token_arithmetic_to_the_cent():
    # 2,500 requests/day × 30 days × (1,500 in, 500 out) = 112.5M in, 37.5M out → 656.25
    w = e.Workload(2500, 1500, 500)
    assert e.api_monthly_cost_usd("gpt-4o", w, days_per_month=30) == 656.25


def test_cached_input_is_billed_at_cached_rate():
    # 1M input of which 600k cached: 0.4 × 2.50 + 0.6 × 1.25 = 1.00 + 0.75 = 1.75
    assert e.api_cost_usd("gpt-4o", 1e6, 0, 0.6e6) == pytest.approx(1.75)


def test_batch_uses_catalog_batch_prices_or_half():
    # sonnet batch row: 1M in × 1.50 + 1M out × 7.50 = 9.00; gpt-4o default 50 %: (2.5+10)/2
    assert e.api_cost_usd("claude-sonnet-4-5", 1e6, 1e6, batch=True) == pytest.approx(9.0)
    assert e.api_cost_usd("gpt-4o", 1e6, 1e6, batch=True) == pytest.approx(6.25)


def test_long_context_tier_applies_to_all_tokens_of_the_request():
    # one request of 250k prompt (> 200k) and 1k output: 0.25 × 6 + 0.001 × 22.5 = 1.5225
    assert e.api_cost_usd("claude-sonnet-4-5", 250_000, 1_000, requests=1) == pytest.approx(1.5225)
    # the same tokens as 2 requests of 125k each stay on base rates: 0.25 × 3 + 0.001 × 15
    assert e.api_cost_usd("claude-sonnet-4-5", 250_000, 1_000, requests=2) == pytest.approx(0.765)


def test_vectorised_over_volumes():
    costs = e.api_cost_usd("gpt-4o", np.array([0.0, 1e6, 2e6]), 0.0)
    np.testing.assert_allclose(costs, [0.0, 2.5, 5.0])


def test_chat_context_resending_explains_the_seed_articles_3_to_7k():
    # 10-turn chats, 50 user + 150 answer tokens per turn, 500-token system prompt:
    # billed input per turn = 500 + 50 × 5.5 + 150 × 4.5 = 1,450 vs 50 typed → 29× the input.
    assert e.conversation_input_tokens(10, 50, 150, 500) == 1450.0


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"input_tokens": -1, "output_tokens": 0}, "input_tokens"),
        ({"input_tokens": 1, "output_tokens": float("nan")}, "output_tokens"),
        ({"input_tokens": 1, "output_tokens": 1, "cached_input_tokens": 2}, "cached_input_tokens"),
        ({"input_tokens": 1, "output_tokens": 1, "batch": 0.5}, "batch"),
        ({"input_tokens": "many", "output_tokens": 1}, "input_tokens"),
    ],
)
def test_bad_input_names_the_argument(kwargs, argument):
    with pytest.raises(e.InputError) as err:
        e.api_cost_usd("gpt-4o", **kwargs)
    assert err.value.argument == argument


def test_unknown_model_lists_close_matches():
    with pytest.raises(e.UnknownNameError) as err:
        e.api_price("gpt-4oo")
    assert "gpt-4o" in err.value.matches
    assert "did you mean" in str(err.value)


def test_price_override_is_recorded_in_the_source():
    p = e.api_price("gpt-4o").replace(output_usd_per_million_tokens=8.0)
    assert p.output_usd_per_million_tokens == 8.0
    assert "user override" in p.source
    with pytest.raises(e.InputError):
        p.replace(output_usd_per_million_tokens=-1.0)
    with pytest.raises(e.InputError):
        p.replace(no_such_price=1.0)


def test_price_carries_catalog_version_and_date():
    p = e.api_price("gpt-4o")
    info = e.catalog_info()
    assert (p.catalog_version, p.catalog_date) == (info.version, info.date)
    assert info.version == "0.2.3"  # pinned in pyproject.toml


def test_old_catalog_warns_naming_its_date():
    import datetime as dt

    info = e.catalog_info()
    later = dt.date.fromisoformat(info.date) + dt.timedelta(days=400)
    with pytest.warns(UserWarning, match=info.date):
        msg = e.check_price_age(max_age_days=180, today=later)
    assert msg and "400 days old" in msg
    assert e.check_price_age(max_age_days=180, today=dt.date.fromisoformat(info.date)) is None
