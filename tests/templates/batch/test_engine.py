"""The compiled plan: Excel ROUND, the engine for what it does not vectorise, overrides,
the in-memory plan cache and workbook errors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import openpyxl
import pytest

from templates.recalc.batch import BatchInputError, clear_memory, compile_workbook, get_plan
from templates.recalc.batch.functions import _round15
from templates.recalc.errors import WorkbookError

from .reference import EngineReference


def _book(path, cells: dict[str, object], sheet: str = "S"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for ref, v in cells.items():
        ws[ref] = v
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [(2.675, 2, 2.68), (1.005, 2, 1.01), (-2.5, 0, -3.0), (1234.5, -2, 1200.0),
     (17 * 1.005, 2, 17.09), (0.5, 0, 1.0), (-0.000123456, 5, -0.00012), (1e300, 2, 1e300),
     (123456789012345.6, 0, 123456789012346.0), (0.0, 3, 0.0), (4.35, 1, 4.4)],
)
def test_round_at_exact_decimal_halves(x, digits, expected):
    assert _round15(np.array([x]), np.array([digits]), "half")[0] == expected


def test_round_family_matches_decimal_reference_on_random_values():
    """Vectorised ROUND/ROUNDUP/ROUNDDOWN agree with the runtime's Decimal implementation."""
    from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP

    from templates.recalc.formulas_oracle import _excel_round

    rng = np.random.default_rng(3)
    halves = np.round(rng.uniform(-1e4, 1e4, 3000), 2) + 0.005  # exact decimal halves
    x = np.concatenate([rng.normal(0, 1e3, 3000), np.round(rng.normal(0, 100, 2000), 3),
                        rng.lognormal(0, 8, 1000) * rng.choice([-1, 1], 1000), halves,
                        np.arange(1, 2000) * 1.005, 0.1 * np.arange(1, 2000)])
    d = rng.integers(-3, 6, x.size).astype(float)
    d[6000:9000] = 2.0
    for mode, rounding in (("half", ROUND_HALF_UP), ("up", ROUND_UP), ("down", ROUND_DOWN)):
        ours = _round15(x, d, mode)
        ref = np.array([_excel_round(a, b, rounding) for a, b in zip(x, d, strict=True)])
        np.testing.assert_array_equal(ours, ref, err_msg=mode)


def test_formula_cell_can_be_overridden_like_formulas_inputs(tco_plan, tco_book):
    # Summary!B4 (out_api_monthly) is a formula; giving it values replaces the formula.
    out = tco_plan.evaluate({"out_api_monthly": [1e9, 0.0]}, ["cheaper", "ratio"])
    assert [out["cheaper"].item(i) for i in range(2)] == ["self-host", "api"]
    ref = EngineReference(tco_book)
    key = tco_plan.resolve_ref("out_api_monthly")
    expected = ref.calculate({key: 1e9}, [tco_plan.resolve_ref("ratio")])
    assert out["ratio"].item(0) == pytest.approx(expected[tco_plan.resolve_ref("ratio")],
                                                 rel=1e-12)


def test_outputs_only_compute_their_precedents(tco_plan):
    order = tco_plan._needed([tco_plan.resolve_ref("Projection!E2")], frozenset())
    assert len(order) < 5 < len(tco_plan.order)


def test_unknown_refs_are_input_errors(tco_plan):
    for ref in ("Nope!A1", "no_such_name", "A1", "Projection!A1:B2"):
        with pytest.raises(BatchInputError) as err:
            tco_plan.evaluate({ref: 1.0})
        assert err.value.argument == "inputs"


def test_elementwise_fallback_for_addin_functions(tmp_path, monkeypatch):
    import templates.recalc.batch.compile as comp

    calls = []

    def llm_mul(a, b):
        calls.append((a, b))
        return a * b

    monkeypatch.setattr(comp, "_udf_table", lambda: {"LLM_MUL": llm_mul})
    p = _book(tmp_path / "udf.xlsx", {"A1": 2.0, "A2": "=_xll.LLM_MUL(A1,3)+1"})
    with pytest.warns(UserWarning, match=r"LLM_MUL in S!A2"):
        plan = compile_workbook(p)
    out = plan.evaluate({"S!A1": np.array([1.0, 2.0, 5.0])}, ["S!A2"])
    assert [out["S!A2"].item(i) for i in range(3)] == [4.0, 7.0, 16.0]
    assert len(calls) == 3


