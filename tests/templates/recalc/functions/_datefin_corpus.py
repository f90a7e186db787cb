"""Evaluate corpus formula cells that call only the date/time and financial functions,
for the tests of those families (until the engine's evaluator exists to do it).

Each formula cell's cached value in an Excel-saved workbook is Excel's answer; a cell is
checked only when every function it calls belongs to the given family, so other
families' gaps do not show up here. Array formulas are compared cell by cell over their
whole area (a scalar result fills it, a smaller array is #N/A outside, as in Excel).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[4] / ".." / "shared" / "corpus"


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"outside corpus {path} is not on this machine")
    return path


def _value(v: Any) -> Any:
    from templates.recalc.dates import date_to_serial
    from udfs.excel_errors import BY_TEXT

    if isinstance(v, datetime.datetime):
        return date_to_serial(v.year, v.month, v.day) + (
            v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    if isinstance(v, datetime.date):
        return date_to_serial(v.year, v.month, v.day)
    if isinstance(v, datetime.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str) and v in BY_TEXT:
        return BY_TEXT[v]
    return v


class _Book:
    def __init__(self, path: Path) -> None:
        import openpyxl

        self.formulas = openpyxl.load_workbook(path, data_only=False)
        values = openpyxl.load_workbook(path, data_only=True)
        self.vals = {
            ws.title: {(c.row, c.column): _value(c.value)
                       for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in values.worksheets
        }

    def cell_value(self, sheet: str, r: int, c: int) -> Any:
        return self.vals[sheet].get((r, c))

    def range_rows(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[list[Any]]:
        d = self.vals[sheet]
        return [[d.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


class _Ctx:
    def __init__(self, book: _Book, cell: tuple[str, int, int], array_mode: bool) -> None:
        self.book, self.cell, self.array_mode = book, cell, array_mode


def _names(node: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(node, tuple):
        if node and node[0] == "fn":
            out.add(node[1])
        for x in node[1:]:
            out |= _names(x)
    elif isinstance(node, list):
        for x in node:
            out |= _names(x)
    return out


def _eval(node: tuple, ctx: _Ctx, sheet: str) -> Any:
    from templates.recalc.registry import FUNCTIONS, MISSING, call
    from templates.recalc.values import Array, Ref, XLFail, is_error, to_number
    from udfs.excel_errors import BY_TEXT, DIV0

    k = node[0]
    if k == "num":
        return float(node[1])
    if k in ("str", "bool"):
        return node[1]
    if k == "err":
        return BY_TEXT[node[1]]
    if k == "miss":
        return MISSING
    if k == "ref":
        _, sh, r1, c1, r2, c2, _abs = node
        return Ref(ctx.book, sh or sheet, r1, c1, r2, c2)
    if k == "arr":
        return Array([[_eval(x, ctx, sheet) for x in row] for row in node[1]])
    if k in ("paren", "pos"):
        return _eval(node[1], ctx, sheet)
    if k == "fn":
        spec = FUNCTIONS[node[1]]
        return call(spec, ctx, [_eval(a, ctx, sheet) for a in node[2]])
    if k in ("neg", "pct", "op"):
        if k == "op":
            op, a, b = node[1], _eval(node[2], ctx, sheet), _eval(node[3], ctx, sheet)
        elif k == "neg":
            op, a, b = "-", 0.0, _eval(node[1], ctx, sheet)
        else:
            op, a, b = "/", _eval(node[1], ctx, sheet), 100.0

        def one(x: Any, y: Any) -> Any:
            if is_error(x):
                return x
            if is_error(y):
                return y
            try:
                p, q = to_number(x), to_number(y)
            except XLFail as exc:
                return exc.error
            if op == "/" and q == 0:
                return DIV0
            return {"+": p + q, "-": p - q, "*": p * q, "/": p / q if op == "/" else 0.0}[op]

        def arr(v: Any) -> Any:
            if isinstance(v, Ref):
                return v.value() if v.is_cell else v.array()
            return v

        a, b = arr(a), arr(b)
        if isinstance(a, Array) or isinstance(b, Array):
            xa = a if isinstance(a, Array) else Array([[a]])
            xb = b if isinstance(b, Array) else Array([[b]])
            nr, nc = max(xa.nrows, xb.nrows), max(xa.ncols, xb.ncols)
            return Array([[one(xa.get(r, c), xb.get(r, c)) for c in range(nc)]
                          for r in range(nr)])
        return one(a, b)
    raise NotImplementedError(k)


def _same(got: Any, exp: Any, rel: float) -> bool:
    from templates.recalc.values import is_error

    if is_error(exp) or is_error(got):
        return is_error(exp) and is_error(got) and str(exp) == str(got)
    if type(exp) is float and type(got) is float:
        return abs(got - exp) <= rel * max(1.0, abs(exp))
    return type(got) is type(exp) and got == exp


def mismatches(name: str, family: set[str], sheets: tuple[str, ...] = (),
               rel: float = 1e-9, rel_for: dict[str, float] | None = None) -> tuple[int, list]:
    """(cells checked, [(cell, formula, got, Excel's)]) for a corpus workbook's cells
    that call only ``family``'s functions (and arithmetic); cells calling a function not
    registered yet (IF, from another family) are left out."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    from templates.recalc import functions  # noqa: F401 - registers the library
    from templates.recalc.parser import parse
    from templates.recalc.registry import FUNCTIONS
    from templates.recalc.values import Array, Ref

    book = _Book(corpus_file(name))
    checked = 0
    bad = []
    for ws in book.formulas.worksheets:
        if sheets and ws.title not in sheets:
            continue
        for row in ws.iter_rows():
            for c in row:
                f, area = c.value, None
                if hasattr(f, "text"):
                    area, f = f.ref, f.text
                if not (isinstance(f, str) and f.startswith("=")):
                    continue
                tree = parse(f)
                used = _names(tree)
                if not used or not used <= family or not used <= FUNCTIONS.keys():
                    continue  # another family's function (or one not written yet)
                tol = max([rel] + [(rel_for or {}).get(n, rel) for n in used])
                res = _eval(tree, _Ctx(book, (ws.title, c.row, c.column), area is not None),
                            ws.title)
                if isinstance(res, Ref):
                    res = res.value() if res.is_cell or area is None else res.array()
                if area is None:
                    cells = [(c.row, c.column, res.rows[0][0] if isinstance(res, Array)
                              else res)]
                else:
                    c1, r1, c2, r2 = range_boundaries(area)
                    out = res if isinstance(res, Array) else Array([[res]])
                    cells = [(r, cc, out.get(r - r1, cc - c1))
                             for r in range(r1, r2 + 1) for cc in range(c1, c2 + 1)]
                for r, cc, got in cells:
                    checked += 1
                    exp = book.vals[ws.title].get((r, cc))
                    if not _same(got, exp, tol):
                        bad.append((f"{ws.title}!{get_column_letter(cc)}{r}", f, got, exp))
    return checked, bad
