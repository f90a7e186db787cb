"""Breakeven, hybrid, TCO projection, fine-tuning and strategy: identities and hand arithmetic."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as e

W = e.Workload(10_000, 1500, 500)
OWN = e.SelfHost()


def test_hybrid_share_zero_is_api_and_one_is_selfhost():
    api = e.api_monthly_cost_usd("gpt-4o", W)
    own = e.selfhost_monthly_cost(W, OWN).total_usd
    assert e.hybrid_monthly_cost_usd("gpt-4o", W, OWN, 0.0) == api
    assert e.hybrid_monthly_cost_usd("gpt-4o", W, OWN, 1.0) == pytest.approx(own, rel=1e-12)


def test_breakeven_volume_makes_both_costs_equal():
    b = e.breakeven_volume("gpt-4o", W, OWN)
    at = W.replace(requests_per_day=b.first_requests_per_day)
    api = e.api_monthly_cost_usd("gpt-4o", at)
    own = e.selfhost_monthly_cost(at, OWN).total_usd
    assert own == pytest.approx(api, rel=1e-9)
    below = W.replace(requests_per_day=b.first_requests_per_day * 0.99)
    assert e.selfhost_monthly_cost(below, OWN).total_usd > e.api_monthly_cost_usd("gpt-4o", below)
    # the continuous figure: fixed + fractional GPUs = API
    assert b.continuous_tokens_per_day <= b.first_tokens_per_day


def test_breakeven_when_api_is_always_cheaper_is_infinite():
    cheap = e.api_price("gpt-4o-mini")
    o = OWN.replace(rent_usd_per_gpu_hour=1000.0)
    b = e.breakeven_volume(cheap, W, o)
    assert b.first_tokens_per_day == np.inf and b.continuous_tokens_per_day == np.inf


def test_breakeven_months_hand_arithmetic():
    assert e.breakeven_months(60_000, 7_500) == 8.0  # 60,000 / 7,500
    assert e.breakeven_months(60_000, -1) == np.inf
    assert e.breakeven_months(0, 0) == 0.0


def test_optimal_hybrid_respects_constraints():
    big = e.Workload(400_000, 1500, 500)
    free = e.optimal_hybrid_share("gpt-4o", big, OWN)
    bounded = e.optimal_hybrid_share("gpt-4o", big, OWN, 0.1, 0.3)
    assert 0.1 <= bounded.share <= 0.7
    assert bounded.monthly_usd >= free.monthly_usd - 1e-9
    grid = np.linspace(0.1, 0.7, 601)
    costs = [e.hybrid_monthly_cost_usd("gpt-4o", big, OWN, s) for s in grid]
    assert bounded.monthly_usd <= min(costs) + 1e-6
    with pytest.raises(e.InputError):
        e.optimal_hybrid_share("gpt-4o", big, OWN, 0.8, 0.5)


def test_tco_projection_hand_checks():
    w = W.replace(monthly_growth=0.1)
    t = e.tco_projection("gpt-4o", w, OWN, horizon_months=12, hybrid_share=0.5)
    # month 3 traffic = 10,000 × 1.1² = 12,100 requests/day
    assert t.requests_per_day[2] == pytest.approx(12_100)
    # month 1 self-host = run-rate + one-off costs
    assert t.selfhost_usd[0] == pytest.approx(
        e.selfhost_monthly_cost(w, OWN).total_usd + OWN.one_off_usd())
    np.testing.assert_allclose(t.cumulative_savings_usd, np.cumsum(t.api_usd - t.selfhost_usd))
    # NPV: Σ savings_m / (1 + r_m)^m with r_m = 1.1^(1/12) − 1
    rm = 1.1 ** (1 / 12) - 1
    expected = sum(s / (1 + rm) ** (i + 1) for i, s in enumerate(t.savings_usd))
    assert t.npv_savings_usd == pytest.approx(expected, rel=1e-12)
    assert len(t.rows()) == 12 and len(t.rows()[0]) == len(e.TCO_COLUMNS)


def test_payback_month_is_first_month_with_nonnegative_cumulative_savings():
    big = e.Workload(1_000_000, 1500, 500)
    t = e.tco_projection("gpt-4o", big, OWN, horizon_months=24)
    cum = t.cumulative_savings_usd
    m = int(t.payback_month)
    assert cum[m - 1] >= 0 and (m == 1 or cum[m - 2] < 0)


def test_tco_is_vectorised_over_scenarios():
    vols = np.array([10_000.0, 1_000_000.0])
    t = e.tco_projection("gpt-4o", W.replace(requests_per_day=vols), OWN, horizon_months=6)
    assert t.api_usd.shape == (2, 6)
    one = e.tco_projection("gpt-4o", W.replace(requests_per_day=1_000_000.0), OWN, horizon_months=6)
    np.testing.assert_allclose(t.selfhost_usd[1], one.selfhost_usd)


def test_finetune_flops_factors():
    full = e.training_gpu_hours("Mistral-7B", 1e8, 1, "full", "A100-80GB", 0.35)
    lora = e.training_gpu_hours("Mistral-7B", 1e8, 1, "lora", "A100-80GB", 0.35)
    # 6 × 7.24e9 × 1e8 / (312e12 × 0.35 × 3600) = 11.05 h; LoRA is 4/6 of it
    assert full == pytest.approx(6 * 7.24e9 * 1e8 / (312e12 * 0.35 * 3600))
    assert lora / full == pytest.approx(4 / 6)
    c = e.finetune_cost("Mistral-7B", e.FineTune(examples=5_000, usd_per_example=2.0,
                                                 retrains_per_year=12, refresh_share=0.1))
    assert c.initial_data_usd == 10_000.0  # 5,000 × $2
    # monthly = 12/12 × (run + 0.1 × 10,000)
    assert c.monthly_usd == pytest.approx(c.compute_usd_per_run + 2_000 + 1_000)


def test_strategy_follows_the_seed_framework():
    assert e.recommend_strategy(2e6, 500, 20_000).strategy == "API"
    mature = dict(load_is_stable=True, product_past_experiment=True,
                  high_quality_requirements=True, data_is_advantage=True, monitoring_culture=True)
    assert e.recommend_strategy(50e6, 40_000, 20_000, **mature).strategy == "SELF-HOST"
    unstable = {**mature, "load_is_stable": False}
    r = e.recommend_strategy(50e6, 40_000, 20_000, **unstable)
    assert r.strategy == "HYBRID" and "stable load" in r.reasons[0]
    assert e.recommend_strategy(50e6, 40_000, 39_000, **mature).strategy == "API"


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 1e7), st.floats(1.0, 3.0))
def test_costs_rise_with_volume(requests, factor):
    lo = W.replace(requests_per_day=requests)
    hi = W.replace(requests_per_day=requests * factor)
    assert e.api_monthly_cost_usd("gpt-4o", hi) >= e.api_monthly_cost_usd("gpt-4o", lo)
    assert e.selfhost_monthly_cost(hi, OWN).total_usd >= e.selfhost_monthly_cost(lo, OWN).total_usd


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_api_cost_falls_with_cache_and_batch_shares(cached, batch):
    base = e.api_monthly_cost_usd("gpt-4o", W)
    assert e.api_monthly_cost_usd("gpt-4o", W.replace(cached_input_share=cached)) <= base + 1e-9
    assert e.api_monthly_cost_usd("gpt-4o", W.replace(batch_share=batch)) <= base + 1e-9


@settings(max_examples=40, deadline=None)
@given(st.floats(1.0, 5.0), st.floats(0.3, 1.0))
def test_more_peak_or_less_utilisation_never_needs_fewer_gpus(peak, util):
    w = e.Workload(2e6, 1000, 500, peak_to_average=peak)
    base = e.serving_plan(w, "Llama-3.1-8B", "H100-SXM", "fp8", target_utilisation=util).gpus
    more_peak = e.serving_plan(w.replace(peak_to_average=peak * 1.5), "Llama-3.1-8B",
                               "H100-SXM", "fp8", target_utilisation=util).gpus
    assert more_peak >= base