@pytest.mark.parametrize("max_expand", [200_000, 2])
def test_unvectorised_function_is_static_until_its_precedents_vary(tmp_path, monkeypatch,
                                                                  max_expand):
    import templates.recalc.batch.compile as comp

    # max_expand=2 takes the path for ranges too large to enumerate cell by cell.
    monkeypatch.setattr(comp, "_MAX_EXPAND", max_expand)
    p = _book(tmp_path / "fb.xlsx", {"A1": 2.0, "B1": 1.0, "B2": 5.0, "B3": 7.0,
                                     "A2": "=SUMSQ(B1:B3)", "A3": "=A1*A2"})
    with pytest.warns(UserWarning, match=r"SUMSQ in S!A2"):
        plan = compile_workbook(p)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback: A1 does not feed the SUMSQ
        out = plan.evaluate({"S!A1": np.array([1.0, 3.0])}, ["S!A3"])
    assert [out["S!A3"].item(i) for i in range(2)] == [75.0, 225.0]
    with pytest.warns(UserWarning, match=r"change S!A2, which uses SUMSQ"):
        out = plan.evaluate({"S!B2": np.array([0.0, 9.0])}, ["S!A3"])
    assert [out["S!A3"].item(i) for i in range(2)] == [100.0, 262.0]


def test_syntax_the_plan_lacks_is_evaluated_by_the_engine_per_cell(tmp_path):
    # Range intersection (A1:B1 B1 is B1): the engine computes that cell, the plan the rest.
    p = _book(tmp_path / "ix.xlsx", {"A1": 2.0, "B1": 3.0, "A2": "=SUM(A1:B1 B1)*A1",
                                     "A3": "=A1*10"})
    with pytest.warns(UserWarning, match=r"reference operator ' ' in S!A2"):
        plan = compile_workbook(p)
    assert plan.static_values[("S", 2, 1)].item() == 6.0  # engine, compile time: 3 * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # A3 alone does not need the engine
        out = plan.evaluate({"S!A1": np.array([1.0, 4.0])}, ["S!A3"])
    assert [out["S!A3"].item(i) for i in range(2)] == [10.0, 40.0]
    with pytest.warns(UserWarning, match=r"change S!A2"):
        out = plan.evaluate({"S!A1": np.array([1.0, 4.0, 1.0])}, ["S!A2"])
    assert [out["S!A2"].item(i) for i in range(3)] == [3.0, 12.0, 3.0]


def test_engine_cells_run_once_per_distinct_reaching_inputs(tmp_path, monkeypatch):
    # A2 (SUMSQ, engine) reads B1 only; a 3 x 4 grid over B1 and A1 needs 3 engine runs.
    p = _book(tmp_path / "grid.xlsx", {"A1": 2.0, "B1": 1.0, "A2": "=SUMSQ(B1,1)",
                                       "A3": "=A1+A2"})
    with pytest.warns(UserWarning, match="SUMSQ"):
        plan = compile_workbook(p)
    runs = []
    real = type(plan)._engine
    monkeypatch.setattr(type(plan), "_engine",
                        lambda self, ins: runs.append(ins) or real(self, ins))
    b1 = np.repeat([1.0, 2.0, 3.0], 4)
    a1 = np.tile([0.0, 1.0, 2.0, 3.0], 3)
    with pytest.warns(UserWarning, match="change S!A2"):
        out = plan.evaluate({"S!B1": b1, "S!A1": a1}, ["S!A3"])
    assert len(runs) == 3
    np.testing.assert_array_equal(out["S!A3"].d, a1 + b1 ** 2 + 1)


