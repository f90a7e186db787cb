"""The recalculation engine: read a workbook once, compile its formulas, evaluate them.

>>> from templates.recalc import recalc                      # doctest: +SKIP
>>> recalc("model.xlsx", inputs={"Inputs!B2": 5e6})          # doctest: +SKIP
{'Summary!B4': 1234.5, ...}

Layers, each a module: :mod:`~templates.recalc.reader` (one streaming pass over the
file, after :mod:`templates.recalc.xlsx_safety` checked it), :mod:`~templates.recalc.parser`
(formula text → tree), :mod:`~templates.recalc.workbook` (tree → closures, evaluation),
:mod:`~templates.recalc.functions` (the Excel function library, one module per family),
:mod:`~templates.recalc.values` (cell values and Excel's coercions). ``formulas`` is not
used here; :mod:`~templates.recalc.formulas_oracle` keeps it as a test oracle.

:class:`Recalculation` is the API the command line, ``check`` and write-back use; cells
are named ``Sheet!A1`` with the sheet as written in the workbook.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping

from templates.recalc.errors import CircularReferenceError, WorkbookError
from templates.recalc.parser import col_index, col_letters
from templates.recalc.xlsx_safety import DEFAULT_LIMITS, Limits

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Recalculation", "Value", "recalc"]

Value = float | str | bool | None

_COORD_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})$")






def _ref(sheet: str, r: int, c: int) -> str:
    return f"{sheet}!{col_letters(c)}{r}"


class Recalculation:
    """A workbook read, checked and compiled for recalculation.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook (.xlsx / .xlsm); never modified here.
    limits : Limits, optional
        Bounds for untrusted files (:mod:`templates.recalc.xlsx_safety`).

    Attributes
    ----------
    checked : CheckedWorkbook
        What the safety checks learned (sheets, calculation settings, notes).
    sheet_names : list of str
    formulas : dict[str, str]
        ``"Sheet!A1"`` → formula text, for every formula cell.
    degraded : dict[str, str]
        Cells the engine cannot compute → why; they keep the value Excel stored.
    volatile : set of str
        Cells calling TODAY, NOW, RAND …: their value changes on every recalculation.
    iterated : bool
        True once a calculation iterated a circular reference (iteration enabled).

    Raises
    ------
    WorkbookError
        The file is unsafe or unreadable, or has more formula cells than the limit.
    """

    def __init__(self, path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> None:
        from templates.recalc.reader import read_book

        self.path = os.fspath(path)
        self.limits = limits
        self.data = read_book(self.path, limits)
        self.checked = self.data.checked
        self.sheet_names = [s.name for s in self.data.sheets]
        self._sheet_by_upper = {s.upper(): s for s in self.sheet_names}
        n = sum(len(s.formulas) for s in self.data.sheets)
        if n > limits.max_formula_cells:
            raise WorkbookError(
                self.path, f"workbook has {n:,} formula cells, above the limit of "
                f"{limits.max_formula_cells:,} (--max-formulas N on the command line, "
                "Limits.max_formula_cells in Python)")
        self._book = self._new_book()
        # Refs are written out when asked for: a million-cell workbook asked for one
        # cell does not build a million "Sheet!A1" strings.
        self.formulas: Mapping[str, str] = _FormulaTexts(self._book.cells, self._key)
        self.degraded = {_ref(*k): why for k, why in self._book.degraded.items()}
        self.volatile = {_ref(*k) for k in self._book.volatile}
        self.iterated = False
        #: The largest relative change of an iterated cell in the first round computed from
        #: the stored values (0 when the workbook has no iterated circular reference).
        self.iteration_first_change = 0.0
        #: the first calculation without inputs, by cell key (see _calculated)
        self._raw: dict[tuple[str, int, int], Any] | None = None
        self._book_used = False  # the compiled book calculates once; then a new one
        self._canonical: re.Pattern[str] | None = None

    def _new_book(self) -> Any:
        from templates.recalc.workbook import Workbook

        return Workbook(self.data)

    # names ---------------------------------------------------------------------------
    def _canonical_key(self, ref: str) -> tuple[str, int, int] | None:
        """The key of a ref that :meth:`resolve` returns unchanged, else None.

        A ref qualifies when resolving it cannot give anything else: its sheet name has
        no leading white space, is not quoted (``'x'``), is the sheet its upper case
        finds (a file may hold sheets differing only in case), and the cell, written in
        upper case without ``$``, lies within A1 … XFD1048576. Then ``resolve(ref) ==
        [ref]``, and a million ``--cells`` (write-back asks for every formula cell) cost
        one pattern match each.
        """
        if self._canonical is None:
            ok = [name for name in self.sheet_names
                  if (name + "!A1").strip() == name + "!A1"
                  and not (name.startswith("'") and name.endswith("'"))
                  and self._sheet_by_upper.get(name.upper()) == name]
            if self.limits.max_range_cells < 1 or not ok:
                ok = ["(?!)"]  # matches nothing
            self._canonical = re.compile(
                "(" + "|".join(re.escape(n) for n in sorted(ok, key=len, reverse=True))
                + r")!([A-Z]{1,3})([1-9][0-9]{0,6})")
        m = self._canonical.fullmatch(ref)
        if m is None:
            return None
        r, c = int(m.group(3)), col_index(m.group(2))
        if r > 1_048_576 or c > 16_384:
            return None
        return m.group(1), r, c

    def _key(self, ref: str) -> tuple[str, int, int]:
        """The key of a ref as :meth:`resolve` returns them."""
        key = self._canonical_key(ref)
        if key is not None:
            return key
        sheet, coord = ref.rsplit("!", 1)
        m = _COORD_RE.match(coord)
        assert m is not None
        return sheet, int(m.group(2)), col_index(m.group(1))

    def resolve(self, ref: str) -> list[str]:
        """``Sheet!A1``, ``'My sheet'!A1:B2`` or a defined name → canonical cell refs.

        Raises
        ------
        WorkbookError
            Unknown sheet or name, or not a cell reference.
        """
        if self._canonical_key(ref) is not None:
            return [ref]
        text = ref.strip()
        if "!" in text:
            sheet, coord = text.rsplit("!", 1)
            if sheet.startswith("'") and sheet.endswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
            actual = self._sheet_by_upper.get(sheet.upper())
            if actual is None:
                raise WorkbookError(
                    self.path, f"no sheet named {sheet!r} (sheets: {', '.join(self.sheet_names)})",
                    cell=ref)
            parts = coord.replace("$", "").upper().split(":", 1)
            ms = [_COORD_RE.match(p) for p in parts]
            if not all(ms) or any(col_index(m.group(1)) > 16384 or int(m.group(2)) > 1_048_576
                                  for m in ms if m):
                raise WorkbookError(self.path, "not a cell reference (A1 … XFD1048576)",
                                    cell=ref)
            corners = [(int(m.group(2)), col_index(m.group(1))) for m in ms if m]
            (r1, c1), (r2, c2) = corners[0], corners[-1]
            r1, r2 = sorted((r1, r2))
            c1, c2 = sorted((c1, c2))
            if (r2 - r1 + 1) * (c2 - c1 + 1) > self.limits.max_range_cells:
                raise WorkbookError(self.path, "range too large to report", cell=ref)
            return [_ref(actual, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        for (name, local), value in self.data.names.items():
            if name == text.upper() and local is None:
                return self.resolve(value.lstrip("="))
        raise WorkbookError(
            self.path, "neither Sheet!A1 nor a defined name in the workbook", cell=ref)

    def output_cells(self) -> list[str]:
        """Default outputs: cells of defined names starting ``out_``, else formula cells."""
        return self._named_outputs() or list(self.formulas)

    def _named_outputs(self) -> list[str]:
        out: list[str] = []
        for (name, local), value in self.data.names.items():
            if local is None and name.startswith("OUT_"):
                try:
                    out.extend(self.resolve(value))
                except WorkbookError:
                    continue
        return out

    def constant(self, ref: str) -> Value:
        """The stored value of a cell as the file holds it (None when empty)."""
        sheet, r, c = self._key(ref)
        return self.data.sheets[self.sheet_names.index(sheet)].values.get((r, c))

    # calculation -----------------------------------------------------------------------
    def calculate(self, inputs: dict[str, object] | None = None) -> dict[str, Value]:
        """Recalculate with ``inputs`` setting constant cells; every formula cell's value
        (cells an array formula or a spill fills included).

        Raises
        ------
        WorkbookError
            An input names a formula cell or an unknown cell; a circular reference in a
            workbook without iterative calculation.
        """
        from templates.recalc.values import Array, ExcelError

        raw = self._calculated(inputs, reuse=False)
        plain = _PLAIN
        return {_ref(*k): v if type(v) in plain else _public(v, Array, ExcelError)
                for k, v in raw.items()}

    def _calculated(self, inputs: dict[str, object] | None, reuse: bool = True
                    ) -> dict[tuple[str, int, int], Any]:
        """:meth:`calculate`'s values as the engine gives them, by cell key; with
        ``reuse``, the last calculation without inputs if there was one."""
        from templates.recalc.workbook import CircularReference

        if reuse and not inputs and self._raw is not None:
            return self._raw
        book = self._book if not inputs and not self._book_used else self._new_book()
        self._book_used = True
        for ref, value in (inputs or {}).items():
            cells = self.resolve(ref)
            if len(cells) != 1:
                raise WorkbookError(self.path, "an input must name a single cell", cell=ref)
            key = self._key(cells[0])
            if key in book.cells:
                raise WorkbookError(
                    self.path, f"cannot set a value over a formula cell ({cells[0]} holds "
                    f"={book.cells[key].text[:60]}); set the input cells it reads instead",
                    cell=cells[0])
            book.set_input(*key, _cell_value(value))
        try:
            raw = book.calculate()
        except CircularReference as exc:
            raise CircularReferenceError(self.path, exc.cells) from None
        self.iterated = self.iterated or bool(book._cycle_cells)
        self.iteration_first_change = max(self.iteration_first_change, book.first_change)
        if book.not_converged:
            n, change = book.not_converged
            note = (f"iterative calculation did not converge: stopped after {n:,} iterations "
                    f"(the workbook's maximum, at most Excel's 32,767) with cells still "
                    f"moving by {change:g}, above the maximum change "
                    f"{self.checked.calc.iterate_delta:g}")
            if note not in self.checked.notes:
                self.checked.notes.append(note)
        if book.circular_kept:
            cells = sorted(_ref(*k) for k in book._frozen)
            note = (f"circular reference with iterative calculation off ({', '.join(cells[:5])}"
                    f"{' …' if len(cells) > 5 else ''}): {len(book.circular_kept)} cells keep "
                    "their stored values, as Excel leaves them uncalculated")
            if note not in self.checked.notes:
                self.checked.notes.append(note)
        if not inputs:
            self._raw = raw
        return raw

    def values(self, inputs: dict[str, object] | None = None,
               cells: list[str] | None = None) -> dict[str, Value]:
        """Values of ``cells`` (default :meth:`output_cells`) after applying ``inputs``."""
        wanted: list[str] = []
        for ref in cells or []:
            wanted.extend(self.resolve(ref))
        keys: list[tuple[str, int, int]] | None = None
        if not cells:
            wanted = self._named_outputs()
            if not wanted:  # every formula cell: refs made from the keys, not parsed back
                keys = list(self._book.cells)
                wanted = [_ref(*k) for k in keys]
        raw = self._calculated(inputs)
        overridden = {}
        for ref, value in (inputs or {}).items():
            overridden[self.resolve(ref)[0]] = _cell_value(value)
        from templates.recalc.values import Array, ExcelError

        plain = _PLAIN
        out: dict[str, Value] = {}
        for i, ref in enumerate(wanted):
            key = keys[i] if keys is not None else self._key(ref)
            if key in raw:
                v = raw[key]
                out[ref] = v if type(v) in plain else _public(v, Array, ExcelError)
            elif ref in overridden:
                out[ref] = _public(overridden[ref])
            else:
                out[ref] = _public(self.constant(ref))
        return out


class _FormulaTexts(Mapping[str, str]):
    """Cell ref → formula text (``"=A1+1"``), written out when read: the text of a shared
    formula's child is derived from its master's, and the refs themselves from the cell
    keys, which a million cells need not pay for when one cell is wanted."""

    def __init__(self, cells: dict[tuple[str, int, int], Any],
                 key: Callable[[str], tuple[str, int, int]]) -> None:
        self._cells = cells
        self._key = key

    def __getitem__(self, ref: str) -> str:
        try:
            cell = self._cells[self._key(ref)]
        except (ValueError, AssertionError):
            raise KeyError(ref) from None
        return "=" + cell.text

    def __contains__(self, ref: object) -> bool:
        if not isinstance(ref, str) or "!" not in ref:
            return False
        try:
            return self._key(ref) in self._cells
        except AssertionError:
            return False

    def __iter__(self) -> Iterator[str]:
        return (_ref(*k) for k in self._cells)

    def __len__(self) -> int:
        return len(self._cells)


def _cell_value(v: object) -> Any:
    from templates.recalc.values import BY_TEXT

    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        return BY_TEXT.get(v, v)
    return v


#: Value types :func:`_public` returns unchanged (checked by exact type, as it does).
_PLAIN = frozenset({float, str, bool, int, type(None)})


def _public(v: Any, array: Any = None, error: Any = None) -> Value:
    """An engine value as the API returns it: errors as their text (``"#N/A"``).

    ``array`` and ``error`` are :class:`~templates.recalc.values.Array` and ``ExcelError``
    when the caller has them at hand (imported per call otherwise).
    """
    if array is None:
        from templates.recalc.values import Array as array  # noqa: N813
        from templates.recalc.values import ExcelError as error  # noqa: N813

    if type(v) is error:
        return str(v)
    if isinstance(v, array):
        return _public(v.rows[0][0], array, error)
    return v


def recalc(
    path: str | os.PathLike[str],
    inputs: dict[str, object] | None = None,
    cells: list[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Value]:
    """Recalculate a workbook headlessly and return the values of some cells.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook. It is never modified.
    inputs : dict, optional
        REF → value overriding constant cells before recalculation. REF is ``Sheet!A1``
        (sheet names case-insensitive, quoted names allowed) or a single-cell defined name.
    cells : list of str, optional
        REFs to report (ranges and multi-cell names expand to their cells). Default:
        the cells of defined names starting with ``out_``; if none, every formula cell.
    limits : Limits, optional
        Bounds for untrusted files.

    Returns
    -------
    dict[str, float | str | bool | None]
        ``"Sheet!A1"`` (sheet as written in the workbook) → value; Excel errors as
        their strings (``"#DIV/0!"``); empty cells as None.

    Raises
    ------
    WorkbookError
        Unsafe or unreadable file, bad REF, circular reference without iteration.
    """
    return Recalculation(path, limits=limits).values(inputs, cells)
