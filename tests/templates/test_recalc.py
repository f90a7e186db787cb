"""templates.recalc: Excel-correct headless recalculation.

Reference values and where they come from:

* "MS docs": the examples on Microsoft's support pages for ROUND, ROUNDUP, ROUNDDOWN and
  SQRT (support.microsoft.com, "ROUND function" etc.), i.e. what Excel returns.
* "LO 7.4": LibreOffice 7.4.7.2 headless, computed on this project's machine on
  2026-11-28 by converting a workbook holding these formulas
  (``soffice --headless --convert-to xlsx`` in a fresh profile with
  ``OOXMLRecalcMode=0``, which forces recalculation on load) and reading the cached
  values with openpyxl; ``test_libreoffice_agrees`` in test_check.py redoes this live.
* "Excel rule": Excel's documented behaviour (errors propagate through SUM; a
  formula pointing at an empty cell shows 0).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from templates.recalc import Recalculation, recalc
from templates.recalc.errors import CircularReferenceError, WorkbookError
from templates.recalc.formulas_oracle import register_functions

# (formula, expected, source). Binary-float rounding (what `formulas` does by default,
# and Python's round()) gives the value in the comment instead.
CASES = [
    ("=ROUND(2.675,2)", 2.68, "LO 7.4; Excel rounds the 15-digit decimal (binary: 2.67)"),
    ("=ROUND(143.325,2)", 143.33, "LO 7.4 (binary: 143.32)"),
    ("=ROUND(1.005,2)", 1.01, "LO 7.4 (binary: 1.0)"),
    ("=ROUND(2.15,1)", 2.2, "MS docs ROUND example; LO 7.4 (binary: 2.1)"),
    ("=ROUND(-1.475,2)", -1.48, "MS docs ROUND example; LO 7.4"),
    ("=ROUND(21.5,-1)", 20.0, "MS docs ROUND example; LO 7.4"),
    ("=ROUND(0.285,2)", 0.29, "LO 7.4 (binary: 0.28)"),
    ("=ROUND(-2.5,0)", -3.0, "LO 7.4; halves round away from zero"),
    ("=ROUNDUP(3.2,0)", 4.0, "MS docs ROUNDUP example; LO 7.4"),
    ("=ROUNDUP(-3.14159,1)", -3.2, "MS docs ROUNDUP example; LO 7.4"),
    ("=ROUNDUP(31415.92654,-2)", 31500.0, "MS docs ROUNDUP example; LO 7.4"),
    ("=ROUNDUP(-2.1,0)", -3.0, "LO 7.4; away from zero"),
    ("=ROUNDUP(0.1+0.2,1)", 0.3, "LO 7.4 (binary ceil of 0.30000000000000004: 0.4)"),
    ("=ROUNDDOWN(3.14159,3)", 3.141, "MS docs ROUNDDOWN example; LO 7.4"),
    ("=ROUNDDOWN(-3.14159,1)", -3.1, "MS docs ROUNDDOWN example; LO 7.4"),
    ("=ROUNDDOWN(31415.92654,-2)", 31400.0, "MS docs ROUNDDOWN example; LO 7.4"),
    ("=ROUNDDOWN(-2.9,0)", -2.0, "LO 7.4; toward zero"),
    ("=ROUNDDOWN(4.35*100,0)", 435.0, "LO 7.4 (binary floor of 434.99999999999994: 434)"),
    ("=SUM(C1:C3)", "#DIV/0!", "Excel rule; LO 7.4 (C3 holds =1/0)"),
    ("=SUM(C1,D1)", "#N/A", "Excel rule; LO 7.4 (D1 holds =NA())"),
    ("=SUM(C1:C2)*2", 6.0, "LO 7.4"),
    ("=1/0", "#DIV/0!", "LO 7.4"),
    ("=NA()", "#N/A", "LO 7.4"),
    ('="a"+1', "#VALUE!", "LO 7.4"),
    ("=SQRT(-1)", "#NUM!", "MS docs SQRT: a negative number gives #NUM! (LO 7.4 says #VALUE!)"),
    ("=E1", 0.0, "Excel rule: a reference to an empty cell shows 0"),
    ('=IF(C1>0,"yes","no")', "yes", "Excel rule"),
    ("=C1<0", False, "Excel rule"),
]


@pytest.fixture(scope="module")
def cases_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recalc") / "cases.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cases"
    for i, (formula, _, _) in enumerate(CASES, start=1):
        ws.cell(i, 1, formula)
    ws["C1"], ws["C2"], ws["C3"], ws["D1"] = 1, 2, "=1/0", "=NA()"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def cases_values(cases_book: Path) -> dict[str, object]:
    return Recalculation(cases_book).calculate()


@pytest.mark.parametrize(
    ("row", "case"), list(enumerate(CASES, start=1)), ids=[c[0] for c in CASES]
)
def test_excel_reference_values(cases_values: dict[str, object], row: int, case: tuple) -> None:
    _formula, expected, source = case
    got = cases_values[f"Cases!A{row}"]
    if isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-15, abs=1e-15), source
    else:
        assert got == expected, source


@pytest.fixture(scope="module")
def model_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small TCO-like model with out_ names, a quoted sheet name and add-in calls."""
    path = tmp_path_factory.mktemp("model") / "model.xlsx"
    wb = openpyxl.Workbook()
    inputs = wb.active
    inputs.title = "Inputs"
    inputs["A1"], inputs["B1"] = "tokens per month", 150e6
    inputs["A2"], inputs["B2"] = "usd per million", 5.0
    out = wb.create_sheet("My Results")
    out["B1"] = "=Inputs!B1/1000000*Inputs!B2"
    out["B2"] = "='My Results'!B1*12"
    out["B3"] = "=ROUND(B2/7,2)"
    wb.defined_names["out_monthly"] = DefinedName("out_monthly", attr_text="'My Results'!$B$1")
    wb.defined_names["out_yearly"] = DefinedName("out_yearly", attr_text="'My Results'!$B$2")
    wb.defined_names["volume"] = DefinedName("volume", attr_text="Inputs!$B$1")
    wb.save(path)
    return path


