"""Evaluate corpus formula cells that call only text, logical and information functions,
for the tests of those families (until the engine's evaluator exists to do it).

Each formula cell's cached value in an Excel-saved workbook is Excel's answer. A cell is
checked when every function it calls is registered by ``templates.recalc.functions.text``,
``.logical`` or ``.information`` (operators ``& = <> < > <= >= + - * / ^`` are evaluated
here, minimally); lazy arguments are passed as thunks, as the engine will. Array formulas
are compared cell by cell over their area (a scalar fills it, a smaller array is #N/A
outside). CHAR and CODE use Mac Roman for workbooks saved by Excel for Mac, as the file's
docProps/app.xml says.
"""

from __future__ import annotations

import datetime
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[4] / ".." / "shared" / "corpus"
FAMILY_MODULES = ("text", "logical", "information")
_ESC = re.compile(r"_x([0-9A-Fa-f]{4})_")


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"outside corpus {path} is not on this machine")
    return path


def _value(v: Any, is_error: bool) -> Any:
    from templates.recalc.dates import date_to_serial
    from udfs.excel_errors import BY_TEXT

    if is_error and isinstance(v, str):
        return BY_TEXT[v]
    if isinstance(v, datetime.datetime):
        return date_to_serial(v.year, v.month, v.day) + (
            v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    if isinstance(v, datetime.date):
        return date_to_serial(v.year, v.month, v.day)
    if isinstance(v, datetime.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str):
        # openpyxl leaves the OOXML escapes of control characters (_x0001_) in place
        return _ESC.sub(lambda m: chr(int(m.group(1), 16)), v)
    return v


class _Book:
    def __init__(self, path: Path) -> None:
        import openpyxl

        self.formulas = openpyxl.load_workbook(path, data_only=False)
        values = openpyxl.load_workbook(path, data_only=True)
        self.vals = {
            ws.title: {(c.row, c.column): _value(c.value, c.data_type == "e")
                       for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in values.worksheets
        }
        try:
            app = zipfile.ZipFile(path).read("docProps/app.xml").decode("utf-8", "replace")
        except KeyError:
            app = ""
        self.codepage = "mac_roman" if "Macintosh" in app else None

    def cell_value(self, sheet: str, r: int, c: int) -> Any:
        return self.vals[sheet].get((r, c))

    def range_rows(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[list[Any]]:
        d = self.vals[sheet]
        return [[d.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


class _Ctx:
    def __init__(self, book: _Book, cell: tuple[str, int, int], array_mode: bool) -> None:
        self.book, self.cell, self.array_mode = book, cell, array_mode


def _names(node: Any) -> set[str] | None:
    """Function names in a tree, or None when it holds something evaluated elsewhere
    (names, structured references, other workbooks, LAMBDA calls)."""
    out: set[str] = set()
    if isinstance(node, tuple) and node and isinstance(node[0], str):
        if node[0] in ("name", "table", "ext", "call", "ref3d", "spill", "at"):
            return None
        if node[0] == "op" and node[1] in (":", " ", ","):
            return None
        if node[0] == "fn":
            out.add(node[1])
        children = node[1:]
    elif isinstance(node, (tuple, list)):
        children = node
    else:
        return out
    for x in children:
        if isinstance(x, (tuple, list)):
            sub = _names(x)
            if sub is None:
                return None
            out |= sub
    return out


def _scalar_or_array(v: Any, ctx: _Ctx) -> Any:
    from templates.recalc.registry import _intersect
    from templates.recalc.values import Ref

    if isinstance(v, Ref):
        if v.is_cell:
            return v.value()
        return v.array() if ctx.array_mode else _intersect(v, ctx)
    return v


def _binop(op: str, a: Any, b: Any) -> Any:
    from templates.recalc.values import DIV0, XLFail, compare, is_error, to_number, to_text

    if is_error(a):
        return a
    if is_error(b):
        return b
    try:
        if op == "&":
            return to_text(a) + to_text(b)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            c = compare(a, b)
            return {"=": c == 0, "<>": c != 0, "<": c < 0, ">": c > 0, "<=": c <= 0,
                    ">=": c >= 0}[op]
        x, y = to_number(a), to_number(b)
    except XLFail as exc:
        return exc.error
    if op == "/" and y == 0:
        return DIV0
    return {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else 0.0,
            "^": x ** y if op == "^" else 0.0}[op]


def _lift(fn: Any, a: Any, b: Any) -> Any:
    from templates.recalc.values import Array

    if isinstance(a, Array) or isinstance(b, Array):
        xa = a if isinstance(a, Array) else Array([[a]])
        xb = b if isinstance(b, Array) else Array([[b]])
        nr, nc = max(xa.nrows, xb.nrows), max(xa.ncols, xb.ncols)
        return Array([[fn(xa.get(r, c), xb.get(r, c)) for c in range(nc)] for r in range(nr)])
    return fn(a, b)


def _eval(node: tuple, ctx: _Ctx) -> Any:
    from templates.recalc.registry import FUNCTIONS, MISSING, call
    from templates.recalc.values import Array, Ref
    from udfs.excel_errors import BY_TEXT

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
        return Ref(ctx.book, sh or ctx.cell[0], r1, c1, r2, c2)
    if k == "arr":
        return Array([[_eval(x, ctx) for x in row] for row in node[1]])
    if k in ("paren", "pos"):
        return _eval(node[1], ctx)
    if k == "neg":
        return _lift(lambda x, _: _binop("-", 0.0, x),
                     _scalar_or_array(_eval(node[1], ctx), ctx), None)
    if k == "pct":
        return _lift(lambda x, _: _binop("/", x, 100.0),
                     _scalar_or_array(_eval(node[1], ctx), ctx), None)
    if k == "op":
        a = _scalar_or_array(_eval(node[2], ctx), ctx)
        b = _scalar_or_array(_eval(node[3], ctx), ctx)
        return _lift(lambda x, y: _binop(node[1], x, y), a, b)
    if k == "fn":
        spec = FUNCTIONS[node[1]]
        args = []
        for i, a in enumerate(node[2]):
            if spec.param(i).kind == "lazy" and a[0] != "miss":
                args.append(lambda a=a: _eval(a, ctx))
            else:
                args.append(_eval(a, ctx))
        return call(spec, ctx, args)
    raise NotImplementedError(k)


def _same(got: Any, exp: Any) -> bool:
    from templates.recalc.values import is_error

    if got is None:  # the value of an empty cell: a formula shows it as 0, "" as text
        return exp in (None, "", 0.0)
    if exp is None:  # Excel stores an empty text result without a value
        exp = ""
    if is_error(exp) or is_error(got):
        return is_error(exp) and is_error(got) and str(exp) == str(got)
    if type(exp) is float and type(got) is float:
        return math.isclose(got, exp, rel_tol=1e-12, abs_tol=1e-15)
    return type(got) is type(exp) and got == exp


def family() -> set[str]:
    from templates.recalc import functions  # noqa: F401 - registers the library
    from templates.recalc.registry import FUNCTIONS

    return {n for n, s in FUNCTIONS.items()
            if s.fn.__module__.rsplit(".", 1)[-1] in FAMILY_MODULES}


def mismatches(name: str, sheets: tuple[str, ...] = ()) -> tuple[int, list]:
    """(cells checked, [(cell, formula, got, Excel's)]) for a corpus workbook's cells
    that call only text, logical and information functions."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    from templates.recalc.parser import FormulaSyntaxError, parse
    from templates.recalc.values import Array, Ref

    fam = family()
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
                try:
                    tree = parse(f)
                except FormulaSyntaxError:
                    continue  # the parser's gap, not this family's
                used = _names(tree)
                if not used or not used <= fam:
                    continue
                ctx = _Ctx(book, (ws.title, c.row, c.column), area is not None)
                res = _eval(tree, ctx)
                if isinstance(res, Ref):
                    res = _scalar_or_array(res, ctx)
                if area is None:
                    cells = [(c.row, c.column,
                              res.rows[0][0] if isinstance(res, Array) else res)]
                else:
                    c1, r1, c2, r2 = range_boundaries(area)
                    out = res if isinstance(res, Array) else Array([[res]])
                    cells = [(r, cc, out.get(r - r1, cc - c1))
                             for r in range(r1, r2 + 1) for cc in range(c1, c2 + 1)]
                for r, cc, got in cells:
                    if isinstance(got, Array):  # an array inside an array: its top-left
                        got = got.rows[0][0]
                    checked += 1
                    exp = book.vals[ws.title].get((r, cc))
                    if not _same(got, exp):
                        bad.append((f"{ws.title}!{get_column_letter(cc)}{r}", f, got, exp))
    return checked, bad
