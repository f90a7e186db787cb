"""The Excel function catalog through its adapters: scalars, ranges, blanks, errors, bad input.

Reference values: hand arithmetic on genai-prices 0.2.3 list prices (gpt-4o $2.50 in / $1.25
cached / $10 out per 1M tokens; batch 50 %), the GPU catalog (engine/data/gpus.csv) and, for
the composite functions, the engine call named next to each case.
"""

import numpy as np
import pytest

import engine as e
import udfs
from udfs import call, why
from udfs.excel_errors import DIV0, NA, NUM, VALUE, ExcelError
from udfs.formulas_adapter import formulas_functions
from udfs.xlwings_udfs import build_udfs

W = e.Workload(10_000, 1500, 500)
OPT = e.SelfHost()
BASE = ("gpt-4o", "Llama-3.1-8B", "H100-SXM")

# (function, args, expected, where the expected value comes from)
CASES = [
    ("LLM_API_COST", ("gpt-4o", 112.5e6, 37.5e6), 656.25, "112.5×2.5 + 37.5×10"),
    ("LLM_API_COST", ("gpt-4o", 1e6, 0, 0.6e6), 1.75, "0.4×2.5 + 0.6×1.25"),
    ("LLM_API_COST", ("gpt-4o", 1e6, 1e6, 0, True), 6.25, "(2.5 + 10) × 50 % batch"),
    ("LLM_API_MONTHLY", ("gpt-4o", 2500, 1500, 500, 0, 0, 30), 656.25, "2500×30 requests"),
    ("LLM_PRICE", ("gpt-4o", "output"), 10.0, "catalog list price"),
    ("LLM_PRICE", ("claude-sonnet-4-5", "long_context_threshold"), 200_000.0, "catalog tier"),
    ("GPU_SPEC", ("H100-SXM", "bandwidth_gb_per_s"), 3350.0, "NVIDIA H100 datasheet"),
    ("GPU_HOURLY", ("H100-SXM",), 2.99, "catalog rent"),
    ("GPU_HOURLY", ("H100-SXM", "buy"), (30_000 / 36 + 0.7 * 1.3 * 730 * 0.12 + 150) / 730,
     "(price/36 + kW×PUE×h×$/kWh + hosting) / 730 h"),
    ("BREAKEVEN_MONTHS", (60_000, 7_500), 8.0, "60,000 / 7,500"),
    ("TOKENS_ESTIMATE", ("Hello, world",), 3.0, "ceil(12 chars / 4)"),
    ("TOKENS_ESTIMATE", (1000, 4), 250.0, "1000 / 4"),
    ("SELFHOST_THROUGHPUT", ("Llama-3.1-8B", "H100-SXM", 1000, 1000, "fp8"),
     e.throughput("Llama-3.1-8B", "H100-SXM", 1000, 1000, "fp8").output_tokens_per_s,
     "engine.throughput"),
    ("SELFHOST_GPUS", ("Llama-3.1-8B", "H100-SXM", 10_000, 1500, 500),
     e.serving_plan(W, "Llama-3.1-8B", "H100-SXM", "fp8").gpus, "engine.serving_plan"),
    ("SELFHOST_MONTHLY_COST", ("Llama-3.1-8B", "H100-SXM", 10_000, 1500, 500),
     e.selfhost_monthly_cost(W, OPT).total_usd, "engine.selfhost_monthly_cost defaults"),
    ("FINETUNE_COST", ("Mistral-7B", 1e8, 1, "full", "A100-80GB", 0.35, 0, 0, 0, 0, 0,
                       "gpu_hours"), 6 * 7.24e9 * 1e8 / (312e12 * 0.35 * 3600), "6·N·D / FLOP/s"),
    ("FINETUNE_COST", ("Llama-3.1-8B", 20e6), e.finetune_cost("Llama-3.1-8B").one_off_usd,
     "engine.finetune_cost defaults"),
    ("TCO_MONTHLY", (*BASE, 10_000, 1500, 500, 1, "api"), e.api_monthly_cost_usd("gpt-4o", W),
     "engine.tco_projection month 1"),
    ("TCO_MONTHLY", (*BASE, 10_000, 1500, 500, 3, "selfhost"),
     float(e.tco_projection("gpt-4o", W, OPT, 3).selfhost_usd[2]), "engine.tco_projection"),
    ("BREAKEVEN_TOKENS", (*BASE, 1500, 500),
     e.breakeven_volume("gpt-4o", W, OPT).first_tokens_per_day, "engine.breakeven_volume"),
    ("BREAKEVEN_TOKENS", (*BASE, 1500, 500, True),
     e.breakeven_volume("gpt-4o", W, OPT).continuous_tokens_per_day, "engine.breakeven_volume"),
    ("HYBRID_COST", (*BASE, 10_000, 1500, 500, 0.0), e.api_monthly_cost_usd("gpt-4o", W),
     "share 0 = API"),
    ("HYBRID_SHARE", (*BASE, 10_000, 1500, 500), 0.0, "engine.optimal_hybrid_share"),
    ("LLM_STRATEGY", (2e6, 500, 20_000), "API", "below 5M tokens/day"),
]