def test_engine_cells_see_a_formula_cell_override(tmp_path):
    p = _book(tmp_path / "ov.xlsx", {"A1": 2.0, "A2": "=A1*3", "A3": "=SUMSQ(A2)"})
    with pytest.warns(UserWarning, match="SUMSQ"):
        plan = compile_workbook(p)
    with pytest.warns(UserWarning, match="change S!A3"):
        out = plan.evaluate({"S!A2": np.array([1.0, 5.0])}, ["S!A3"])
    assert [out["S!A3"].item(i) for i in range(2)] == [1.0, 25.0]


def test_indirect_is_re_evaluated_whenever_inputs_are_given(tmp_path):
    # INDIRECT's precedent (B1) is not among its arguments: any batch re-evaluates it.
    p = _book(tmp_path / "ind.xlsx", {"B1": 5.0, "A1": '=INDIRECT("B1")*2', "C1": "=A1+1"})
    with pytest.warns(UserWarning, match="INDIRECT"):
        plan = compile_workbook(p)
    with pytest.warns(UserWarning, match="change S!A1"):
        out = plan.evaluate({"S!B1": np.array([1.0, 2.0])}, ["S!C1"])
    assert [out["S!C1"].item(i) for i in range(2)] == [3.0, 5.0]


def test_unknown_function_is_name_error(tmp_path):
    p = _book(tmp_path / "u.xlsx", {"A1": "=NOSUCHFN(1)+1"})
    with pytest.warns(UserWarning, match=r"NOSUCHFN in S!A1"):
        plan = compile_workbook(p)
    assert plan.evaluate()[("S", 1, 1)].item() == "#NAME?"


def test_circular_reference_is_a_workbook_error(tmp_path):
    p = _book(tmp_path / "c.xlsx", {"A1": "=A2+1", "A2": "=A1*2"})
    with pytest.raises(WorkbookError, match="circular"):
        compile_workbook(p)