def test_default_cells_are_out_names(model_book: Path) -> None:
    # 150M tokens at $5/M = $750/month (hand arithmetic), ×12 = $9,000/year.
    assert recalc(model_book) == {"My Results!B1": 750.0, "My Results!B2": 9000.0}


def test_inputs_by_ref_and_by_name_case_insensitive(model_book: Path) -> None:
    assert recalc(model_book, inputs={"inputs!b1": 300e6}, cells=["out_monthly"]) == {
        "My Results!B1": 1500.0
    }
    assert recalc(model_book, inputs={"VOLUME": 1e6}, cells=["'my results'!B1:B2"]) == {
        "My Results!B1": 5.0,
        "My Results!B2": 60.0,
    }


def test_constant_cells_can_be_reported(model_book: Path) -> None:
    assert recalc(model_book, cells=["Inputs!A1", "Inputs!B2", "Inputs!C9"]) == {
        "Inputs!A1": "tokens per month",
        "Inputs!B2": 5.0,
        "Inputs!C9": None,
    }


def test_all_formula_cells_when_no_out_names(cases_book: Path) -> None:
    values = recalc(cases_book)
    assert len(values) == len(CASES) + 2  # C3 and D1 are formulas too


def test_input_file_is_not_modified(model_book: Path) -> None:
    before = hashlib.sha256(model_book.read_bytes()).hexdigest()
    recalc(model_book, inputs={"Inputs!B1": 1})
    assert hashlib.sha256(model_book.read_bytes()).hexdigest() == before


@pytest.mark.parametrize(
    ("ref", "reason"),
    [("Nope!A1", "no sheet named"), ("Inputs!ZZZZ0", "not a cell reference"),
     ("no_such_name", "neither Sheet!A1 nor a defined name")],
)
def test_bad_refs_name_the_ref(model_book: Path, ref: str, reason: str) -> None:
    with pytest.raises(WorkbookError) as info:
        recalc(model_book, cells=[ref])
    assert reason in info.value.reason and info.value.cell == ref
    assert str(model_book) in str(info.value)