@pytest.mark.parametrize(("name", "args", "expected", "source"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_values_through_every_adapter(name, args, expected, source):
    got = call(name, *args)
    if isinstance(expected, str):
        assert got == expected, source
    else:
        assert got == pytest.approx(expected, rel=1e-12), source
    # xlwings passes every argument as a 2-D range (ndim=2); formulas passes 1×1 arrays.
    xl = getattr(build_udfs(), name)(*[[[a]] for a in args])
    fm = formulas_functions()[name](*[np.array([[a]], dtype=object) for a in args])
    assert xl == got and fm == got


def test_every_function_is_documented():
    for f in udfs.FUNCTIONS.values():
        assert f.description and f.returns
        for a in f.args:
            assert a.doc, f"{f.name}.{a.name} has no doc"
    required = {"LLM_PRICE", "LLM_API_COST", "LLM_API_MONTHLY", "GPU_SPEC", "GPU_HOURLY",
                "SELFHOST_THROUGHPUT", "SELFHOST_GPUS", "SELFHOST_MONTHLY_COST", "FINETUNE_COST",
                "TCO_MONTHLY", "TCO_TABLE", "BREAKEVEN_TOKENS", "BREAKEVEN_MONTHS",
                "HYBRID_COST", "HYBRID_SHARE", "LLM_STRATEGY", "TOKENS_ESTIMATE"}
    assert required <= set(udfs.FUNCTIONS)


def test_column_of_volumes_gives_column_of_costs():
    got = call("LLM_API_COST", "gpt-4o", [[1e6], [2e6], [4e6]], 0)
    assert got == [[2.5], [5.0], [10.0]]  # 2.5 $/1M input
    grid = call("LLM_API_COST", "gpt-4o", [[1e6], [2e6]], [[0.0, 1e6]])
    assert grid == [[2.5, 12.5], [5.0, 15.0]]  # a column against a row broadcasts
    bad = call("LLM_API_COST", "gpt-4o", [[1e6], [2e6]], [[0.0], [1.0], [2.0]])
    assert bad == VALUE and "broadcast" in bad.reason


def test_a_range_cell_with_an_error_gives_that_error_in_its_place():
    got = call("LLM_API_COST", "gpt-4o", [[1e6], ["#DIV/0!"], [-1]], 0)
    assert got[0] == [2.5] and got[1] == [DIV0] and got[2] == [NUM]


def test_tables_spill_with_a_header_row():
    t = call("TCO_TABLE", *BASE, 10_000, 1500, 500, 12)
    assert t[0] == list(e.TCO_COLUMNS) and len(t) == 13
    expected = e.tco_projection("gpt-4o", W, OPT, 12).rows()
    np.testing.assert_allclose(np.array(t[1:], dtype=float), expected, rtol=1e-12)
    price = call("LLM_PRICE", "gpt-4o")
    assert price[0] == ["field", "value"] and ["input", 2.5] in price
    assert call("TCO_TABLE", *BASE, [[1.0], [2.0]], 1500, 500) == VALUE


@pytest.mark.parametrize(
    ("args", "error", "reason_has"),
    [
        (("gpt-4oo", 1, 1), NA, "did you mean"),          # unknown model
        (("gpt-4o", "lots", 1), VALUE, "number"),          # text for a number
        (("gpt-4o", -1, 1), NUM, ">= 0"),                  # negative tokens
        (("gpt-4o", float("nan"), 1), NUM, "finite"),      # NaN
        (("gpt-4o", float("inf"), 1), NUM, "finite"),      # inf
        (("gpt-4o", 1, 1, 2), NUM, "must not exceed"),     # cached > input
        (("gpt-4o", 1, 1, 0, "maybe"), VALUE, "TRUE or FALSE"),
        ((None, 1, 1), VALUE, "required"),                 # blank model
        (("gpt-4o", "#N/A", 1), NA, ""),                   # error in → error out
        (("#REF!", "#N/A", 1), ExcelError("#REF!"), ""),   # the first error wins
    ],
)
def test_bad_input_gives_excel_errors_with_reasons(args, error, reason_has):
    got = call("LLM_API_COST", *args)
    assert isinstance(got, ExcelError) and got == error
    assert reason_has in got.reason
    if reason_has:
        assert reason_has in why("LLM_API_COST", *args)


def test_share_outside_0_1_is_num():
    assert call("HYBRID_COST", *BASE, 10_000, 1500, 500, 1.5) == NUM
    assert "<= 1" in why("HYBRID_COST", *BASE, 10_000, 1500, 500, 1.5)


def test_blanks_take_defaults_and_blank_required_number_is_zero():
    assert call("LLM_API_COST", "gpt-4o", 1e6, None, None, "") == 2.5
    assert call("LLM_API_COST", "gpt-4o", 1e6, None) == 2.5  # blank output_tokens = 0
    assert call("SELFHOST_THROUGHPUT", "Llama-3.1-8B", "H100-SXM") == pytest.approx(
        e.throughput("Llama-3.1-8B", "H100-SXM", 1000, 1000, "fp8").output_tokens_per_s)


def test_excel_coercions():
    assert call("LLM_API_COST", "gpt-4o", "1000000", 0) == 2.5  # numeric text is a number
    assert call("LLM_API_COST", "gpt-4o", True, 0) == 2.5e-6    # TRUE is 1
    assert call("LLM_API_COST", "gpt-4o", 0, 0, 0, 1) == 0.0    # 1 is TRUE for batch


def test_never_breaks_even_is_num_with_reason():
    got = call("BREAKEVEN_MONTHS", 60_000, -5)
    assert got == NUM and "never" in got.reason


def test_llm_why_in_a_cell():
    assert call("LLM_WHY", "LLM_API_COST", "gpt-4o", -1, 1) == "input_tokens must be >= 0; got -1"
    assert call("LLM_WHY", "LLM_API_COST", "gpt-4o", 1, 1) == ""
    assert call("NO_SUCH_FUNCTION", 1) == NA
    assert call("LLM_API_COST", "gpt-4o", 1, 1, 0, False, None, None, 0, 99) == VALUE  # too many


def test_formulas_adapter_turns_errors_into_xlerrors():
    from formulas.tokens.operand import XlError

    f = formulas_functions()["LLM_API_COST"]
    out = f("gpt-4oo", np.array([[1.0]]), 1.0)
    assert isinstance(out, XlError) and str(out) == "#N/A"
    arr = f("gpt-4o", np.array([[1e6], [2e6]]), 0.0)
    assert arr.shape == (2, 1) and list(arr.ravel()) == [2.5, 5.0]


def test_price_without_long_context_tier_says_none_not_num():
    # gpt-4o has no long-context tier in genai-prices 0.2.3 (its threshold is stored as inf).
    row = dict(map(tuple, call("LLM_PRICE", "gpt-4o")[1:]))
    assert row["long_context_threshold"] == "none" and row["output"] == 10.0
    assert call("LLM_PRICE", "gpt-4o", "long_context_threshold") == NA
    assert why("LLM_PRICE", "gpt-4o", "long_context_threshold") == \
        "gpt-4o has no long-context tier"


def test_scalar_error_next_to_a_range_fills_the_array_like_excel():
    # Excel: =A1:A2+NA() is a column of #N/A; per element the leftmost error wins.
    assert call("LLM_API_COST", "gpt-4o", [[1e6], [2e6]], "#N/A") == [[NA], [NA]]
    assert call("LLM_API_COST", "gpt-4o", [[1e6], ["#DIV/0!"]], "#N/A") == [[NA], [DIV0]]
    assert call("LLM_API_COST", "gpt-4o", 5, "#N/A") == NA


def test_a_table_per_range_element_is_value_not_nested():
    # Found by the fuzz test: LLM_PRICE over a range of models with no field spilled tables
    # inside the array. Excel cannot nest arrays; each element says #VALUE! with a reason.
    out = call("LLM_PRICE", [["gpt-4o", "gpt-4o"]])
    assert out == [[VALUE, VALUE]] and "single-value" in out[0][0].reason
    assert call("LLM_PRICE", [["gpt-4o"], ["gpt-4o"]], "output") == [[10.0], [10.0]]
