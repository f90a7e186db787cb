"""Compile a read workbook's formulas into closures and evaluate them, Excel's way.

:class:`Workbook` is the engine's one evaluator. A formula is parsed and compiled once
into a tree of Python closures (:class:`_Formula`) for every cell it is the same for in
relative terms — a range filled down or right, Excel's shared formulas, text repeated
cell by cell — its relative references reading the row and column of the cell being
evaluated; cells are evaluated on demand and memoised, after a dependency pre-pass that
orders them so a long chain does not recurse. Evaluation follows Excel:

* references stay references until a function or operator needs values (ROW, OFFSET,
  INDEX(…):INDEX(…) and SUMIF's ranges see cells, not numbers);
* in a formula that is not an array formula, a multi-cell range given where one value
  belongs is reduced by implicit intersection; array formulas and dynamic arrays
  compute element-wise and fill (spill) their area;
* a cycle is an error unless the workbook enables iteration, which runs as Excel's does
  (at most ``iterateCount`` rounds, capped at 32,767, until no cell moves more than
  ``iterateDelta``);
* what the engine cannot compute (an unknown function, syntax it lacks) degrades per
  cell: the cell keeps the value Excel stored and is reported in :attr:`Workbook.degraded`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import re
import sys
from collections.abc import Callable, Iterator

from templates.recalc import functions as _library  # noqa: F401 - registers the Excel functions
from templates.recalc.parser import (
    MAX_COL,
    MAX_ROW,
    FormulaSyntaxError,
    col_letters,
    function_name,
    parse,
    shift,
)
from templates.recalc.reader import BookData, FormulaCell, area
from templates.recalc.registry import (
    _SCALAR_KINDS,
    FUNCTIONS,
    MISSING,
    Lambda,
    apply_converted,
    arg_kinds,
    call,
    normalise,
    passes_as_is,
)
from templates.recalc.values import (
    BY_TEXT,
    DIV0,
    NA,
    NAME,
    NULL,
    NUM,
    REF,
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
    compare,
    to_number,
    to_text,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CircularReference", "Unsupported", "Workbook"]

_EXCEL_MAX_ITERATIONS = 32_767
_PENDING, _RUNNING, _DONE = 0, 1, 2
_NO_DEPS: list[Any] = []  # shared, never appended to: a cell list is 56 bytes a cell


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a workbook is read, compiled or evaluated.

    They allocate millions of small objects (cells, syntax trees, closures) that all live
    until the end; the collector's repeated full passes over them cost more than the
    work itself (formulas_test.xlsx: compile 1.08 s → 0.67 s). Reference counting still
    frees what dies; collection resumes afterwards.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Unsupported(Exception):  # noqa: N818 - a per-cell outcome, reported, not a crash
    """This formula uses something the engine cannot compute; the reason says what."""


class CircularReference(Exception):  # noqa: N818
    """A formula depends on itself and the workbook does not enable iteration."""

    def __init__(self, cells: list[str]) -> None:
        super().__init__("circular reference between " + ", ".join(cells))
        self.cells = cells




def cell_text(sheet: str, r: int, c: int) -> str:
    """``('Sheet 1', 2, 3)`` → ``"'Sheet 1'!C2"``."""
    s = f"'{sheet.replace(chr(39), chr(39) * 2)}'" if re.search(r"[^A-Za-z0-9_.]", sheet) \
        or re.match(r"^\d", sheet) else sheet
    return f"{s}!{col_letters(c)}{r}"


class Ctx:
    """What a function may ask about the call: the cell, the workbook, the mode.

    A formula compiled once for many cells (see :class:`_Formula`) has one context for
    all of them, made with ``cell=None``: its cell is then the one being evaluated.
    """

    __slots__ = ("_cell", "array_mode", "book")

    def __init__(self, book: Workbook, cell: tuple[str, int, int] | None,
                 array_mode: bool) -> None:
        self.book = book
        self._cell = cell
        self.array_mode = array_mode

    @property
    def cell(self) -> tuple[str, int, int] | None:
        if self._cell is not None:
            return self._cell
        stack = self.book._stack
        return stack[-1].key if stack else None


class _Anchored(Exception):  # noqa: N818 - control flow inside the compiler
    """A formula that cannot be compiled once for many cells (a structured reference
    reads the row of the cell it is in): it is compiled for each cell."""


class _Formula:
    """One compiled formula, shared by every cell whose formula is the same in relative
    terms (a column filled down, Excel's shared formulas, R1C1-equal text).

    ``fn`` reads its relative references from the cell being evaluated (the top of the
    workbook's evaluation stack), so a million filled-down cells hold one closure tree,
    not a million. ``origin`` is the (row, column) the references were written for;
    ``deps`` are the rectangles the formula reads there, each with which of its four
    coordinates move with the cell (see :meth:`at`); ``box`` bounds the offsets from the
    origin at which every reference stays on the sheet.
    """

    __slots__ = ("backward", "box", "cells_rel", "deps", "fixed", "fixed_cells", "fn", "origin",
                 "reason", "rects", "volatile")

    def __init__(self, fn: Callable[[], Any] | None, origin: tuple[int, int],
                 deps: list[tuple], volatile: bool, reason: str = "") -> None:
        self.fn = fn
        self.origin = origin
        self.deps = deps
        self.volatile = volatile
        self.reason = reason
        r0, c0 = origin
        #: the evaluation-order pass's view of ``deps``: one-cell references that move
        #: in both directions as (sheet, row offset, column offset); other moving
        #: references as the rectangles of ``deps``; the fixed ones apart, as the formula
        #: cells they cover are the same from every cell (``fixed_cells``, found once)
        self.cells_rel: list[tuple[str, int, int]] = []
        self.rects: list[tuple] = []
        self.fixed: list[tuple] = []
        self.fixed_cells: list[tuple[str, int, int]] | None = None
        #: Whether every moving reference reads cells before the formula's own in the
        #: workbook's order (sheets in order, rows top down, cells left to right): set by
        #: the evaluation-order pass, which then needs no search from such a cell.
        self.backward: bool | None = None
        lo_r, hi_r, lo_c, hi_c = -MAX_ROW, MAX_ROW, -MAX_COL, MAX_COL
        for d in deps:
            s, r1, c1, r2, c2, mr1, mc1, mr2, mc2, _soft = d
            for v, m in ((r1, mr1), (r2, mr2)):
                if m:
                    lo_r, hi_r = max(lo_r, 1 - v), min(hi_r, MAX_ROW - v)
            for v, m in ((c1, mc1), (c2, mc2)):
                if m:
                    lo_c, hi_c = max(lo_c, 1 - v), min(hi_c, MAX_COL - v)
            if not (mr1 or mc1 or mr2 or mc2):
                self.fixed.append(d)  # names' rectangles (soft) are all fixed
            elif mr1 and mc1 and r1 == r2 and c1 == c2:
                self.cells_rel.append((s, r1 - r0, c1 - c0))
            else:
                self.rects.append(d)
        self.box = (lo_r, hi_r, lo_c, hi_c)

    def fits(self, r: int, c: int) -> bool:
        """Every reference of the formula stays on the sheet in cell (r, c)."""
        lo_r, hi_r, lo_c, hi_c = self.box
        return lo_r <= r - self.origin[0] <= hi_r and lo_c <= c - self.origin[1] <= hi_c

    def at(self, r: int, c: int) -> list[tuple]:
        """``deps`` as read from cell (r, c): (sheet, r1, c1, r2, c2, soft) rectangles."""
        dr, dc = r - self.origin[0], c - self.origin[1]
        return [(s, r1 + dr * mr1, c1 + dc * mc1, r2 + dr * mr2, c2 + dc * mc2, soft)
                for s, r1, c1, r2, c2, mr1, mc1, mr2, mc2, soft in self.deps]


class _Cell:
    __slots__ = ("_moved", "_text", "array_area", "deps", "dynamic", "fn", "formula", "key",
                 "state", "stored", "value")

    def __init__(self, key: tuple[str, int, int], text: str, stored: Any,
                 moved: tuple[int, int] | None = None) -> None:
        self.key = key
        self._text = text
        #: A shared formula's child holds the master's text and its offset from it; the
        #: child's own text is written out only when asked for (FORMULATEXT, messages).
        self._moved = moved
        self.stored = stored
        self.fn: Callable[[], Any] | None = None
        self.state = _PENDING
        self.value: Any = None
        self.array_area: tuple[int, int, int, int] | None = None
        self.dynamic = False
        #: the array an array formula's area shows (its first item), once evaluated
        self.deps: list[Any] = _NO_DEPS
        self.formula: _Formula | None = None

    @property
    def text(self) -> str:
        if self._moved is not None:
            self._text = _shifted_text(self._text, *self._moved)
            self._moved = None
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text, self._moved = value, None


class Workbook:
    """A compiled workbook; see the module docstring."""

    def __init__(self, data: BookData) -> None:
        self.data = data
        self.path = data.path
        self.sheet_names = [s.name for s in data.sheets]
        self._sheet_by_upper = {s.name.upper(): s.name for s in data.sheets}
        self.sheet_data = {s.name: s for s in data.sheets}
        self.values: dict[str, dict[tuple[int, int], Any]] = {
            s.name: s.values for s in data.sheets}
        self.codepage = data.codepage
        self.date1904 = data.date1904
        calc = data.checked.calc
        self.iterate = calc.iterate
        self.max_iterations = min(max(calc.iterate_count, 1), _EXCEL_MAX_ITERATIONS)
        self.max_change = calc.iterate_delta
        self.cells: dict[tuple[str, int, int], _Cell] = {}
        self.spill_owner: dict[tuple[str, int, int], _Cell] = {}
        self.degraded: dict[tuple[str, int, int], str] = {}
        self.volatile: set[tuple[str, int, int]] = set()
        self.inputs: dict[tuple[str, int, int], Any] = {}
        self._own_values: set[str] = set()
        self._names: dict[tuple[str, str | None], Callable[[], Any] | None] = {}
        self._udfs: dict[str, Callable[..., Any]] | None = None
        self._cycle_cells: set[tuple[str, int, int]] = set()
        self._frozen: set[tuple[str, int, int]] = set()
        #: Cells left at their stored values because they are in or read a circular
        #: reference while iteration is off (Excel does not calculate them either).
        self.circular_kept: set[tuple[str, int, int]] = set()
        #: (iterations, last largest change) when iteration stopped without converging.
        self.not_converged: tuple[int, float] | None = None
        #: The largest relative change of an iterated cell in the first round from the
        #: stored values: how far what Excel saved was from a fixed point.
        self.first_change = 0.0
        self._readers: dict[tuple[str, int, int], list[tuple[str, int, int]]] | None = None
        self._by_sheet: dict[str, list[tuple[int, int]]] | None = None
        self._static_loops: set[tuple[str, int, int]] = set()
        self._rects: dict[tuple[str, int, int], list[tuple]] = {}
        self._has_data_tables = False
        self._trees: dict[tuple[str, str], tuple] = {}  # a shared formula's, parsed once
        self._name_rects: dict[tuple[str, str | None], list[tuple]] = {}
        #: closures shared by every cell (see _Compiler.c and _compile_ref)
        self._constants: dict[tuple[str, str], Callable[[], Any]] = {}
        self._absolute_refs: dict[tuple[str, int, int, int, int], Callable[[], Any]] = {}
        self._absolute_reads: dict[tuple[str, int, int, int, int], Callable[[], Any]] = {}
        self._input_readers: dict[tuple[str, int, int], list[tuple[str, int, int]]] = {}
        self._stack: list[_Cell] = []
        #: Rows of ranges holding no formula cell, by (sheet, r1, c1, r2, c2): a lookup
        #: table read by a hundred thousand VLOOKUPs is materialised once. Cleared when a
        #: constant changes (inputs, What-If tables) or a spill claims new cells.
        self._range_memo: dict[tuple[str, int, int, int, int], list[list[Any]]] = {}
        self._array_memo: dict[tuple[str, int, int, int, int], Array] = {}  # same keys
        self._extent: dict[str, tuple[int, int]] = {
            s.name: (s.max_row, s.max_col) for s in data.sheets}
        with gc_paused():
            self._compile_all()

    # -- public ---------------------------------------------------------------------------
    def sheet_of(self, name: str) -> str:
        s = self._sheet_by_upper.get(name.upper())
        if s is None:
            raise XLFail(REF, f"no sheet named {name!r}")
        return s

    def is_formula(self, sheet: str, r: int, c: int) -> bool:
        return (sheet, r, c) in self.cells

    def formula_text(self, sheet: str, r: int, c: int) -> str | None:
        cell = self.cells.get((sheet, r, c))
        return None if cell is None else "=" + cell.text

    def set_input(self, sheet: str, r: int, c: int, value: Any) -> None:
        """Give a constant cell a new value before :meth:`calculate`."""
        if sheet not in self._own_values:  # copy on write: the read data stays as read
            self.values[sheet] = dict(self.values[sheet])
            self._own_values.add(sheet)
        self.inputs[(sheet, r, c)] = value
        self.values[sheet][(r, c)] = value
        self._clear_memo()

    def calculate(self) -> dict[tuple[str, int, int], Any]:
        """Evaluate every formula cell; returns cell key → value (spilled cells included)."""
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 20_000))
        with gc_paused():
            return self._calculate(old)

    def _calculate(self, old: int) -> dict[tuple[str, int, int], Any]:
        try:
            order = self._order()
            if self._static_loops and not self.iterate:
                self._freeze_loops()
            for cell in order:
                if cell.state != _DONE:
                    self._eval(cell)
            if self._cycle_cells:
                self._iterate_cycles()
            if self._frozen:
                self._keep_circular()
        finally:
            sys.setrecursionlimit(old)
        out: dict[tuple[str, int, int], Any] = {}
        for key, cell in self.cells.items():
            out[key] = cell.value
        for key, owner in self.spill_owner.items():
            if key not in out:
                out[key] = self._spilled_value(owner, key)
        return out

    # -- values -----------------------------------------------------------------------
    def cell_value(self, sheet: str, r: int, c: int) -> Any:
        key = (sheet, r, c)
        cell = self.cells.get(key)
        if cell is None:
            owner = self.spill_owner.get(key)
            if owner is not None:
                return self._spilled_value(owner, key)
            return self.values[sheet].get((r, c))
        if cell.state == _DONE:
            return cell.value
        if cell.state == _RUNNING:
            return self._cycle(cell)
        return self._eval(cell)

    def _clear_memo(self) -> None:
        self._range_memo.clear()
        self._array_memo.clear()

    def _memo_key(self, sheet: str, r1: int, c1: int, r2: int, c2: int
                  ) -> tuple[str, int, int, int, int]:
        """The range clipped as it is materialised: empty rows and columns past the used
        range are not, so whole-column references cost what the sheet holds, not a
        million cells."""
        max_r, max_c = self._extent.get(sheet, (0, 0))
        return (sheet, r1, c1, min(r2, max(max_r, r1)) if r2 - r1 > 4096 else r2,
                min(c2, max(max_c, c1)) if c2 - c1 > 256 else c2)

    def range_array(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> Array:
        """The range's values as an :class:`Array`; a range of constants gives the same
        array to every reader (functions do not change their arguments), with its
        columns extracted once (:meth:`Array.column_values`)."""
        mkey = self._memo_key(sheet, r1, c1, r2, c2)
        hit = self._array_memo.get(mkey)
        if hit is not None:
            return hit
        rows = self._rows(mkey)
        memo = self._range_memo.get(mkey)
        if memo is None:
            return Array(rows)
        arr = self._array_memo[mkey] = Array(memo)  # constant: one array for all readers
        arr.columns = {}
        return arr

    def range_rows(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[list[Any]]:
        return self._rows(self._memo_key(sheet, r1, c1, r2, c2))

    def _rows(self, mkey: tuple[str, int, int, int, int]) -> list[list[Any]]:
        """The rows of a range clipped by :meth:`_memo_key`; memoised when constant."""
        sheet, r1, c1, rr2, cc2 = mkey
        hit = self._range_memo.get(mkey)
        if hit is not None:
            return list(hit)  # the rows are shared: no function changes an argument's rows
        vals = self.values[sheet]
        cell_of = self.cells.get
        owners = self.spill_owner
        out = []
        constant = True
        for r in range(r1, rr2 + 1):
            row = []
            append = row.append
            for c in range(c1, cc2 + 1):
                k = (sheet, r, c)
                cell = cell_of(k)
                if cell is not None:
                    constant = False
                    # a computed cell's value as cell_value gives it, without the call
                    append(cell.value if cell.state == _DONE else self.cell_value(sheet, r, c))
                elif k in owners:
                    constant = False
                    append(self.cell_value(sheet, r, c))
                else:
                    append(vals.get((r, c)))
            out.append(row)
        if constant and len(out) * (cc2 - c1 + 1) >= 8:
            self._range_memo[mkey] = out
            return list(out)
        return out

    # -- evaluation ---------------------------------------------------------------------
    def _eval(self, cell: _Cell) -> Any:
        if cell.fn is None:
            cell.state = _DONE
            cell.value = cell.stored
            return cell.value
        cell.state = _RUNNING
        self._stack.append(cell)
        try:
            v = cell.fn()
            if type(v) is not float or cell.array_area is not None or cell.dynamic:
                # A reference the formula returns (=A1) is read here, still on the stack:
                # a loop through it is then seen whole (B1 =A1, A1 =B1*0.5+1 iterates both)
                v = self._cell_result(cell, v)  # a number in a plain cell is as it is
        except RecursionError:
            raise CircularReference([cell_text(*cell.key), "(nesting too deep)"]) from None
        finally:
            self._stack.pop()
        if self._frozen and cell.key in self._frozen:
            v = cell.stored
        cell.value = v
        cell.state = _DONE
        return v

    def _cell_result(self, cell: _Cell, v: Any) -> Any:
        if isinstance(v, Lambda):
            return BY_TEXT["#CALC!"]
        if cell.array_area is not None or cell.dynamic:
            if isinstance(v, Ref):
                v = v.array() if not v.is_cell else v.value()
            elif isinstance(v, MultiRef):
                v = VALUE
            if isinstance(v, Array):
                if cell.dynamic:
                    self._register_spill(cell, v)
                cell.deps = [v]  # the array the area shows
                first = v.rows[0][0] if v.rows and v.rows[0] else None
                return 0.0 if first is None else first
            # A single value fills the whole area of a legacy array formula ({=H2} over
            # J4:K5 shows H2 in all four cells); a dynamic array does not spill it.
            cell.deps = [Array([[0.0 if v is None else v]])] if not cell.dynamic else []
            return 0.0 if v is None else v
        if isinstance(v, Ref):
            ctx = Ctx(self, cell.key, False)
            from templates.recalc.registry import _intersect

            v = _intersect(v, ctx) if not v.is_cell else v.value()
        elif isinstance(v, MultiRef):
            v = VALUE
        if isinstance(v, Array):
            v = v.rows[0][0] if v.rows and v.rows[0] else VALUE
            if isinstance(v, (Array, Ref)):
                v = VALUE
        return 0.0 if v is None else v

    def _register_spill(self, cell: _Cell, arr: Array) -> None:
        sheet, r, c = cell.key
        nr, nc = arr.shape
        for i in range(nr):
            for j in range(nc):
                if i == 0 and j == 0:
                    continue
                k = (sheet, r + i, c + j)
                other = self.cells.get(k)
                if other is not None or (self.values[sheet].get((r + i, c + j)) is not None
                                         and self.spill_owner.get(k) is not cell):
                    cell.deps = []
                    raise_spill = True
                    break
                self.spill_owner[k] = cell
                self._clear_memo()
            else:
                continue
            break
        else:
            raise_spill = False
        if raise_spill:
            cell.array_area = None
        mr, mc = self._extent.get(sheet, (0, 0))
        self._extent[sheet] = (max(mr, r + nr - 1), max(mc, c + nc - 1))

    def _spilled_value(self, owner: _Cell, key: tuple[str, int, int]) -> Any:
        if owner.state != _DONE:
            self.cell_value(*owner.key)
        arr = owner.deps[0] if owner.deps and isinstance(owner.deps[0], Array) else None
        _, r0, c0 = owner.key
        i, j = key[1] - r0, key[2] - c0
        if owner.fn is None or owner.key in self._frozen:
            return self.values[key[0]].get((key[1], key[2]))  # degraded: as Excel stored
        if arr is None:
            return NA if owner.array_area is not None else None
        if owner.dynamic:
            if i < arr.nrows and j < arr.ncols:
                v = arr.rows[i][j]
                return 0.0 if v is None else v
            return None
        v = arr.get(i, j)
        return 0.0 if v is None else v

    def _cycle(self, cell: _Cell) -> Any:
        if not self.iterate:
            i = next((n for n, c in enumerate(self._stack) if c is cell), None)
            # A cell whose formula is a reference to itself is read after its formula
            # returned (references are lazy), when it is no longer on the stack.
            loop = self._stack[i:] if i is not None else [cell]
            if any(c.stored is None for c in loop):
                # Nothing Excel computed to compare with or go on from: refuse.
                order = {s: i for i, s in enumerate(self.sheet_names)}
                keys = sorted({c.key for c in loop}, key=lambda k: (order[k[0]], k[1], k[2]))
                raise CircularReference([cell_text(*k) for k in keys])
            # Excel without iteration does not calculate a loop, nor what reads it: those
            # cells keep the values they hold (and Excel warns). We do the same and report
            # them (see :meth:`_keep_circular`).
            for c in loop:
                self._frozen.add(c.key)
            return cell.stored
        for c in self._stack[next((n for n, c in enumerate(self._stack) if c is cell), 0):]:
            self._cycle_cells.add(c.key)
        # Excel iterates from the values the cells hold: the previous round's, or the
        # value stored in the file on the first round.
        prev = cell.value if cell.value is not None else cell.stored
        return 0.0 if prev is None else prev

    def _freeze_loops(self) -> None:
        """Loops found in the references (Excel's circular-reference check is on the
        formulas' references, not on the branches an IF takes): with iteration off they
        keep the values Excel stored, or the workbook is refused when it stored none."""
        loop = [self.cells[k] for k in self._static_loops]
        if any(c.stored is None for c in loop):
            order = {s: i for i, s in enumerate(self.sheet_names)}
            keys = sorted((c.key for c in loop), key=lambda k: (order[k[0]], k[1], k[2]))
            raise CircularReference([cell_text(*k) for k in keys])
        for c in loop:
            self._frozen.add(c.key)
            c.value = c.stored
            c.state = _DONE

    def _keep_circular(self) -> None:
        """Cells of a loop (iteration off) and every cell reading them keep their stored
        values, as Excel leaves them uncalculated; :attr:`circular_kept` lists them."""
        todo = list(self._frozen)
        kept = set(todo)
        while todo:
            for k in self.readers().get(todo.pop(), ()):
                if k not in kept:
                    kept.add(k)
                    todo.append(k)
        for k in kept:
            cell = self.cells[k]
            if cell.stored is not None:
                cell.value = cell.stored
        self.circular_kept = kept

    def _iterate_cycles(self) -> None:
        keys = [k for k in self._order_keys if k in self._cycle_cells]
        for k in keys:  # the first round went from the stored values to these
            a, b = self.cells[k].stored, self.cells[k].value
            if type(a) is float and type(b) is float and a != b:
                self.first_change = max(self.first_change,
                                        abs(a - b) / max(abs(a), abs(b)))
        for _ in range(self.max_iterations - 1):
            before = {k: self.cells[k].value for k in keys}
            for k in keys:
                self.cells[k].state = _PENDING
            # cells that read the cycle are recomputed too
            for k in keys:
                if self.cells[k].state != _DONE:
                    self._eval(self.cells[k])
            change = 0.0
            for k in keys:
                a, b = before[k], self.cells[k].value
                if type(a) is float and type(b) is float:
                    change = max(change, abs(a - b))
                elif a != b:
                    change = math.inf
            if change <= self.max_change:
                break
        else:
            # Excel stops after the workbook's maximum iterations as well, and leaves the
            # values where they are; we say so instead of passing them off as converged.
            self.not_converged = (self.max_iterations, change)
        self._refresh_readers(set(keys))

    def _refresh_readers(self, cyc: set[tuple[str, int, int]]) -> None:
        # Cells outside the cycle that read it were computed from an early round.
        for k in self._order_keys:
            if k not in cyc:
                cell = self.cells[k]
                cell.state = _PENDING
        for k in self._order_keys:
            if k not in cyc and self.cells[k].state != _DONE:
                self._eval(self.cells[k])

    # -- order ---------------------------------------------------------------------------
    def _precedents(self, cell: _Cell) -> list[tuple[str, int, int]]:
        """The formula cells ``cell``'s references cover (static: what the formula
        says, not the branch an IF takes nor what INDIRECT reads)."""
        f = cell.formula
        if f is None:
            return []
        cells = self.cells
        _, r, c = cell.key
        out = []
        for s, dr, dc in f.cells_rel:
            k = (s, r + dr, c + dc)
            if k in cells:
                out.append(k)
        if f.rects:
            dr, dc = r - f.origin[0], c - f.origin[1]
            for s, r1, c1, r2, c2, mr1, mc1, mr2, mc2, _soft in f.rects:
                self._covered(s, r1 + dr * mr1, c1 + dc * mc1, r2 + dr * mr2, c2 + dc * mc2,
                              out)
        if f.fixed:
            out.extend(self._fixed_cells(f))
        return out

    def _fixed_cells(self, f: _Formula) -> list[tuple[str, int, int]]:
        """The formula cells ``f``'s fixed references cover (the same from every cell)."""
        fixed = f.fixed_cells
        if fixed is None:
            fixed = f.fixed_cells = []
            for s, r1, c1, r2, c2, *_ in f.fixed:
                self._covered(s, r1, c1, r2, c2, fixed)
        return fixed

    def _covered(self, s: str, r1: int, c1: int, r2: int, c2: int,
                 out: list[tuple[str, int, int]]) -> None:
        """Append the formula cells of a rectangle to ``out``."""
        cells = self.cells
        if r1 == r2 and c1 == c2:
            if (s, r1, c1) in cells:
                out.append((s, r1, c1))
        elif (r2 - r1 + 1) * (c2 - c1 + 1) <= 64:
            for rr in range(r1, r2 + 1):
                for cc in range(c1, c2 + 1):
                    if (s, rr, cc) in cells:
                        out.append((s, rr, cc))
        else:
            for (rr, cc) in self._formula_cells_of(s):
                if r1 <= rr <= r2 and c1 <= cc <= c2:
                    out.append((s, rr, cc))

    def _formula_cells_of(self, sheet: str) -> list[tuple[int, int]]:
        """(row, column) of every formula cell on ``sheet``: built when a large range
        is first met, as most workbooks' ranges are small."""
        by_sheet = self._by_sheet
        if by_sheet is None:
            by_sheet = self._by_sheet = {}
            for (s, r, c) in self.cells:
                by_sheet.setdefault(s, []).append((r, c))
        return by_sheet.get(sheet, [])

    def readers(self) -> dict[tuple[str, int, int], list[tuple[str, int, int]]]:
        """Formula cell → the formula cells whose references cover it (built on first
        use: only loops, What-If tables and the agreement report need it)."""
        if self._readers is None:
            readers: dict[tuple[str, int, int], list[tuple[str, int, int]]] = {}
            for key, cell in self.cells.items():
                for p in self._precedents(cell):
                    readers.setdefault(p, []).append(key)
            self._readers = readers
        return self._readers

    def _order(self) -> list[_Cell]:
        """Formula cells so that (static) precedents come first: an iterative DFS."""
        cells = self.cells
        seen: set[tuple[str, int, int]] = set()
        order: list[tuple[str, int, int]] = []
        loops: set[tuple[str, int, int]] = set()
        self._static_loops = loops
        precedents = self._precedents

        def hard(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
            """b's formula refers to cell a directly (not only through a name)."""
            s, r, c = a
            f = cells[b].formula
            return f is not None and any(
                not soft and d == s and r1 <= r <= r2 and c1 <= c <= c2
                for d, r1, c1, r2, c2, soft in f.at(*b[1:]))

        pos = {name: i for i, name in enumerate(self.sheet_names)}
        for key, cell in cells.items():
            if key in seen:
                continue
            f = cell.formula
            if f is not None:
                back = f.backward
                if back is None:
                    back = f.backward = _reads_backward(f, pos, pos[key[0]])
                if back and (not f.fixed or all(p in seen for p in self._fixed_cells(f))):
                    # Everything it reads comes before it in this loop, so is ordered
                    # already; no cell before it reads it (that would have ordered it):
                    # no loop runs through it either.
                    seen.add(key)
                    order.append(key)
                    continue
            first = precedents(cell)
            if not first or (key not in first and all(p in seen for p in first)):
                # reads no formula cell, or only cells already ordered (a sheet read in
                # row order mostly reads up and left): nothing to order before it
                seen.add(key)
                order.append(key)
                continue
            stack = [(key, iter(first))]
            on_stack = {key: 0}
            seen.add(key)
            while stack:
                k, it = stack[-1]
                for p in it:
                    if p not in seen:
                        seen.add(p)
                        on_stack[p] = len(stack)
                        stack.append((p, iter(precedents(cells[p]))))
                        break
                    if p in on_stack:  # a loop of references, as Excel detects them
                        path = [x for x, _ in stack[on_stack[p]:]] + [p]
                        if all(hard(a, b) for a, b in zip(path[1:], path[:-1], strict=True)):
                            loops.update(path)
                else:
                    stack.pop()
                    del on_stack[k]
                    order.append(k)
        self._order_keys = order
        if self._has_data_tables and not self._rects:  # what a What-If input reaches
            self._rects = {k: [d[:5] for d in c.formula.at(*k[1:])]
                           for k, c in cells.items() if c.formula is not None}
        return [cells[k] for k in order]

    # -- compile -------------------------------------------------------------------------
    def _compile_all(self) -> None:
        shared: dict[tuple[str, str], tuple[int, int, str]] = {}
        #: a shared group's key among the formulas: the R1C1 form of its master's text
        #: when it has one, so the groups Excel saves per column share one formula too
        group_key: dict[tuple[str, str], tuple[str, ...]] = {}
        for sd in self.data.sheets:
            for (r, c), fc in sd.formulas.items():
                if fc.kind == "shared" and fc.text:
                    si = fc.shared_index or ""
                    shared[(sd.name, si)] = (r, c, fc.text)
                    form = _RelativeForm.of(fc.text, r, c)
                    group_key[(sd.name, si)] = (sd.name, form.key) if form is not None \
                        else ("\0", sd.name, si)
        # (sheet, key) → the formula compiled once for every cell it is the same for, in
        # relative terms: Excel's shared-formula groups by index, other cells by the R1C1
        # form of their text (files written by other tools repeat formulas cell by cell)
        formulas: dict[tuple[str, ...], _Formula | None] = {}
        for sd in self.data.sheets:
            sheet = sd.name
            values = sd.values
            above: dict[int, _RelativeForm] = {}  # by column: the last form in it
            left: dict[int, _RelativeForm] = {}  # by row
            for (r, c), fc in sd.formulas.items():
                key = (sheet, r, c)
                kind = fc.kind
                text = fc.text
                moved = None
                form = None
                if kind == "dataTable" and fc.ref:
                    self._data_table(key, fc, values.get((r, c)))
                    continue
                if kind == "shared":
                    master = shared.get((sheet, fc.shared_index or ""))
                    if master is None:
                        continue
                    mr, mc, mtext = master
                    if not text:
                        text = mtext
                        moved = (r - mr, c - mc) if r != mr or c != mc else None
                    fkey: tuple[str, ...] | None = group_key[(sheet, fc.shared_index or "")]
                    origin = (mr, mc)
                elif kind == "array":
                    fkey = None  # compiled for its cell: it claims an area
                    origin = (r, c)
                else:
                    if not text:
                        continue
                    # the cell above or to the left usually holds the same formula
                    form = above.get(c)
                    if form is None or form.text_at(r, c) != text:
                        form = left.get(r)
                        if form is None or form.text_at(r, c) != text:
                            form = _RelativeForm.of(text, r, c)
                    if form is not None:
                        above[c] = left[r] = form
                        f = form.compiled
                        if f:  # compiled for a cell of this form before
                            self._attach(_Cell(key, text, values.get((r, c))), f)
                            continue
                        fkey = (sheet, form.key)
                    else:
                        fkey = None
                    origin = (r, c)
                if not text:
                    continue
                cell = _Cell(key, text, values.get((r, c)), moved)
                f = formulas.get(fkey) if fkey is not None else None
                if f is None and (fkey is None or fkey not in formulas):
                    f = self._compile_formula(key, text, origin, fc, moved,
                                              anchored=fkey is not None)
                    if fkey is not None:
                        formulas[fkey] = f  # None: compiled cell by cell
                if form is not None and kind == "normal" and fkey is not None:
                    form.compiled = formulas[fkey] or False  # the anchored one, shared
                if f is None or (moved is not None and not f.fits(r, c)):
                    f = self._compile_formula(key, text, origin, fc, moved, anchored=False)
                if kind == "array" and fc.ref:
                    cell.array_area = area(fc.ref)
                    cell.dynamic = fc.dynamic
                    self._claim_area(cell)
                self._attach(cell, f)

    def _attach(self, cell: _Cell, f: _Formula) -> None:
        """Make ``f`` the compiled formula of ``cell``, a formula cell of the workbook."""
        key = cell.key
        self.cells[key] = cell
        cell.formula = f
        cell.fn = f.fn
        if f.reason:
            self.degraded[key] = f.reason
        if f.volatile:
            self.volatile.add(key)

    def _compile_formula(self, key: tuple[str, int, int], text: str, origin: tuple[int, int],
                         fc: FormulaCell, moved: tuple[int, int] | None,
                         anchored: bool) -> _Formula | None:
        """Compile ``text`` (written for ``origin``) for cell ``key``, or with
        ``anchored`` once for every cell it is the same for in relative terms (None when
        this formula cannot be: see :class:`_Anchored`)."""
        sheet, r, c = key
        tkey = (sheet, fc.shared_index or "") if fc.kind == "shared" else None
        try:
            tree = self._trees.get(tkey) if tkey is not None else None
            if tree is None:
                tree = parse(text)
                if tkey is not None:
                    self._trees[tkey] = tree
            if anchored:
                comp = _Compiler(self, (sheet, *origin), False, anchored=True)
            else:
                dr, dc = (r - origin[0], c - origin[1]) if moved else (0, 0)
                comp = _Compiler(self, key, fc.kind == "array", moved=(dr, dc))
            fn = comp.compile(tree)
        except _Anchored:
            return None
        except (FormulaSyntaxError, Unsupported) as exc:
            return _Formula(None, origin if anchored else (r, c), [], False, str(exc))
        return _Formula(fn, origin if anchored else (r, c), comp.deps, comp.volatile)

    # -- What-If data tables -----------------------------------------------------------
    def _data_table(self, key: tuple[str, int, int], fc: FormulaCell, stored: Any) -> None:
        """``{=TABLE(row_input, column_input)}`` over ``fc.ref`` (ECMA-376 §18.3.1.40:
        ``dt2D`` two inputs, ``dtr`` a one-input table whose input values run along a row,
        ``r1``/``r2`` the input cells). Each cell of the area is the table's formula
        recomputed with the input cell(s) set to that row's and column's values, as Excel's
        Data > What-If Analysis > Data Table computes it."""
        self._has_data_tables = True
        sheet = key[0]
        r1, c1, r2, c2 = area(fc.ref or "")
        a = fc.attrs
        two = a.get("dt2D") in ("1", "true")
        along_row = a.get("dtr") in ("1", "true")
        from templates.recalc.reader import cell_rc

        def input_cell(name: str) -> tuple[str, int, int] | None:
            ref = a.get(name)
            if not ref or a.get("del" + name[-1]) in ("1", "true"):
                return None
            rr, cc = cell_rc(ref.split("!")[-1].replace("$", ""))
            return (sheet, rr, cc)

        in1, in2 = input_cell("r1"), input_cell("r2")
        text = f"TABLE({a.get('r1', '') if (two or along_row) else ''},"\
               f"{a.get('r2', '') if two else (a.get('r1', '') if not along_row else '')})"
        cell = _Cell(key, text, stored)
        cell.array_area = (r1, c1, r2, c2)
        self.cells[key] = cell
        self._claim_area(cell)

        def compute() -> Any:
            rows = []
            for r in range(r1, r2 + 1):
                row = []
                for c in range(c1, c2 + 1):
                    if two:
                        target = (sheet, r1 - 1, c1 - 1)
                        sets = [(in1, self.cell_value(sheet, r1 - 1, c)),
                                (in2, self.cell_value(sheet, r, c1 - 1))]
                    elif along_row:
                        target = (sheet, r, c1 - 1)
                        sets = [(in1, self.cell_value(sheet, r1 - 1, c))]
                    else:
                        target = (sheet, r1 - 1, c)
                        sets = [(in1 or in2, self.cell_value(sheet, r, c1 - 1))]
                    row.append(self._what_if(target, [(k, v) for k, v in sets if k]))
                rows.append(row)
            return Array(rows)

        cell.fn = compute
        # The table reads its formula and input cells; their precedents order first.
        cell.formula = _Formula(compute, key[1:], [
            (sheet, r1 - 1, c1 - 1, r1 - 1, c2, 0, 0, 0, 0, False),
            (sheet, r1, c1 - 1, r2, c1 - 1, 0, 0, 0, 0, False)], False)

    def _what_if(self, target: tuple[str, int, int],
                 sets: list[tuple[tuple[str, int, int], Any]]) -> Any:
        """``target``'s value with input cells set, everything else as computed."""
        affected: set[tuple[str, int, int]] = set()
        todo = []
        for (s, r, c), _ in sets:
            todo.append((s, r, c))
            # formula cells whose references cover the input cell (a constant input has
            # no entry in the formula-to-formula reader map)
            hit = self._input_readers.get((s, r, c))
            if hit is None:
                hit = [k for k, rects in self._rects.items()
                       if any(d[0] == s and d[1] <= r <= d[3] and d[2] <= c <= d[4]
                              for d in rects)]
                self._input_readers[(s, r, c)] = hit
            todo.extend(hit)
            affected.update(hit)
        while todo:
            for k in self.readers().get(todo.pop(), ()):
                if k not in affected:
                    affected.add(k)
                    todo.append(k)
        affected.add(target)
        saved_cells = {}
        for k in affected:
            c = self.cells.get(k)
            if c is not None and c.state != _RUNNING:
                saved_cells[k] = (c.state, c.value, c.deps)
                c.state = _PENDING
        for k, _ in sets:
            affected.discard(k)  # an input that is a formula takes the table's value
        saved_vals = []
        self._clear_memo()
        for k, v in sets:
            ic = self.cells.get(k)
            if ic is not None:
                saved_cells.setdefault(k, (ic.state, ic.value, ic.deps))
                ic.state, ic.value = _DONE, v
        for (s, r, c), v in sets:
            if s not in self._own_values:
                self.values[s] = dict(self.values[s])
                self._own_values.add(s)
            saved_vals.append(((s, r, c), self.values[s].get((r, c))))
            self.values[s][(r, c)] = v
        try:
            v = self.cell_value(*target) if target in self.cells else \
                self.values[target[0]].get((target[1], target[2]))
        finally:
            for (s, r, c), old in saved_vals:
                if old is None:
                    self.values[s].pop((r, c), None)
                else:
                    self.values[s][(r, c)] = old
            self._clear_memo()
            for k, (st, val, deps) in saved_cells.items():
                cc = self.cells[k]
                cc.state, cc.value, cc.deps = st, val, deps
        return 0.0 if v is None else v

    def _claim_area(self, cell: _Cell) -> None:
        assert cell.array_area is not None
        r1, c1, r2, c2 = cell.array_area
        sheet = cell.key[0]
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (cell.key[1], cell.key[2]):
                    self.spill_owner[(sheet, r, c)] = cell

    # -- names ---------------------------------------------------------------------------
    def name_fn(self, name: str, sheet: str | None) -> Callable[[], Any] | None:
        """The compiled value of a defined name as seen from ``sheet`` (local names
        first), or None when the workbook has no such name."""
        u = name.upper()
        idx = self.sheet_names.index(sheet) if sheet in self.sheet_names else None
        for scope in ((u, idx), (u, None)):
            if scope in self.data.names:
                ck = (u, sheet if scope[1] is not None else None)
                if ck not in self._names:
                    self._names[ck] = None  # a name defined through itself
                    text = self.data.names[scope]
                    base = sheet if sheet is not None else (self.sheet_names[0]
                                                            if self.sheet_names else "")
                    try:
                        tree = parse(text)
                    except FormulaSyntaxError as exc:
                        raise Unsupported(f"defined name {name}: {exc}") from None
                    comp = _Compiler(self, (base, 1, 1), True, name_sheet=None)
                    self._names[ck] = comp.compile(tree)
                return self._names[ck] or (lambda: REF)
        return None

    def name_rects(self, name: str, sheet: str | None) -> list[tuple]:
        """The rectangles a defined name's formula refers to (static), for dependencies."""
        key = (name.upper(), sheet)
        hit = self._name_rects.get(key)
        if hit is None:  # a model reads each name from hundreds of cells: parse it once
            hit = self._name_rects[key] = self._find_name_rects(name, sheet)
        return hit

    def _find_name_rects(self, name: str, sheet: str | None) -> list[tuple]:
        u = name.upper()
        idx = self.sheet_names.index(sheet) if sheet in self.sheet_names else None
        text = self.data.names.get((u, idx), self.data.names.get((u, None)))
        if text is None:
            return []
        try:
            tree = parse(text)
        except FormulaSyntaxError:
            return []
        out: list[tuple] = []
        stack = [tree]
        while stack:
            node = stack.pop()
            if not isinstance(node, tuple) or not node:
                continue
            if node[0] == "ref":
                s = node[1] if node[1] is not None else sheet
                actual = self._sheet_by_upper.get((s or "").upper())
                if actual is not None:
                    out.append((actual, *node[2:6]))
            else:
                stack.extend(x for x in node[1:] if isinstance(x, tuple))
        return out

    def udf(self, name: str) -> Callable[..., Any] | None:
        """Our add-in functions (LLM_API_COST …) under their names and Excel's prefixes."""
        from templates.recalc.functions._index import ADDIN_NAMES

        if name.upper() not in ADDIN_NAMES:
            return None  # not ours: the add-in (numpy, the price catalog) is not loaded
        if self._udfs is None:
            self._udfs = addin_functions()
        fn = self._udfs.get(name.upper())
        if fn is None:
            return None

        def wrapped(*args: Any) -> Any:
            try:
                return _from_udf(fn(*(_to_udf(a) for a in args)))
            except XLFail as exc:
                return exc.error
            except Exception:
                return VALUE

        return wrapped


def addin_functions() -> dict[str, Callable[..., Any]]:
    """The add-in catalog's functions (``udfs``) by upper-case name, called with cell
    values (a range as a 2-D numpy object array) and returning catalog results."""
    import udfs.functions  # noqa: F401 - defining them is what fills the catalog
    from udfs.catalog import FUNCTIONS as CATALOG
    from udfs.catalog import call as udf_call

    def bind(n: str) -> Callable[..., Any]:
        return lambda *a: udf_call(n, *a)

    return {n.upper(): bind(n) for n in CATALOG}


_REL_CELL = re.compile(r"(?<![A-Za-z_\d.$])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![\w(!.])")
# Brackets (structured or external references) and whole-column or whole-row ranges: a
# colon followed by letters that are not a cell's column, or by digits alone. Written to
# start at "[" or ":" so the regex engine skips ahead (a lookbehind at every position was
# a third of a long model's compile time).
_REL_UNSAFE = re.compile(r"\[|:\$?(?:[A-Za-z]{1,3}(?![\w($])|\d+(?![\w.]))")
_STRING_LITERAL = re.compile(r'("(?:[^"]|"")*")')
_COL_INDEX: dict[str, int] = {}


def _reads_backward(f: _Formula, pos: dict[str, int], here: int) -> bool:
    """Whether each moving reference of ``f`` (a formula on the sheet at position
    ``here``) reads only cells that come before the formula's own cell: on an earlier
    sheet, in rows above, or to the left in its own row. Ranges must move whole."""
    r0, c0 = f.origin
    for s, dr, dc in f.cells_rel:
        p = pos.get(s, here + 1)
        if p > here or (p == here and (dr > 0 or (dr == 0 and dc >= 0))):
            return False
    for s, r1, _c1, r2, c2, mr1, mc1, mr2, mc2, _soft in f.rects:
        p = pos.get(s, here + 1)
        if p < here:
            continue
        if p > here or not (mr1 and mc1 and mr2 and mc2):
            return False
        if not (r2 < r0 or (r1 == r2 == r0 and c2 < c0)):
            return False
    return True


def _as_array(fr: Callable[[], Any]) -> Callable[[], Any]:
    """A reference argument of an ``array`` parameter, read as its array of values."""
    def array() -> Any:
        v = fr()
        return v.array() if type(v) is Ref else v
    return array


_LETTERS: dict[int, str] = {}


class _RelativeForm:
    """A formula's text as it reads in any cell, from the R1C1 analysis of one cell: a
    format string with a slot for each relative row and column. The next cell of a range
    filled down or right is then recognised by formatting and comparing one string, not
    by a regular-expression pass over its text (most of compiling a long model).

    Examples
    --------
    >>> form = _RelativeForm.of("B1*$C$1+B$1", 2, 1)
    >>> form.text_at(7, 2)
    'C6*$C$1+C$1'
    >>> _RelativeForm.of("C6*$C$1+C$1", 7, 2).key == form.key
    True
    """

    __slots__ = ("_by_col", "compiled", "key", "low_c", "low_r", "parts", "rows")

    def __init__(self, key: str, parts: list[tuple[int, Any]]) -> None:
        self.key = key
        #: the text in order: (0, literal text), (1, column offset), (2, row offset)
        self.parts = parts
        self.rows = [o for kind, o in parts if kind == 2]
        # rows and columns a cell needs for every slot to stay on the sheet
        self.low_r = max([1 - o for o in self.rows], default=1)
        self.low_c = max([1 - o for kind, o in parts if kind == 1], default=1)
        #: column → the text with that column's letters in and a slot per row offset
        self._by_col: dict[int, str] = {}
        #: the compiled formula of the cells of this form on its sheet (set by the
        #: workbook; False when it compiles cell by cell)
        self.compiled: _Formula | bool | None = None

    @classmethod
    def of(cls, text: str, r: int, c: int) -> _RelativeForm | None:
        """The form of ``text`` written in (r, c): its ``key`` is the text with each
        relative cell reference written as an offset from (r, c). None when the text
        holds what this rewriting cannot follow (brackets, whole-column or whole-row
        ranges): then the formula is compiled for its cell alone.

        Sheet names and defined names that look like cells must be quoted or are refused
        by Excel, so every unquoted ``A1``-shaped word outside a string is a reference.

        Examples
        --------
        >>> _RelativeForm.of("A1+$B$2", 2, 1).key == _RelativeForm.of("A2+$B$2", 3, 1).key
        True
        >>> _RelativeForm.of("SUM(A:A)", 1, 2) is None
        True
        """
        from templates.recalc.parser import col_index

        strings = _STRING_LITERAL.split(text) if '"' in text else (text,)
        out = []
        parts: list[tuple[int, Any]] = []
        for i, part in enumerate(strings):
            if i % 2:
                out.append(part)
                parts.append((0, part))
                continue
            if _REL_UNSAFE.search(part):
                return None
            # split: [text, $col?, letters, $row?, digits, text, ...]
            pieces = _REL_CELL.split(part)
            for j in range(0, len(pieces), 5):
                parts.append((0, pieces[j]))
                if j + 4 >= len(pieces):
                    break
                abs_col, col, abs_row, row = pieces[j + 1:j + 5]
                ci = _COL_INDEX.get(col)
                if ci is None:
                    ci = _COL_INDEX[col] = col_index(col)
                parts.append((0, "$" + col) if abs_col else (1, ci - c))
                parts.append((0, "$" + row) if abs_row else (2, int(row) - r))
                pieces[j + 1] = f"C{ci}" if abs_col else f"C[{ci - c}]"
                pieces[j + 2] = f"R{row}" if abs_row else f"R[{int(row) - r}]"
                pieces[j + 3] = pieces[j + 4] = ""
            out.append("".join(pieces))
        return cls("".join(out), parts)

    def text_at(self, r: int, c: int) -> str | None:
        """The text this formula has in cell (r, c) (column letters in upper case), or
        None where a reference would fall off the sheet."""
        if r < self.low_r or c < self.low_c:
            return None
        partial = self._by_col.get(c)
        if partial is None:
            partial = self._by_col[c] = self._in_column(c)
        rows = self.rows
        if not rows:
            return partial
        return partial.format(*[r + o for o in rows])

    def _in_column(self, c: int) -> str:
        """The text with column ``c``'s letters filled in: a format string with one
        slot per relative row when there are any (literal braces doubled), else text."""
        letters = _LETTERS
        slots = bool(self.rows)
        out = []
        for kind, v in self.parts:
            if kind == 0:
                out.append(v.replace("{", "{{").replace("}", "}}") if slots else v)
            elif kind == 1:
                n = c + v
                x = letters.get(n)
                if x is None:
                    x = letters[n] = col_letters(n)
                out.append(x)
            else:
                out.append("{}")
        return "".join(out)


def _shifted_text(text: str, dr: int, dc: int) -> str:
    """The formula text of a shared-formula child (for FORMULATEXT and messages)."""
    from templates.recalc.parser import _CELL_RE

    def move(m: re.Match[str]) -> str:
        ac, col, ar, row = m.group(1), m.group(2), m.group(3), m.group(4)
        from templates.recalc.parser import col_index

        c = col_index(col) + (0 if ac else dc)
        r = int(row) + (0 if ar else dr)
        if c < 1 or r < 1:
            return "#REF!"
        return f"{ac}{col_letters(c)}{ar}{r}"

    out = []
    for i, part in enumerate(re.split(r'("(?:[^"]|"")*")', text)):
        if i % 2:
            out.append(part)
        else:
            out.append(re.sub(r"(?<![A-Za-z_\d.])" + _CELL_RE.pattern + r"(?![\w(])", move,
                              part))
    return "".join(out)


def _to_udf(v: Any) -> Any:
    if isinstance(v, Ref):
        v = v.array() if not v.is_cell else v.value()
    if isinstance(v, Array):
        import numpy as np

        out = np.empty(v.shape, dtype=object)
        for i, row in enumerate(v.rows):
            for j, x in enumerate(row):
                out[i, j] = x
        return out
    if v is MISSING:
        return None
    return v


def _from_udf(v: Any) -> Any:
    from udfs.excel_errors import ExcelError as UdfError

    if isinstance(v, UdfError):
        return BY_TEXT.get(str(v), VALUE)
    return normalise(v)


# --- operators --------------------------------------------------------------------------

def _deref(v: Any, ctx: Ctx) -> Any:
    if isinstance(v, Ref):
        if v.is_cell:
            return v.value()
        if ctx.array_mode:
            return v.array()
        from templates.recalc.registry import _intersect

        return _intersect(v, ctx)
    if isinstance(v, MultiRef):
        return VALUE
    if isinstance(v, Lambda):
        return BY_TEXT["#CALC!"]
    return v


def _slow_arith(op: str, x: Any, y: Any, ctx: Ctx) -> Any:
    """``x op y`` for anything but two numbers (references, text, arrays, errors)."""
    x = _deref(x, ctx)
    y = _deref(y, ctx)
    if type(x) is float and type(y) is float and op != "^":
        return _float_arith(op, x, y)
    return _broadcast(lambda p, q: _arith(op, p, q), x, y)


# The closures of +, - and * with their two-number case inline: most formula cells of a
# long model are such operations, evaluated once each, so a call saved matters; each
# closure holds only its operands and context (memory is per cell too).
def _arith_closure(op: str, fa: Callable[[], Any], fb: Callable[[], Any],
                   ctx: Ctx) -> Callable[[], Any]:
    if op == "+":
        def add() -> Any:
            x, y = fa(), fb()
            if type(x) is float and type(y) is float:
                r = x + y
                if r != 0 and abs(r) < 1e-13 * max(abs(x), abs(y)):
                    return _snap(x, -y, r)
                return r
            return _slow_arith("+", x, y, ctx)
        return add
    if op == "-":
        def sub() -> Any:
            x, y = fa(), fb()
            if type(x) is float and type(y) is float:
                r = x - y
                if r != 0 and abs(r) < 1e-13 * max(abs(x), abs(y)):
                    return _snap(x, y, r)
                return r
            return _slow_arith("-", x, y, ctx)
        return sub

    def mul() -> Any:
        x, y = fa(), fb()
        if type(x) is float and type(y) is float:
            r = x * y
            return r if math.isfinite(r) else NUM
        return _slow_arith("*", x, y, ctx)
    return mul


def _arith_const(op: str, fa: Callable[[], Any], y: float, ctx: Ctx) -> Callable[[], Any]:
    """``fa() op y`` for a number written in the formula (``A1+1``, ``B2*1.5``)."""
    if op == "+":
        def add() -> Any:
            x = fa()
            if type(x) is float:
                r = x + y
                if r != 0 and abs(r) < 1e-13 * max(abs(x), abs(y)):
                    return _snap(x, -y, r)
                return r
            return _slow_arith("+", x, y, ctx)
        return add
    if op == "-":
        def sub() -> Any:
            x = fa()
            if type(x) is float:
                r = x - y
                if r != 0 and abs(r) < 1e-13 * max(abs(x), abs(y)):
                    return _snap(x, y, r)
                return r
            return _slow_arith("-", x, y, ctx)
        return sub

    def mul() -> Any:
        x = fa()
        if type(x) is float:
            r = x * y
            return r if math.isfinite(r) else NUM
        return _slow_arith("*", x, y, ctx)
    return mul


def _float_arith(op: str, x: float, y: float) -> Any:
    """``x op y`` for two numbers, as Excel: sums that cancel to a few ulps are 0,
    overflow is #NUM!, division by zero #DIV/0!."""
    if op == "+":
        r = x + y
        return _snap(x, -y, r) if r != 0 and abs(r) < 1e-13 * max(abs(x), abs(y)) else r
    if op == "-":
        r = x - y
        return _snap(x, y, r) if r != 0 and abs(r) < 1e-13 * max(abs(x), abs(y)) else r
    if op == "*":
        r = x * y
        return r if math.isfinite(r) else NUM
    if y == 0:
        return DIV0
    r = x / y
    return r if math.isfinite(r) else NUM


def _arith(op: str, a: Any, b: Any) -> Any:
    if type(a) is ExcelError:
        return a
    if type(b) is ExcelError:
        return b
    try:
        x = to_number(a)
        y = to_number(b)
    except XLFail as exc:
        return exc.error
    if op == "+":
        r = x + y
    elif op == "-":
        r = x - y
    elif op == "*":
        r = x * y
    elif op == "/":
        if y == 0:
            return DIV0
        r = x / y
    else:
        if x == 0 and y == 0:
            return NUM
        if x == 0 and y < 0:
            return DIV0
        try:
            r = x ** y
        except OverflowError:
            return NUM
        except ZeroDivisionError:
            return DIV0
        if isinstance(r, complex):
            return NUM
    if op in "+-" and r != 0 and abs(r) < 1e-13 * max(abs(x), abs(y)):
        r = _snap(x, y if op == "-" else -y, r)
    if not math.isfinite(r):
        return NUM
    return r


def _snap(x: float, y: float, r: float) -> float:
    """Excel's result of ``x - y`` (``r`` as computed): 0 when it is below 8 units in the
    last place of the larger operand (``2**(e-50)`` for ``max(|x|,|y|) = m·2**e``,
    ``0.5 <= m < 1``), else ``r``.

    Excel zeroes a difference that is only binary noise, so a balance check
    ``=Assets-Liabilities-Equity`` shows 0. The bound is read off an Excel-saved SaaS model:
    differences of 2, 3 and 6 ulps were stored as 0, of 10 and 12 ulps as computed."""
    big = max(abs(x), abs(y))
    return 0.0 if abs(r) < math.ldexp(1.0, math.frexp(big)[1] - 50) else r


def _same_at_excel_precision(a: float, b: float) -> bool:
    """Two numbers Excel's comparison calls equal (the same bound as :func:`_snap`)."""
    return abs(a - b) < math.ldexp(1.0, math.frexp(max(abs(a), abs(b)))[1] - 50)


def _concat(a: Any, b: Any) -> Any:
    if type(a) is ExcelError:
        return a
    if type(b) is ExcelError:
        return b
    return to_text(a) + to_text(b)


_CMP = {"=": lambda c: c == 0, "<>": lambda c: c != 0, "<": lambda c: c < 0,
        ">": lambda c: c > 0, "<=": lambda c: c <= 0, ">=": lambda c: c >= 0}


def _comparison(op: str, a: Any, b: Any) -> Any:
    if type(a) is ExcelError:
        return a
    if type(b) is ExcelError:
        return b
    if type(a) is float and type(b) is float and a != b and _same_at_excel_precision(a, b):
        return _CMP[op](0)  # 5723.7300000000005 = 5723.73 is TRUE in Excel
    return _CMP[op](compare(a, b))


def _broadcast(fn: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    if isinstance(a, Array) or isinstance(b, Array):
        aa = a if isinstance(a, Array) else Array([[a]])
        bb = b if isinstance(b, Array) else Array([[b]])
        nr = max(aa.nrows, bb.nrows)
        nc = max(aa.ncols, bb.ncols)
        return Array([[fn(aa.get(r, c), bb.get(r, c)) for c in range(nc)] for r in range(nr)])
    return fn(a, b)


def _unary(fn: Callable[[Any], Any], a: Any) -> Any:
    if isinstance(a, Array):
        return a.map(fn)
    return fn(a)


def _neg(a: Any) -> Any:
    if type(a) is ExcelError:
        return a
    try:
        return -to_number(a)
    except XLFail as exc:
        return exc.error


def _pct(a: Any) -> Any:
    if type(a) is ExcelError:
        return a
    try:
        return to_number(a) / 100.0
    except XLFail as exc:
        return exc.error


def _range_op(a: Any, b: Any) -> Any:
    if isinstance(a, ExcelError):
        return a
    if isinstance(b, ExcelError):
        return b
    if not isinstance(a, Ref) or not isinstance(b, Ref):
        return VALUE
    if a.sheet != b.sheet:
        return VALUE
    return Ref(a.book, a.sheet, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2),
               max(a.c2, b.c2))


def _intersection(a: Any, b: Any) -> Any:
    if isinstance(a, ExcelError):
        return a
    if isinstance(b, ExcelError):
        return b
    areas_a = a.areas if isinstance(a, MultiRef) else [a]
    areas_b = b.areas if isinstance(b, MultiRef) else [b]
    out = []
    for x in areas_a:
        for y in areas_b:
            if not isinstance(x, Ref) or not isinstance(y, Ref):
                return VALUE
            if x.sheet != y.sheet:
                continue
            r1, c1 = max(x.r1, y.r1), max(x.c1, y.c1)
            r2, c2 = min(x.r2, y.r2), min(x.c2, y.c2)
            if r1 <= r2 and c1 <= c2:
                out.append(Ref(x.book, x.sheet, r1, c1, r2, c2))
    if not out:
        return NULL
    return out[0] if len(out) == 1 else MultiRef(out)


def _union(a: Any, b: Any) -> Any:
    if isinstance(a, ExcelError):
        return a
    if isinstance(b, ExcelError):
        return b
    areas = []
    for x in (a, b):
        if isinstance(x, MultiRef):
            areas.extend(x.areas)
        elif isinstance(x, Ref):
            areas.append(x)
        else:
            return VALUE
    return MultiRef(areas)


_TABLE_RE = re.compile(r"^(?P<table>[^\[]*)\[(?P<spec>.*)\]$", re.S)


class _Compiler:
    """Syntax tree → closure, for one formula cell (or one defined name)."""

    def __init__(self, book: Workbook, cell: tuple[str, int, int], array_mode: bool,
                 name_sheet: str | None = None, moved: tuple[int, int] = (0, 0),
                 anchored: bool = False) -> None:
        self.book = book
        #: (rows, columns) the tree's relative references move by: a tree parsed for
        #: one cell compiles for another without being rebuilt.
        self.dr, self.dc = moved
        #: compile once for every cell the formula is the same for (see _Formula):
        #: relative references read the row and column of the cell being evaluated,
        #: ``cell`` is where the formula's references were written
        self.anchored = anchored
        self.cell = cell
        self.sheet = cell[0]
        here = None if anchored else cell
        self.ctx_scalar = Ctx(book, here, array_mode)
        self.ctx_array = Ctx(book, here, True)
        #: rectangles read, as _Formula.deps holds them
        self.deps: list[tuple] = []
        self.volatile = False
        self.scopes: list[dict[str, list[Any]]] = []

    def compile(self, node: tuple) -> Callable[[], Any]:
        return self.c(node, self.ctx_scalar.array_mode)

    # pylint: disable=too-many-return-statements
    def c(self, node: tuple, am: bool) -> Callable[[], Any]:
        kind = node[0]
        book = self.book
        ctx = self.ctx_array if am else self.ctx_scalar
        # the commonest nodes first: a long model is mostly these
        if kind == "ref":
            if self.dr or self.dc:
                node = shift(node, self.dr, self.dc)
                if node[0] == "err":
                    return lambda: REF
            return self._compile_ref(node)
        if kind == "op":
            return self.op(node, am, ctx)
        if kind == "fn":
            return self.fn(node[1], node[2], am, ctx)
        if kind == "num" or kind == "str" or kind == "bool":
            # one closure per distinct constant for the whole workbook: a filled-down
            # column repeats its constants a million times (repr tells -0.0 from 0.0)
            ckey = (kind, repr(node[1]))
            fn = book._constants.get(ckey)
            if fn is None:
                v = node[1]
                fn = book._constants[ckey] = lambda: v
            return fn
        if kind == "err":
            e = BY_TEXT.get(node[1], VALUE)
            return lambda: e
        if kind == "miss":
            return lambda: MISSING
        if kind == "arr":
            rows = [[BY_TEXT.get(x[1], VALUE) if x[0] == "err" else x[1] for x in row]
                    for row in node[1]]
            arr = Array(rows)
            return lambda: arr
        if kind == "ref3d":
            raise Unsupported("3-D references across sheets (Sheet1:Sheet3!A1)")
        if kind == "ext":
            return self.external(node)
        if kind == "name":
            return self.name(node[1], node[2], am)
        if kind == "table":
            if self.anchored:
                raise _Anchored
            ref = self.table(node[1])
            self.deps.append((ref.sheet, ref.r1, ref.c1, ref.r2, ref.c2, 0, 0, 0, 0, False))
            return lambda: ref
        if kind == "paren":
            return self.c(node[1], am)
        if kind == "neg":
            f = self.c(node[1], am)
            return lambda: _unary(_neg, _deref(f(), ctx))
        if kind == "pos":
            return self.c(node[1], am)
        if kind == "pct":
            f = self.c(node[1], am)
            return lambda: _unary(_pct, _deref(f(), ctx))
        if kind == "at":
            f = self.c(node[1], False)
            sctx = Ctx(book, None if self.anchored else self.cell, False)

            def at() -> Any:
                v = f()
                if isinstance(v, Array):
                    return v.rows[0][0]
                return _deref(v, sctx)
            return at
        if kind == "spill":
            f = self.c(node[1], am)
            return lambda: self._spill_ref(f())
        if kind == "call":
            callee = self.c(node[1], am)
            args = [self.c(a, am) for a in node[2]]

            def invoke() -> Any:
                lam = callee()
                if not isinstance(lam, Lambda):
                    return VALUE if not isinstance(lam, ExcelError) else lam
                try:
                    return lam(*(a() for a in args))
                except XLFail as exc:
                    return exc.error
            return invoke
        raise Unsupported(f"syntax node {kind}")

    def _compile_ref(self, node: tuple) -> Callable[[], Any]:
        """A reference node already moved to this cell → a closure returning its Ref."""
        _, sheet, r1, c1, r2, c2, _abs = node
        s = self.sheet if sheet is None else self._sheet(sheet)
        if s is None:
            return lambda: REF
        book = self.book
        if self._dep(s, node):
            return self._moving_ref(s, node)
        key = (s, r1, c1, r2, c2)
        if _abs[0] and _abs[1] and _abs[2] and _abs[3]:
            # $A$1:$B$9 is the same reference in every cell that writes it
            fn = book._absolute_refs.get(key)
            if fn is None:
                ref = Ref(book, s, r1, c1, r2, c2)
                fn = book._absolute_refs[key] = lambda: ref
            return fn
        ref = Ref(book, s, r1, c1, r2, c2)
        return lambda: ref

    def _dep(self, s: str, node: tuple) -> bool:
        """Record what reference ``node`` reads; True when it moves with the cell."""
        _, _, r1, c1, r2, c2, (ar1, ac1, ar2, ac2) = node
        if self.anchored:
            m = (0 if ar1 else 1, 0 if ac1 else 1, 0 if ar2 else 1, 0 if ac2 else 1)
        else:
            m = (0, 0, 0, 0)
        self.deps.append((s, r1, c1, r2, c2, *m, False))
        return m != (0, 0, 0, 0)

    def _moving_ref(self, s: str, node: tuple) -> Callable[[], Any]:
        """The Ref of a relative reference in the cell being evaluated (anchored)."""
        _, _, r1, c1, r2, c2, (ar1, ac1, ar2, ac2) = node
        r0, c0 = self.cell[1], self.cell[2]
        book, stack = self.book, self.book._stack
        # each bound is its value at the origin, plus the cell's offset if it moves
        br1, mr1 = (r1, 0) if ar1 else (r1 - r0, 1)
        bc1, mc1 = (c1, 0) if ac1 else (c1 - c0, 1)
        br2, mr2 = (r2, 0) if ar2 else (r2 - r0, 1)
        bc2, mc2 = (c2, 0) if ac2 else (c2 - c0, 1)

        def ref() -> Ref:
            k = stack[-1].key
            r, c = k[1], k[2]
            return Ref(book, s, br1 + mr1 * r, bc1 + mc1 * c, br2 + mr2 * r, bc2 + mc2 * c)
        return ref

    def _sheet(self, name: str) -> str | None:
        return self.book._sheet_by_upper.get(name.upper())

    def _spill_ref(self, v: Any) -> Any:
        if not isinstance(v, Ref):
            return REF
        cell = self.book.cells.get((v.sheet, v.r1, v.c1))
        if cell is None:
            return REF
        if cell.state != _DONE:
            self.book.cell_value(v.sheet, v.r1, v.c1)
        arr = cell.deps[0] if cell.deps and isinstance(cell.deps[0], Array) else None
        if arr is None:
            return Ref(self.book, v.sheet, v.r1, v.c1, v.r1, v.c1)
        return Ref(self.book, v.sheet, v.r1, v.c1, v.r1 + arr.nrows - 1, v.c1 + arr.ncols - 1)

    def op(self, node: tuple, am: bool, ctx: Ctx) -> Callable[[], Any]:
        _, op, a, b = node
        if op in (":", " ", ","):
            fa, fb = self.c(a, am), self.c(b, am)
            impl = {":": _range_op, " ": _intersection, ",": _union}[op]
            return lambda: impl(fa(), fb())
        # An operator reads its operands' values: a one-cell reference compiles to a
        # read of that cell, not to a Ref object dereferenced on every evaluation.
        fa = self._operand(a, am)
        if op in ("+", "-", "*") and b[0] == "num":
            return _arith_const(op, fa, b[1], ctx)  # A1+1: the constant is not a closure
        fb = self._operand(b, am)
        if op in ("+", "-", "*"):
            return _arith_closure(op, fa, fb, ctx)
        if op in ("/", "^"):
            return lambda: _slow_arith(op, fa(), fb(), ctx)
        if op == "&":
            return lambda: _broadcast(_concat, _deref(fa(), ctx), _deref(fb(), ctx))
        return lambda: _broadcast(lambda p, q: _comparison(op, p, q), _deref(fa(), ctx),
                                  _deref(fb(), ctx))

    def _operand(self, node: tuple, am: bool) -> Callable[[], Any]:
        """An operand of an arithmetic, text or comparison operator (see :meth:`op`)."""
        if node[0] != "ref":
            return self.c(node, am)
        if self.dr or self.dc:
            node = shift(node, self.dr, self.dc)
            if node[0] == "err":
                return lambda: REF
        _, sheet, r1, c1, r2, c2, _abs = node
        if r1 != r2 or c1 != c2:
            return self._compile_ref(node)
        s = self.sheet if sheet is None else self._sheet(sheet)
        if s is None:
            return lambda: REF
        book = self.book
        read = book.cell_value
        if self._dep(s, node):
            # a relative cell of a formula compiled for many cells: read where it is
            stack = book._stack
            r0, c0 = self.cell[1], self.cell[2]
            if not _abs[0] and not _abs[1]:
                dr, dc = r1 - r0, c1 - c0
                cells = book.cells

                def rel() -> Any:
                    k = stack[-1].key
                    r, c = k[1] + dr, k[2] + dc
                    cell = cells.get((s, r, c))
                    if cell is not None and cell.state == _DONE:
                        return cell.value  # cell_value's commonest answer, without the call
                    return read(s, r, c)
                return rel
            if not _abs[0]:
                dr = r1 - r0

                def rel_row() -> Any:
                    return read(s, stack[-1].key[1] + dr, c1)
                return rel_row
            dc = c1 - c0

            def rel_col() -> Any:
                return read(s, r1, stack[-1].key[2] + dc)
            return rel_col
        key = (s, r1, c1, r1, c1)
        # a partial is a third of a closure's memory, and a million cells have one each;
        # an absolute cell ($A$1) is read by one for the whole workbook
        if _abs[0] and _abs[1]:
            fn = book._absolute_reads.get(key)
            if fn is None:
                fn = book._absolute_reads[key] = functools.partial(read, s, r1, c1)
            return fn
        return functools.partial(read, s, r1, c1)

    # -- names, LET, LAMBDA -------------------------------------------------------------
    def name(self, raw: str, sheet: str | None, am: bool) -> Callable[[], Any]:
        n = raw
        if n.upper().startswith("_XLPM."):
            n = n[6:]
        u = n.upper()
        for scope in reversed(self.scopes):
            if u in scope:
                holder = scope[u]
                return lambda: holder[0]
        if u.startswith("_XLETA."):
            fname = function_name(u[7:])
            spec = FUNCTIONS.get(fname)
            if spec is None:
                raise Unsupported(f"function {fname} is not supported")
            ctx = self.ctx_array

            def eta(*args: Any) -> Any:
                return call(spec, ctx, list(args))
            lam = Lambda(tuple(f"x{i}" for i in range(spec.max_args or 254)), eta)
            return lambda: lam
        s = self._sheet(sheet) if sheet else self.sheet
        fn = self.book.name_fn(n, s)
        if fn is None:
            return lambda: NAME  # Excel: an undefined name is #NAME? (not #REF!)
        # The cells a name refers to are this formula's precedents too (evaluation order,
        # circular references, what-if recomputation).
        # Marked "soft": through a name Excel resolves INDEX(name,…) ranges at run time and
        # reports no loop for a name that merely spans the formula's own cell (koala's
        # SUM(INDEX(Liste3,1,1):INDEX(Liste3,1,n-1)) inside Liste3).
        self.deps.extend((*r, 0, 0, 0, 0, True) for r in self.book.name_rects(n, s))
        return fn

    def let(self, args: tuple, am: bool) -> Callable[[], Any]:
        if len(args) < 3 or len(args) % 2 == 0:
            return lambda: VALUE
        scope: dict[str, list[Any]] = {}
        self.scopes.append(scope)
        steps = []
        try:
            for i in range(0, len(args) - 1, 2):
                nm = args[i]
                if nm[0] != "name":
                    return lambda: VALUE
                key = nm[1][6:] if nm[1].upper().startswith("_XLPM.") else nm[1]
                holder: list[Any] = [None]
                f = self.c(args[i + 1], am)
                steps.append((holder, f))
                scope[key.upper()] = holder
            body = self.c(args[-1], am)
        finally:
            self.scopes.pop()

        def run() -> Any:
            saved = [h[0] for h, _ in steps]
            try:
                for h, f in steps:
                    h[0] = f()
                return body()
            finally:
                for (h, _), old in zip(steps, saved, strict=True):
                    h[0] = old
        return run

    def lam(self, args: tuple, am: bool) -> Callable[[], Any]:
        if not args:
            return lambda: VALUE
        params = []
        for a in args[:-1]:
            if a[0] != "name":
                return lambda: VALUE
            params.append((a[1][6:] if a[1].upper().startswith("_XLPM.") else a[1]).upper())
        scope = {p: [None] for p in params}
        self.scopes.append(scope)
        try:
            body = self.c(args[-1], True)
        finally:
            self.scopes.pop()
        holders = [scope[p] for p in params]

        def make() -> Any:
            def invoke(*vals: Any) -> Any:
                saved = [h[0] for h in holders]
                try:
                    for i, h in enumerate(holders):
                        h[0] = vals[i] if i < len(vals) else MISSING
                    return body()
                finally:
                    for h, old in zip(holders, saved, strict=True):
                        h[0] = old
            return Lambda(tuple(params), invoke)
        return make

    # -- functions ----------------------------------------------------------------------
    def fn(self, name: str, args: tuple, am: bool, ctx: Ctx) -> Callable[[], Any]:
        if name == "LET":
            return self.let(args, am)
        if name == "ANCHORARRAY" and len(args) == 1:  # how Excel stores A1# in a file
            return self.c(("spill", args[0]), am)
        if name == "LAMBDA":
            return self.lam(args, am)
        spec = FUNCTIONS.get(name)
        if spec is None:
            udf = self.book.udf(name)
            if udf is not None:
                fargs = [self.c(a, am) for a in args]
                return lambda: udf(*(f() for f in fargs))
            named = self.book.name_fn(name, self.sheet)
            if named is not None:  # a LAMBDA stored in a defined name
                fargs = [self.c(a, am) for a in args]

                def call_named() -> Any:
                    lam = named()
                    if not isinstance(lam, Lambda):
                        return VALUE if not isinstance(lam, ExcelError) else lam
                    try:
                        return lam(*(f() for f in fargs))
                    except XLFail as exc:
                        return exc.error
                return call_named
            raise Unsupported(f"function {name} is not supported")
        if spec.volatile:
            self.volatile = True
        compiled = []
        params = spec.params
        for i, a in enumerate(args):
            if spec.max_args is not None and i >= spec.max_args:
                compiled.append(lambda: MISSING)
                continue
            kind = params[i].kind if i < len(params) else spec.param(i).kind
            sub_am = am or kind == "array" or (spec.array_args and i in spec.array_args)
            if kind in _SCALAR_KINDS:
                f = self._operand(a, sub_am)  # a one-cell reference: its value, read once
            elif kind == "array" and a[0] == "ref":
                f = _as_array(self.c(a, sub_am))  # what call() makes of the reference
            else:
                f = self.c(a, sub_am)
            if kind == "lazy":
                compiled.append((f,))
            else:
                compiled.append(f)
        fctx = ctx
        lazy = spec.lazy
        kinds = arg_kinds(spec, len(compiled))

        if lazy:
            def run_lazy() -> Any:
                vals = [x[0] if isinstance(x, tuple) else x() for x in compiled]
                return call(spec, fctx, vals, kinds)
            return run_lazy

        plan = passes_as_is(spec, kinds)
        if plan is not None and not any(plan) and len(compiled) <= 2:
            # ROUND(A1,0), MOD(x,100), ABS(x): numbers need no conversion
            if len(compiled) == 1:
                f0 = compiled[0]

                def run1() -> Any:
                    a = f0()
                    if type(a) is float:
                        return apply_converted(spec, fctx, [a])
                    return call(spec, fctx, [a], kinds)
                return run1
            if len(compiled) == 2:
                f0, f1 = compiled

                def run2() -> Any:
                    a, b = f0(), f1()
                    if type(a) is float and type(b) is float:
                        return apply_converted(spec, fctx, [a, b])
                    return call(spec, fctx, [a, b], kinds)
                return run2
        if plan is not None and compiled:
            pairs = list(zip(compiled, plan, strict=True))

            def run_as_is() -> Any:
                # INDEX(range, n), MATCH(x, range, 0), SUM(range), VLOOKUP(x, table, 2,
                # FALSE): values call() would not change go as they are; anything else
                # takes the converting call
                vals = []
                for f, code in pairs:
                    v = f()
                    vals.append(v)
                    t = type(v)
                    if not (t is float if code == 0 else v is not MISSING if code == 1
                            else t is bool if code == 2 else t is Array):
                        return call(spec, fctx, vals + [g() for g, _ in
                                                        pairs[len(vals):]], kinds)
                return apply_converted(spec, fctx, vals)
            return run_as_is

        def run() -> Any:
            return call(spec, fctx, [f() for f in compiled], kinds)
        return run

    # -- tables and external links ---------------------------------------------------------
    def table(self, text: str) -> Ref:
        m = _TABLE_RE.match(text)
        if not m:
            raise Unsupported(f"structured reference {text!r}")
        tname, spec = m.group("table"), m.group("spec")
        book = self.book
        if tname:
            t = book.data.tables.get(tname.upper())
        else:
            s, r, c = self.cell
            t = next((t for t in book.data.tables.values()
                      if t.sheet == s and t.r1 <= r <= t.r2 and t.c1 <= c <= t.c2), None)
        if t is None:
            raise Unsupported(f"structured reference {text!r}: no such table")
        parts = re.findall(r"\[((?:[^\[\]']|'.)*)\]", spec) if "[" in spec else [spec]
        items = [p.strip() for p in parts] if parts else [""]
        cols: list[str] = []
        region = None
        this_row = False
        for it in items:
            if it.startswith("@"):
                this_row = True
                rest = it[1:].strip()
                if rest.startswith("[") and rest.endswith("]"):
                    rest = rest[1:-1]
                if rest:
                    cols.append(rest)
                continue
            low = it.lower()
            if low in ("#all", "#data", "#headers", "#totals"):
                region = low
            elif low == "#this row":
                this_row = True
            elif it:
                cols.append(it)
        if spec.strip() == "":
            cols = []
        names = [re.sub(r"'(.)", r"\1", c) for c in cols]
        upper = [x.upper() for x in t.columns]
        if names:
            idx = []
            for nm in names:
                for piece in nm.split("]:["):
                    piece = piece.strip("[]")
                    if piece.upper() not in upper:
                        raise Unsupported(f"structured reference {text!r}: no column {piece!r}")
                    idx.append(upper.index(piece.upper()))
            c1, c2 = t.c1 + min(idx), t.c1 + max(idx)
        else:
            c1, c2 = t.c1, t.c2
        data_r1 = t.r1 + t.header_rows
        data_r2 = t.r2 - t.totals_rows
        if this_row:
            r = self.cell[1]
            return Ref(book, t.sheet, r, c1, r, c2)
        if region == "#all":
            r1, r2 = t.r1, t.r2
        elif region == "#headers":
            r1 = r2 = t.r1
        elif region == "#totals":
            r1 = r2 = t.r2
        else:
            r1, r2 = data_r1, data_r2
        return Ref(book, t.sheet, r1, c1, r2, c2)

    def external(self, node: tuple) -> Callable[[], Any]:
        _, idx, sheet, text = node
        link = self.book.data.external.get(idx)
        if link is None:
            return lambda: REF
        m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?", text)
        if not m:
            raise Unsupported(f"external reference [{idx}]{sheet}!{text}")
        from templates.recalc.parser import col_index

        r1, c1 = int(m.group(2)), col_index(m.group(1))
        r2, c2 = (int(m.group(4)), col_index(m.group(3))) if m.group(3) else (r1, c1)
        cells = link["cells"]
        s = sheet.upper()
        if s not in {x.upper() for x in link["sheets"]} or s in link.get("unread", ()):
            return lambda: REF  # Excel shows #REF! for a sheet the other workbook lacks
        rows = [[cells.get((s, r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        # Excel shows the values it cached for the other workbook while links are not
        # refreshed; we never open the other file.
        val: Any = rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else Array(rows)
        if val is None:
            val = 0.0
        return lambda: val

