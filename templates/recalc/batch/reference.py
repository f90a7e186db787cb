"""``formulas`` (plus the runtime's registrations) as reference and whole-workbook fallback.

``formulas`` keys cells as ``'[book.xlsx]SHEET'!A1`` (upper-case sheet); this module maps
them to and from our ``(sheet, row, col)`` keys and converts its values (``XlError``,
``empty``, 1×1 arrays) to plain Python values: float, bool, str, or the error's text
(``"#DIV/0!"``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

Key = tuple[str, int, int]


def register_addin_functions() -> None:
    """Register the project's functions with ``formulas``: our add-in catalog (plain and
    prefixed names) and the Excel-correct ROUND/ROUNDUP/ROUNDDOWN of the workbook runtime.

    ``formulas`` rounds the binary double (``ROUND(17*1.005, 2)`` = 17.08); Excel rounds its
    15-digit decimal form (17.09). The runtime (``templates.recalc``) patches that, and the
    reference follows the runtime.
    """
    try:
        from templates.recalc.formulas_oracle import register_functions
    except ImportError:  # pragma: no cover - only before the runtime existed
        register_functions = None
    if register_functions is not None:
        register_functions()
        return
    import formulas

    try:
        from udfs.formulas_adapter import formulas_functions

        funcs = formulas_functions()
    except Exception:  # the catalog is optional for the reference engine
        funcs = {}
    table = formulas.get_functions()
    for name, fn in funcs.items():
        table.setdefault(name.upper(), fn)
        table.setdefault("_XLL." + name.upper(), fn)


def to_python(x: Any) -> Any:
    """A ``formulas`` value → float, bool, str, None (empty) or error text."""
    if hasattr(x, "value") and not isinstance(x, np.ndarray):
        x = x.value
    if isinstance(x, np.ndarray):
        x = x.reshape(-1)[0] if x.size else None
    name = type(x).__name__
    if name == "XlError":
        return str(x)
    if name == "_Empty" or repr(x) == "empty":
        return None
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | float | np.integer | np.floating):
        return float(x)
    return x


class ReferenceModel:
    """One workbook loaded by plain ``formulas`` (``ExcelModel().loads(p).finish()``)."""

    def __init__(self, path: str | Path) -> None:
        import formulas

        register_addin_functions()
        self.path = Path(path)
        self.model = formulas.ExcelModel().loads(str(self.path)).finish()
        self.book = self.path.name.upper()
        self._by_key: dict[Key, str] = {}
        for k in self.model.cells:
            key = self.parse_key(k)
            if key is not None:
                self._by_key[key] = k

    def parse_key(self, fkey: str) -> Key | None:
        """``'[BOOK.XLSX]SHEET'!B3`` → ``('SHEET', 3, 2)`` (sheet upper-case), ranges → None."""
        if "!" not in fkey:
            return None
        sheet, cell = fkey.rsplit("!", 1)
        if ":" in cell:
            return None
        sheet = sheet.strip("'")
        sheet = sheet.split("]", 1)[1] if "]" in sheet else sheet
        try:
            col, row = coordinate_from_string(cell)
        except Exception:  # "#REF!" and other non-cell names (CellCoordinatesException)
            return None
        return (sheet.upper(), row, column_index_from_string(col))

    def fkey(self, key: Key) -> str:
        """Our key → the ``formulas`` cell name."""
        sheet, r, c = key
        k = (sheet.upper(), r, c)
        if k in self._by_key:
            return self._by_key[k]
        return f"'[{self.path.name}]{sheet.upper()}'!{get_column_letter(c)}{r}"

    def calculate(self, inputs: dict[Key, Any] | None = None,
                  keys: list[Key] | None = None) -> dict[Key, Any]:
        """Recalculate with ``inputs`` overriding cells; return Python values by our key."""
        ins = {self.fkey(k): v for k, v in (inputs or {}).items()}
        sol = self.model.calculate(inputs=ins) if ins else self.model.calculate()
        out: dict[Key, Any] = {}
        wanted = None if keys is None else {(k[0].upper(), k[1], k[2]): k for k in keys}
        for fk, val in sol.items():
            key = self.parse_key(fk)
            if key is None:
                # An array formula's result is keyed by its whole range ('…'!B1:B3):
                # spread it over the cells it fills.
                for cell_key, cell_val in self._spread(fk, val):
                    if wanted is None:
                        out.setdefault(cell_key, cell_val)
                    elif cell_key in wanted:
                        out.setdefault(wanted[cell_key], cell_val)
                continue
            if wanted is None:
                out[key] = to_python(val)
            elif key in wanted:
                out[wanted[key]] = to_python(val)
        return out

    def _spread(self, fkey: str, val: Any) -> list[tuple[Key, Any]]:
        if "!" not in fkey or ":" not in fkey.rsplit("!", 1)[1]:
            return []
        first = self.parse_key(fkey.split(":", 1)[0])
        arr = getattr(val, "value", val)
        if first is None or not isinstance(arr, np.ndarray) or arr.ndim != 2:
            return []
        sheet, r0, c0 = first
        return [((sheet, r0 + i, c0 + j), to_python(arr[i, j]))
                for i in range(arr.shape[0]) for j in range(arr.shape[1])]

    def compile(self, inputs: list[Key], outputs: list[Key]) -> Any:
        """``formulas``' own compiled function: ``f(*input_values) -> outputs``."""
        return self.model.compile(
            inputs=[self.fkey(k) for k in inputs], outputs=[self.fkey(k) for k in outputs]
        )