# --- our functions, under every name Excel stores them ------------------------------


@pytest.fixture
def fake_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """The udfs catalog is filled by another module; inject a tiny function instead."""
    import templates.recalc.workbook

    def llm_fake_cost(tokens, price=1.0):
        # The engine passes cell values (a single cell as its value, a range as an array).
        return float(np.ravel(tokens)[0]) / 1e6 * float(np.ravel(price)[0])

    monkeypatch.setattr(
        templates.recalc.workbook, "addin_functions", lambda: {"LLM_FAKE_COST": llm_fake_cost}
    )
    # the engine looks a name up among the add-in's before loading it: list the fake too
    import templates.recalc.functions._index as index

    monkeypatch.setattr(index, "ADDIN_NAMES", index.ADDIN_NAMES | {"LLM_FAKE_COST"})


def test_registered_functions_under_excel_prefixes(fake_catalog: None, tmp_path: Path) -> None:
    path = tmp_path / "addin.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = 2e6
    ws["B1"] = "=LLM_FAKE_COST(A1, 3)"  # xlwings VBA wrapper in the workbook: unprefixed
    ws["B2"] = "=_xll.LLM_FAKE_COST(A1, 3)"  # XLL add-in (PyXLL, Excel-DNA)
    ws["B3"] = "=_xludf.LLM_FAKE_COST(A1)"  # function Excel did not know when saving
    ws["B4"] = "=[1]!LLM_FAKE_COST(A1)"  # VBA function in an .xlam via an external link
    ws["B5"] = '=[1]!LLM_FAKE_COST(A1)&"[1]!x("'  # string literals are left alone
    ws["B6"] = '=LLM_FAKE_COST("lots")'  # a Python exception becomes #VALUE!
    wb.save(path)
    assert recalc(path) == {
        "Sheet!B1": 6.0, "Sheet!B2": 6.0, "Sheet!B3": 2.0,
        "Sheet!B4": 2.0, "Sheet!B5": "2[1]!x(", "Sheet!B6": "#VALUE!",
    }


def test_register_functions_returns_prefixed_names() -> None:
    names = register_functions({"LLM_X": lambda: 1.0})
    assert {"LLM_X", "_XLL.LLM_X", "_XLUDF.LLM_X", "ROUND", "ROUNDUP", "ROUNDDOWN"} <= names


def test_unknown_function_names_cell_and_function(tmp_path: Path) -> None:
    path = tmp_path / "unknown.xlsx"
    wb = openpyxl.Workbook()
    wb.active["C7"] = "=1+NOT_A_FUNCTION(2)"
    wb.save(path)
    wb.active["C8"] = "=2+3"
    wb.save(path)
    # Issue 12: an unknown function degrades that cell only (it keeps its stored value,
    # here none, and is reported with the reason); the rest of the workbook computes.
    calc = Recalculation(path)
    assert calc.degraded == {"Sheet!C7": "function NOT_A_FUNCTION is not supported"}
    assert calc.values() == {"Sheet!C7": None, "Sheet!C8": 5.0}


def test_formula_formulas_cannot_parse_names_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "syntax.xlsx"
    wb = openpyxl.Workbook()
    wb.active["D4"] = "=2*1e6"  # Excel itself stores 1000000; `formulas` rejects 1e6
    wb.save(path)
    # The engine reads 1e6 as Excel would (Excel stores 1000000): 2 × 1e6.
    assert recalc(path) == {"Sheet!D4": 2_000_000.0}
    wb.active["D5"] = "=2*(3"  # not a formula Excel accepts: that cell degrades, named
    wb.save(path)
    calc = Recalculation(path)
    assert "Sheet!D5" in calc.degraded and calc.values()["Sheet!D4"] == 2_000_000.0


# --- circular references -------------------------------------------------------------


def _loop_book(path: Path, iterate: bool) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["B1"], ws["C1"] = "=A2+1", "=A1*0.5", "=A1*2", "=C2*2"
    ws["C2"] = 4
    if iterate:
        wb.calculation.iterate = True
        wb.calculation.iterateCount = 100
        wb.calculation.iterateDelta = 0.000001
    wb.save(path)
    return path


