"""The recalculation path's data classes (templates/recalc/records.py) keep what
dataclasses gave them: construction with defaults, repr, equality, frozen limits,
copying and pickling (batch workers receive them from other processes)."""

from __future__ import annotations

import copy
import pickle
import sys
from pathlib import Path

import pytest

import templates.recalc.functions  # noqa: F401 - registers the library (FUNCTIONS["ROUND"])
from templates.recalc.reader import BookData, FormulaCell, SheetData, read_book
from templates.recalc.registry import FUNCTIONS, Param
from templates.recalc.xlsx_safety import DEFAULT_LIMITS, CalcSettings, CheckedWorkbook, Limits

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"


def test_limits_are_frozen_hashable_and_replaced_by_name() -> None:
    lim = Limits(max_formula_cells=7)
    assert lim.max_formula_cells == 7 and lim.max_cells == DEFAULT_LIMITS.max_cells
    with pytest.raises(AttributeError, match="Limits is frozen: cannot assign to field "
                                             "'max_cells'"):
        lim.max_cells = 1  # type: ignore[misc]
    assert hash(lim) == hash(Limits(max_formula_cells=7)) and lim != DEFAULT_LIMITS
    assert lim.replace(max_members=3) == Limits(max_formula_cells=7, max_members=3)
    with pytest.raises(TypeError, match="Limits has no field 'max_rows'"):
        lim.replace(max_rows=1)
    assert "max_formula_cells=7" in repr(lim)


def test_records_copy_and_pickle_equal() -> None:
    samples = [Limits(max_members=3), CalcSettings(True, 5, 0.1), CheckedWorkbook("x.xlsx"),
               FormulaCell("A1+1"), FormulaCell("B1", "array", "B1:B3"), SheetData("S"),
               Param("number", True), FUNCTIONS["ROUND"].params[0]]
    for obj in samples:
        assert pickle.loads(pickle.dumps(obj)) == obj, obj
        assert copy.deepcopy(obj) == obj and copy.copy(obj) == obj, obj


def test_a_whole_read_book_pickles() -> None:
    # every formula of a plain <f> shares one read-only attribute map; pickled, a dict
    book = read_book(CORPUS / "formulas_test.xlsx")
    again = pickle.loads(pickle.dumps(book))
    assert isinstance(again, BookData) and again == book
    assert sum(len(s.formulas) for s in again.sheets) > 3000


def test_mutable_records_are_not_hashable() -> None:
    with pytest.raises(TypeError, match="unhashable"):
        hash(SheetData("S"))


def test_recalculation_path_does_not_import_dataclasses_or_typing(tmp_path: Path) -> None:
    # why the records exist: importing dataclasses (inspect, ast, dis, tokenize) was
    # 10 ms of a 70 ms cold `llm-tco recalc` of a template, and typing 2 ms more, so the
    # modules on that path import typing for type checkers only (scipy.special, loaded
    # for the distributions only, imports both itself)
    import subprocess

    from templates.workbooks import build_template

    book = tmp_path / "finetune.xlsx"
    build_template("finetune", book)
    code = ("import sys; from addin.cli import main; "
            f"sys.argv = ['llm-tco', 'recalc', {str(book)!r}, '--format', 'json']; "
            "sys.stdout = open('/dev/null', 'w')\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted({'dataclasses', 'typing', 'click', 'numpy'} & set(sys.modules)), "
            "file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[3])
    assert out.stderr.strip() == "[]", out.stderr
