"""Catalog figures overridden by arguments where the user has a quote; the on-premise view."""

import math

import pytest

import engine as e
from engine.onprem import onprem_purchase
from udfs import call
from udfs.excel_errors import NUM


def test_api_price_quote_and_discount_in_api_functions():
    assert call("LLM_API_COST", "gpt-4o", 1e6, 1e6) == pytest.approx(12.5)
    assert call("LLM_API_COST", "gpt-4o", 1e6, 1e6, 0, False, 2, 8) == pytest.approx(10)
    assert call("LLM_API_COST", "gpt-4o", 1e6, 1e6, 0, False, None, None, 0.2) == pytest.approx(10)
    monthly = call("LLM_API_MONTHLY", "gpt-4o", 1000, 1000, 1000, 0, 0, 30, 1, 4, 0.5)
    assert monthly == pytest.approx(1000 * 30 * (1000 * 1 + 1000 * 4) / 1e6 * 0.5)
    assert call("LLM_API_COST", "gpt-4o", 1, 1, 0, False, None, None, 1.5) == NUM


def test_selfhost_monthly_cost_takes_rent_purchase_and_measured_throughput():
    base = call("SELFHOST_MONTHLY_COST", "Llama-3.1-8B", "H100-SXM", 1e6, 1000, 1000, "fp8")
    # a measured 2,000 tok/s per replica needs many more replicas than the roofline
    slow = call("SELFHOST_MONTHLY_COST", "Llama-3.1-8B", "H100-SXM", 1e6, 1000, 1000, "fp8",
                "rent", None, 2, 16000, 6000, True, 2, None, 2000)
    assert slow > base
    bought = call("SELFHOST_MONTHLY_COST", "Llama-3.1-8B", "H100-SXM", 1e6, 1000, 1000, "fp8",
                  "buy", None, 2, 16000, 6000, False, 2, 60000)
    bought_cheap = call("SELFHOST_MONTHLY_COST", "Llama-3.1-8B", "H100-SXM", 1e6, 1000, 1000,
                        "fp8", "buy", None, 2, 16000, 6000, False, 2, 6000)
    gpus = call("SELFHOST_GPUS", "Llama-3.1-8B", "H100-SXM", 1e6, 1000, 1000, "fp8")
    assert bought - bought_cheap == pytest.approx(gpus * (60000 - 6000) / 36)


def test_breakeven_tokens_takes_quotes():
    args = ("gpt-4o", "Llama-3.1-8B", "H100-SXM", 1500, 500, False, "fp8", "rent", 0, 0, 2)
    list_price = call("BREAKEVEN_TOKENS", *args)
    cheaper_api = call("BREAKEVEN_TOKENS", *args, None, None, 0.5)
    cheaper_gpu = call("BREAKEVEN_TOKENS", *args, None, None, 0, 1.0)
    assert cheaper_api > list_price > cheaper_gpu
    quoted = call("BREAKEVEN_TOKENS", *args, 1.25, 5.0)  # = 50 % off input and output
    assert quoted == pytest.approx(call("BREAKEVEN_TOKENS", *args, 2.5, 10.0, 0.5))
    measured = call("BREAKEVEN_TOKENS", *args, None, None, 0, None, None, 500)
    assert measured > list_price


def test_onprem_purchase_function_matches_engine():
    p = onprem_purchase("gpt-4o", "gpt-oss-120b", "H200", 8, 1000, 1000, "fp4")
    got = call("ONPREM_PURCHASE", "gpt-4o", "gpt-oss-120b", "H200", 8, 1000, 1000, "fp4")
    assert got == pytest.approx(p.breakeven_months)
    assert call("ONPREM_PURCHASE", "gpt-4o", "gpt-oss-120b", "H200", 8, 1000, 1000, "fp4",
                "electricity_monthly") == pytest.approx(8 * 0.7 * 730 * 0.12)
    assert call("ONPREM_PURCHASE", "gpt-4o", "gpt-oss-120b", "H200", 8, 1000, 1000, "fp4",
                "capex", 20000) == 160000
    never = call("ONPREM_PURCHASE", "gpt-4o", "gpt-oss-120b", "H200", 8, 1000, 1000, "fp4",
                 "breakeven_months", None, 730, 0.12, 0)
    assert never == NUM and "never" in never.reason


def test_new_models_and_gpus_in_functions():
    t = call("SELFHOST_THROUGHPUT", "gpt-oss-120b", "B200", 1000, 1000, "fp4")
    assert isinstance(t, float) and math.isfinite(t)
    assert call("GPU_SPEC", "MI355X", "fp4_tflops") == e.gpu_spec("MI355X").fp4_tflops
    assert call("GPU_SPEC", "H100-SXM", "fp4_tflops") == NUM  # no FP4 tensor cores
    kimi = call("SELFHOST_THROUGHPUT", "Kimi-K2", "H100-SXM", 2000, 500, "fp8", 16, 5)
    assert kimi < call("SELFHOST_THROUGHPUT", "Kimi-K2", "H100-SXM", 2000, 500, "fp8", 16, 400)