def test_circular_reference_names_the_loop(tmp_path: Path) -> None:
    with pytest.raises(CircularReferenceError) as info:
        recalc(_loop_book(tmp_path / "loop.xlsx", iterate=False))
    # B1 depends on the loop but is not on it; C1 is fine.
    assert info.value.cells == ["Sheet!A1", "Sheet!A2"]
    assert "circular reference between Sheet!A1, Sheet!A2" in str(info.value)


def test_iterative_calculation_converges_like_libreoffice(tmp_path: Path) -> None:
    values = recalc(_loop_book(tmp_path / "iter.xlsx", iterate=True))
    # Fixed point by hand: A1 = A1/2 + 1 → A1 = 2, A2 = 1, B1 = 4. LO 7.4 with
    # iterateCount=100, iterateDelta=1e-6 gives A1 1.99999904632568, A2 0.999999046325684,
    # B1 3.99999809265137; Excel and LO stop within iterateDelta of the fixed point, in an
    # order-dependent place, so agreement is to ~10×iterateDelta.
    assert values["Sheet!A1"] == pytest.approx(1.99999904632568, abs=1e-5)
    assert values["Sheet!A2"] == pytest.approx(0.999999046325684, abs=1e-5)
    assert values["Sheet!B1"] == pytest.approx(3.99999809265137, abs=1e-5)
    assert values["Sheet!C1"] == 8.0


def test_long_dependency_chain(tmp_path: Path) -> None:
    """A 1,500-month running total: formulas' recursive cycle search would overflow."""
    path = tmp_path / "chain.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = 1, "=A1"
    for r in range(2, 1501):
        ws[f"A{r}"], ws[f"B{r}"] = 1, f"=B{r - 1}+A{r}"
    wb.save(path)
    assert recalc(path, cells=["Sheet!B1500"]) == {"Sheet!B1500": 1500.0}  # 1500 ones


def test_awkward_file_and_sheet_names(tmp_path: Path) -> None:
    # formulas mis-parses its node ids for such file names; the runtime renames the book.
    path = tmp_path / "Bob's model [v2] (final).xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ввод"
    ws["A1"], ws["A2"] = 2, "=A1*3"
    wb.create_sheet("Цены 2026")["A1"] = "='Ввод'!A2+1"
    wb.save(path)
    assert recalc(path) == {"Ввод!A2": 6.0, "Цены 2026!A1": 7.0}
    assert recalc(path, inputs={"'ввод'!A1": 1}, cells=["'Цены 2026'!A1"]) == {
        "Цены 2026!A1": 4.0
    }
    wb.create_sheet("Bob's")
    wb.save(path)
    wb["Bob's"]["A1"] = "='Ввод'!A2*2"
    wb["Ввод"]["B1"] = "='Bob''s'!A1+1"
    wb.save(path)
    # Sheet names with apostrophes are quoted with a doubled '' in formulas (Excel's rule).
    assert recalc(path, cells=["'Bob''s'!A1", "Ввод!B1"]) == {"Bob's!A1": 12.0, "Ввод!B1": 13.0}


def test_formula_cell_limit(model_book: Path) -> None:
    from templates.recalc.xlsx_safety import Limits

    with pytest.raises(WorkbookError, match="3 formula cells, above the limit of 2"):
        recalc(model_book, limits=Limits(max_formula_cells=2))


def test_shipped_function_names_are_formulas_own() -> None:
    """templates/data/formulas_functions.txt lists exactly what the installed formulas knows
    (regenerate: python -m templates.recalc.formulas_oracle --write-function-names)."""
    import subprocess
    import sys

    from templates.recalc.formulas_oracle import formulas_function_names

    # a fresh interpreter: in this one, other tests registered our functions into formulas
    out = subprocess.run(
        [sys.executable, "-c", "import formulas; print('\\n'.join(formulas.get_functions()))"],
        check=True, capture_output=True, text=True, timeout=120).stdout
    assert formulas_function_names() == frozenset(out.split())
