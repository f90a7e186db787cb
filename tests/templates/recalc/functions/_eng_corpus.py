"""Evaluate corpus formula cells that call only engineering functions (and operators),
for the engineering tests, until the engine's evaluator can do whole workbooks.

Like :mod:`._datefin_corpus`, each formula cell is evaluated on its own against the cached
values of the cells it refers to, and compared with Excel's cached result. Two additions
the engineering sheets need: the ``&`` and comparison operators (``CONVERT(1,X$1&$T2,"g")``)
and a referenced formula cell whose cached value is missing reads as ``""`` (openpyxl
reports ``=""`` as None; a formula never yields an empty cell).
"""

from __future__ import annotations

from typing import Any

from ._datefin_corpus import _Book, _Ctx, _names, _same, corpus_file


class _EngBook(_Book):
    def __init__(self, path: Any) -> None:
        super().__init__(path)
        for ws in self.formulas.worksheets:
            vals = self.vals[ws.title]
            for row in ws.iter_rows():
                for c in row:
                    f = c.value
                    if isinstance(f, str) and f.startswith("=") and (c.row, c.column) not in vals:
                        vals[(c.row, c.column)] = ""


def _eval(node: tuple, ctx: _Ctx, sheet: str) -> Any:
    from templates.recalc.registry import FUNCTIONS, MISSING, call
    from templates.recalc.values import (
        Array,
        Ref,
        XLFail,
        compare,
        is_error,
        to_number,
        to_text,
    )
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
        return call(FUNCTIONS[node[1]], ctx, [_eval(a, ctx, sheet) for a in node[2]])
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
                if op == "&":
                    return to_text(x) + to_text(y)
                if op in ("=", "<>", "<", ">", "<=", ">="):
                    c = compare(x, y)
                    return {"=": c == 0, "<>": c != 0, "<": c < 0, ">": c > 0,
                            "<=": c <= 0, ">=": c >= 0}[op]
                p, q = to_number(x), to_number(y)
            except XLFail as exc:
                return exc.error
            if op == "/" and q == 0:
                return DIV0
            if op == "^":
                return p ** q
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


def mismatches(name: str, family: set[str], sheets: tuple[str, ...] = (),
               rel: float = 1e-9, rel_for: dict[str, float] | None = None) -> tuple[int, list]:
    """(cells checked, [(cell, formula, got, Excel's)]) for the cells of a corpus workbook
    that call only ``family``'s functions; array formulas are compared over their area."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    from templates.recalc import functions  # noqa: F401 - registers the library
    from templates.recalc.parser import parse
    from templates.recalc.registry import FUNCTIONS
    from templates.recalc.values import Array, Ref

    book = _EngBook(corpus_file(name))
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
                    continue
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