def test_iterative_circular_workbook_is_refused_with_a_reason(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["A2"] = "=A2/2+1", "=A1"
    wb.calculation.iterate = True
    wb.save(tmp_path / "it.xlsx")
    with pytest.raises(WorkbookError, match="iterative calculation cannot be vectorised"):
        compile_workbook(tmp_path / "it.xlsx")


def test_bad_files_are_workbook_errors(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(WorkbookError):
        compile_workbook(bad)
    with pytest.raises(WorkbookError):
        get_plan(tmp_path / "missing.xlsx")


def test_plan_cache_is_in_memory_and_keyed_by_content(tmp_path, monkeypatch):
    import shutil

    import templates.recalc.batch.compile as comp

    book = tmp_path / "m.xlsx"
    _book(book, {"A1": 2.0, "A2": "=A1*2"})
    clear_memory()
    p1 = get_plan(book)
    assert get_plan(book) is p1  # memory hit
    copy = tmp_path / "copy.xlsx"
    shutil.copy(book, copy)
    assert get_plan(copy) is p1  # same bytes, same plan
    _book(book, {"A1": 2.0, "A2": "=A1*3"})  # edited: new content, compiled again
    assert get_plan(book) is not p1
    assert get_plan(book).evaluate()[("S", 2, 1)].item() == 6.0
    assert sorted(x.name for x in tmp_path.iterdir()) == ["copy.xlsx", "m.xlsx"]
    clear_memory()
    monkeypatch.setattr(comp, "compile_workbook", lambda path: pytest.fail("recompiled"))
    with pytest.raises(pytest.fail.Exception):
        get_plan(copy)  # nothing on disk to reuse: a new process compiles again
    clear_memory()


def test_plan_pickles_and_evaluates_the_same(tco_plan):
    again = pickle.loads(pickle.dumps(tco_plan))
    x = {"requests_per_day": np.array([1e3, 1e5, 1e7])}
    a = tco_plan.evaluate(x, ["total_selfhost"])["total_selfhost"].d
    b = again.evaluate(x, ["total_selfhost"])["total_selfhost"].d
    np.testing.assert_array_equal(a, b)


def test_strings_and_bools_as_inputs(function_plan):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = function_plan.evaluate({"Inputs!B6": np.array(["a", "b"], dtype=object)},
                                     ["Calc!B10"])
    assert [out["Calc!B10"].item(i) for i in range(2)] == ["n=a", "n=b"]


def test_spilled_array_formula_is_static_until_its_precedents_vary(tmp_path):
    from openpyxl.worksheet.formula import ArrayFormula

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for i in range(1, 4):
        ws.cell(i, 1, i * 1.5)
    ws["B1"] = ArrayFormula("B1:B3", "=A1:A3*2")
    ws["C1"] = "=SUM(B1:B3)+D1"
    ws["D1"] = 1.0
    ws["E1"] = ArrayFormula("E1", "=SUM(A1:A3*A1:A3)")  # one cell: vectorised
    wb.save(tmp_path / "af.xlsx")
    with pytest.warns(UserWarning, match=r"array formula in S!B1"):
        plan = compile_workbook(tmp_path / "af.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = plan.evaluate({"S!D1": [0.0, 10.0]}, ["S!C1", "S!B3", "S!E1"])
    assert [out["S!C1"].item(i) for i in range(2)] == [18.0, 28.0]
    assert out["S!B3"].item() == 9.0 and out["S!E1"].item() == 31.5
    with pytest.warns(UserWarning, match=r"array formula"):
        out = plan.evaluate({"S!A3": [0.0, 1.0]}, ["S!C1"])
    assert [out["S!C1"].item(i) for i in range(2)] == [10.0, 12.0]


def test_excel_semantics_where_formulas_differs(tmp_path):
    cells = {"A1": "=MOD(1,0.2)", "A2": "=0^0", "A3": "=0^-2", "A4": "=E1=FALSE",
             "A5": "=SUMPRODUCT(1>0)", "A6": "=(-8)^(1/3)", "A7": '="a"/(1/0)',
             "A8": "=MOD(-7,3)", "A9": "=E1=0", "A10": '=E1=""'}
    plan = compile_workbook(_book(tmp_path / "x.xlsx", cells))
    got = {f"A{r}": v.item() for (_, r, _), v in plan.evaluate().items()}
    assert got == {"A1": 0.0, "A2": "#NUM!", "A3": "#DIV/0!", "A4": True, "A5": 0.0,
                   "A6": "#NUM!", "A7": "#DIV/0!", "A8": 2.0, "A9": True, "A10": True}


def test_addin_catalog_functions_match_the_runtime(tmp_path):
    """Real add-in functions (udfs catalog) element by element equal the engine's values."""
    from templates.recalc.workbook import addin_functions

    assert "LLM_API_COST" in addin_functions()
    p = _book(tmp_path / "addin.xlsx", {
        "B1": 1e8, "B2": 3e7, "B3": "gpt-4o",
        "A1": "=_xll.LLM_API_COST(B3,B1,B2)", "A2": "=LLM_API_COST(B3,B1,B2)*2",
        "A3": '=IFERROR(LLM_API_COST("no-such-model",B1,B2),-1)',
        "A4": "=LLM_API_COST(B3,-B1,B2)"})
    with pytest.warns(UserWarning, match="LLM_API_COST"):
        plan = compile_workbook(p)
    ref = EngineReference(p)
    vols = np.array([0.0, 1e6, 2.5e9])
    out = plan.evaluate({"S!B1": vols})
    for i, v in enumerate(vols):
        expected = ref.calculate({("S", 1, 2): float(v)})
        for key in (("S", 1, 1), ("S", 2, 1), ("S", 3, 1), ("S", 4, 1)):
            ours, theirs = out[key].item(i), expected[key]
            assert ours == theirs or ours == pytest.approx(theirs, rel=1e-12), (key, i)
    assert out[("S", 3, 1)].item(0) == -1.0
    assert out[("S", 4, 1)].item(1) == "#NUM!" or isinstance(out[("S", 4, 1)].item(1), str)
