"""Evaluate one formula against a few cells, without a file: tests, doctests, the REPL.

>>> evaluate("=DEC2HEX(A1,B1)", {"A1": 255.0, "B1": 4.0})
'00FF'
>>> evaluate("=SUM(A1:A3)/COUNT(A1:A3)", {"A1": 1.0, "A2": 2.0, "A3": 6.0})
3.0
"""

from __future__ import annotations

from typing import Any

from templates.recalc.reader import BookData, FormulaCell, SheetData, cell_rc
from templates.recalc.xlsx_safety import CheckedWorkbook

__all__ = ["evaluate"]


def evaluate(formula: str, cells: dict[str, Any] | None = None, *,
             array: bool = False, at: str = "ZZ1000") -> Any:
    """The value of ``formula`` on a one-sheet workbook holding ``cells``
    (``"A1"`` → value; a text starting with ``=`` is a formula cell).

    ``array=True`` evaluates it as an array formula and returns the whole array;
    ``at`` is the cell the formula sits in (ROW(), implicit intersection).
    """
    from templates.recalc.values import Array
    from templates.recalc.workbook import Workbook

    sheet = SheetData("Sheet1")
    for ref, v in (cells or {}).items():
        r, c = cell_rc(ref)
        if isinstance(v, str) and v.startswith("="):
            sheet.formulas[(r, c)] = FormulaCell(v[1:])
        else:
            sheet.values[(r, c)] = float(v) if isinstance(v, int) and not isinstance(
                v, bool) else v
        sheet.max_row, sheet.max_col = max(sheet.max_row, r), max(sheet.max_col, c)
    r, c = cell_rc(at)
    sheet.formulas[(r, c)] = FormulaCell(formula.lstrip("="), kind="array" if array else
                                         "normal", ref=at if array else None)
    data = BookData(path="<formula>", checked=CheckedWorkbook(path="<formula>"),
                    sheets=[sheet])
    wb = Workbook(data)
    if (("Sheet1", r, c)) in wb.degraded:
        raise ValueError(wb.degraded[("Sheet1", r, c)])
    wb.calculate()
    cell = wb.cells[("Sheet1", r, c)]
    if array and cell.deps and isinstance(cell.deps[0], Array):
        return cell.deps[0]
    return cell.value
