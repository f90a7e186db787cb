"""Cell-for-cell equality of the vectorised plan with the engine itself
(``templates.recalc.workbook.Workbook``, one scenario at a time, as ``llm-tco recalc --set``
computes it) on every test workbook and on randomised scenarios (relative 1e-9), plus the
places where ``formulas`` (the old reference) is not Excel."""

from __future__ import annotations

import math

import numpy as np
import pytest

from .books import FUNCTION_INPUTS, TCO_INPUTS
from .reference import EngineReference

# Where plain formulas 1.3.4 disagrees with Excel, the plan and the engine follow Excel
# (values from Microsoft's function pages): COUNT ignores text typed as an argument
# (formulas: #VALUE!); INDEX(range,0,k) is the whole column k (formulas: its first cell);
# CEILING.MATH(-2.5) rounds toward zero to -2 (formulas: 3).
KNOWN_DIFFERENCES = {
    '=COUNT(x,y,"t")': 2.0,
    "=SUM(INDEX(Tables!A2:C6,0,2))": 11.25,
    "=_xlfn.CEILING.MATH(-2.5)": -2.0,
    # Wildcard criteria are case-insensitive in Excel ("gpu*" matches "GPU-C"); formulas'
    # wildcard match is case-sensitive.
    '=SUMIF(Tables!C2:C6,"gpu*",Tables!B2:B6)': 11.25,
    '=SUMIF(Tables!C2:C6,"gpu-?",Tables!A2:A6)': 30.0,
    # Excel's TRIM collapses inner runs of spaces; formulas only strips the ends.
    '=TRIM("  a   b ")': "a b",
}


def same(a: object, b: object) -> bool:
    """Equal as Excel values: numbers to relative 1e-9, errors by name, text exactly."""
    if isinstance(b, complex):
        # formulas computes negative^fraction as a complex number; Excel says #NUM!.
        return a == "#NUM!"
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _ref_key(key):
    return (key[0].upper(), key[1], key[2])


def assert_plan_matches(plan, ref_values: dict, i: int, results: dict, skip=()) -> int:
    checked = 0
    for key, v in results.items():
        if plan.texts[key] in skip:
            continue
        ours, theirs = v.item(i), ref_values.get(_ref_key(key))
        assert same(ours, theirs), (
            f"{plan.describe(key)} {plan.texts[key]}: batch {ours!r} vs engine {theirs!r}"
        )
        checked += 1
    return checked


@pytest.fixture(scope="module")
def function_ref(function_book):
    return EngineReference(function_book)


@pytest.fixture(scope="module")
def tco_ref(tco_book):
    return EngineReference(tco_book)


def test_function_book_matches_the_engine(function_plan, function_ref):
    results = function_plan.evaluate()
    checked = assert_plan_matches(function_plan, function_ref.calculate(), 0, results,
                                  skip=())
    assert checked >= 100


def test_known_formulas_differences_follow_excel(function_plan):
    results = function_plan.evaluate()
    found = {function_plan.texts[k]: v.item(0) for k, v in results.items()}
    for text, excel in KNOWN_DIFFERENCES.items():
        assert found[text] == excel, text


def test_tco_book_matches_the_engine(tco_plan, tco_ref):
    results = tco_plan.evaluate()
    assert assert_plan_matches(tco_plan, tco_ref.calculate(), 0, results) > 200


def _random_inputs(spec: dict, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {ref: rng.uniform(lo, hi, n) for ref, (lo, hi) in spec.items()}
    # Exact zeros and integers exercise #DIV/0!, MATCH hits and rounding at halves.
    for arr in out.values():
        arr[0] = 0.0
        arr[1] = np.round(arr[1])
    return out


@pytest.mark.parametrize("book", ["function", "tco"])
def test_randomised_scenarios_match_the_engine(book, function_plan, function_ref, tco_plan,
                                             tco_ref):
    plan, ref, spec = {
        "function": (function_plan, function_ref, FUNCTION_INPUTS),
        "tco": (tco_plan, tco_ref, TCO_INPUTS),
    }[book]
    n = 6
    inputs = _random_inputs(spec, n, seed=7)
    results = plan.evaluate(inputs)  # all n scenarios in one vectorised pass
    keys = {ref_text: plan.resolve_ref(ref_text) for ref_text in inputs}
    for i in range(n):
        scenario = {keys[r]: float(a[i]) for r, a in inputs.items()}
        expected = ref.calculate(scenario)
        assert_plan_matches(plan, expected, i, results,
                            skip=())


def test_number_text_is_excel_general_format(function_plan):
    out = function_plan.evaluate({"x": [14.392142256129837, 2.0, 1e20]}, outputs=["Calc!B9"])
    texts = [out["Calc!B9"].item(i) for i in range(3)]
    assert texts == ["14.3921422561298|1.5", "2|1.5", "1E+20|1.5"]


def test_errors_are_per_scenario(function_plan):
    out = function_plan.evaluate({"y": np.array([2.0, 0.0, -1.0])}, outputs=["Calc!B4",
                                                                            "Calc!B20"])
    div = out["Calc!B4"]  # =x/y
    assert [div.item(i) for i in range(3)] == [3.75, "#DIV/0!", -7.5]
    alt = out["Calc!B20"]  # =IFERROR(x/y,-1)
    assert [alt.item(i) for i in range(3)] == [3.75, -1.0, -7.5]
