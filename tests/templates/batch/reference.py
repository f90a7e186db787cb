"""The reference the compiled plan is checked against: the engine itself, one scenario at
a time (``templates.recalc.workbook.Workbook``, what ``llm-tco recalc --set`` computes).

Keys are ``(SHEET, row, col)`` with the sheet name upper-cased; values are plain Python
(float, bool, str, None) with Excel errors as their text (``"#DIV/0!"``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from templates.recalc.reader import read_book
from templates.recalc.values import BY_TEXT, Array, ExcelError
from templates.recalc.workbook import Workbook
from udfs import functions as _defines_the_catalog  # noqa: F401

Key = tuple[str, int, int]


def _python(v: Any) -> Any:
    if isinstance(v, Array):
        v = v.rows[0][0] if v.rows and v.rows[0] else None
    if type(v) is ExcelError:
        return str(v)
    return v


class EngineReference:
    """One workbook read once; :meth:`calculate` recalculates it with inputs set."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.data = read_book(str(self.path))
        self.sheets = {s.name.upper(): s.name for s in self.data.sheets}

    def calculate(self, inputs: dict[Key, Any] | None = None,
                  keys: list[Key] | None = None) -> dict[Key, Any]:
        """Recalculate with ``inputs`` (cell key → value) set; a formula cell given a
        value holds it. Returns values by ``(SHEET, row, col)``."""
        book = Workbook(self.data)
        for (sheet, r, c), v in (inputs or {}).items():
            sheet = self.sheets[sheet.upper()]
            if isinstance(v, str):
                v = BY_TEXT.get(v, v)
            elif not isinstance(v, bool) and v is not None:
                v = float(v)  # the engine's numbers are Python floats (not numpy's)
            cell = book.cells.get((sheet, r, c))
            if cell is not None:  # what-if on a formula cell, as the plan allows
                cell.fn = None
                cell.stored = v
            else:
                book.set_input(sheet, r, c, v)
        sol = book.calculate()
        out = {(s.upper(), r, c): _python(v) for (s, r, c), v in sol.items()}
        if keys is None:
            return out
        return {k: out.get((k[0].upper(), k[1], k[2])) for k in keys}
