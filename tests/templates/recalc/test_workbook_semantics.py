"""The engine on workbook features (issue 12): What-If data tables, dates as Excel stores
them, volatile cells, names, and the command line's promises. Reference values are hand
arithmetic (shown) or LibreOffice's recalculation of the same file, as each test says."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import DataTableFormula
from typer.testing import CliRunner

from addin.cli import app
from templates.recalc import recalc
from templates.recalc.check import check

from ..lo import soffice


def _data_table_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "What if"  # a sheet name with a space
    ws["A1"], ws["C1"] = 0.05, 1
    ws["B2"] = "=A1*100+C1"  # the one-input table's formula (row above the area)
    for i, v in enumerate([1, 2, 3], start=3):
        ws.cell(i, 1, v)  # its input values (column left of the area) go into A1
    ws["B3"] = DataTableFormula(ref="B3:B5", r1="A1")
    ws["E2"] = "=A1*100+C1"  # the two-input table's formula (corner)
    ws["F2"], ws["G2"], ws["E3"], ws["E4"] = 1, 2, 10, 20  # row inputs → A1, column → C1
    ws["F3"] = DataTableFormula(ref="F3:G4", dt2D=True, r1="A1", r2="C1")
    ws["H1"] = "=SUM(B3:B5)"
    wb.save(path)
    return path


def test_what_if_data_tables(tmp_path: Path) -> None:
    book = _data_table_book(tmp_path / "dt.xlsx")
    got = recalc(book, cells=["'What if'!B3:B5", "'What if'!F3:G4", "'What if'!H1",
                              "'What if'!B2"])
    # Hand arithmetic: B3..B5 = A1*100 + C1 with A1 = 1, 2, 3 → 101, 201, 301;
    # F3 = 1*100 + 10, G3 = 2*100 + 10, F4 = 1*100 + 20, G4 = 2*100 + 20;
    # H1 = 101 + 201 + 301; B2 itself keeps the real inputs: 0.05*100 + 1 = 6.
    assert got == {"What if!B3": 101.0, "What if!B4": 201.0, "What if!B5": 301.0,
                   "What if!F3": 110.0, "What if!G3": 210.0, "What if!F4": 120.0,
                   "What if!G4": 220.0, "What if!H1": 603.0, "What if!B2": 6.0}


@pytest.mark.libreoffice
def test_data_tables_agree_with_libreoffice(tmp_path: Path) -> None:
    from templates.recalc.libreoffice import libreoffice_recalculate

    book = _data_table_book(tmp_path / "dt.xlsx")
    out = libreoffice_recalculate([book], tmp_path, soffice=soffice())[book]
    lo = openpyxl.load_workbook(out, data_only=True)["What if"]
    ours = recalc(book, cells=["'What if'!B3:B5", "'What if'!F3:G4"])
    for ref, v in ours.items():
        assert lo[ref.split("!")[1]].value == pytest.approx(v, rel=1e-12), ref


@pytest.mark.libreoffice
def test_check_compares_dates_as_excel_stores_them(tmp_path: Path) -> None:
    # Issue 12's reproducer: a date input, =A1+1 and =DATE(2024,2,29) formatted as dates,
    # recalculated and saved by LibreOffice, must check fresh (the file stores serials).
    from templates.recalc.libreoffice import libreoffice_recalculate

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = datetime.datetime(2024, 1, 31)
    ws["A2"], ws["A3"] = "=A1+1", "=DATE(2024,2,29)"
    ws["A4"] = '=IF(A1>0,"","x")'  # an empty-text result
    for ref in ("A1", "A2", "A3"):
        ws[ref].number_format = "yyyy-mm-dd"
    src = tmp_path / "dates.xlsx"
    wb.save(src)
    saved = libreoffice_recalculate([src], tmp_path, soffice=soffice())[src]
    result = check(saved)
    assert result.ok, [str(s) for s in result.stale]
    assert result.checked == 3  # A2 and A3 (serials 45323 and 45351) and A4 ("")
    runner = CliRunner()
    assert runner.invoke(app, ["check", str(saved)]).exit_code == 0


def test_volatile_cells_are_reported_as_volatile(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"] = "=TODAY()", "=RAND()", "=1+1"
    wb.save(tmp_path / "vol.xlsx")
    result = check(tmp_path / "vol.xlsx")
    # openpyxl stores no values: A3 (no stored value) is stale; the volatile ones are not.
    assert sorted(result.volatile) == ["Sheet!A1", "Sheet!A2"]
    assert [s.ref for s in result.stale] == ["Sheet!A3"]


def test_undefined_name_is_name_error(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=no_such_name+1"
    wb.save(tmp_path / "n.xlsx")
    # Excel: a name the workbook does not define is #NAME? (issue 12: it was #REF!)
    assert recalc(tmp_path / "n.xlsx") == {"Sheet!A1": "#NAME?"}


def test_set_on_a_formula_cell_is_refused_with_and_without_output(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A2"] = 1, "=A1*2"
    wb.save(tmp_path / "s.xlsx")
    runner = CliRunner()
    for extra in ([], ["-o", str(tmp_path / "out.xlsx")]):
        res = runner.invoke(app, ["recalc", str(tmp_path / "s.xlsx"), "--set", "Sheet!A2=5",
                                  *extra])
        assert res.exit_code == 2, res.output
        assert "over a formula cell" in res.output
    assert not (tmp_path / "out.xlsx").exists()


def test_json_keys_are_the_references_asked_for(tmp_path: Path) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A2"] = 2, "=A1*3"
    wb.defined_names["in_x"] = DefinedName("in_x", attr_text="Sheet!$A$2")
    wb.save(tmp_path / "k.xlsx")
    res = CliRunner().invoke(app, ["recalc", str(tmp_path / "k.xlsx"), "--cells", "in_x",
                                   "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout) == {"in_x": 6.0}  # 2 × 3


def test_add_in_functions_compute_in_a_fresh_process(tmp_path: Path) -> None:
    # A user's workbook calling our add-in functions, recalculated by a new `llm-tco`
    # process: the engine must find the catalog itself (it once found it empty there and
    # kept Excel's stored values). The reference is the catalog called in this process.
    import subprocess
    import sys

    from udfs import functions  # noqa: F401 - fills the catalog in this process
    from udfs.catalog import call

    path = tmp_path / "udf.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = 1_000_000
    ws["B1"] = '=LLM_API_COST("gpt-4o",A1,A1/4)'
    wb.save(path)
    out = subprocess.run(
        [sys.executable, "-c", "from addin.cli import main; main()", "recalc", str(path),
         "--cells", "Sheet!B1", "--format", "json"],
        capture_output=True, text=True, check=True)
    assert "keeps its stored value" not in out.stderr
    assert json.loads(out.stdout) == {"Sheet!B1": call("LLM_API_COST", "gpt-4o", 1e6, 2.5e5)}
