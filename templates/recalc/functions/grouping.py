"""Summary functions (Excel 365): GROUPBY and PIVOTBY.

Both group the rows of ``row_fields`` (PIVOTBY also the rows of ``col_fields`` into
columns), apply ``function`` — a LAMBDA or an eta-reduced name such as ``SUM`` — to the
``values`` of each group, and lay the result out with labels, totals and subtotals.

Layout, as Excel writes it (formulas_test.xlsx 'LOOKUP' rows 25-43 and 93-111, 'EXTRA'
BD95, BM95):

* Group labels are the fields' values; a subtotal row shows the keys of its level and
  ``""`` below; the grand total shows ``Total`` (``Grand Total`` when subtotals are shown)
  in the first label cell. Every cell Excel leaves blank is ``""`` (it saves empty
  text there), including a PIVOTBY cell whose row and column have no value in common.
* ``field_headers`` 3 (or 2) adds a header row: GROUPBY's row-field names and value
  names; PIVOTBY puts the column fields' names joined by ``", "`` above the column
  labels and a row of row-field names and value names under them.
* Several value columns give one result column each (per column group in PIVOTBY).
* Sorting is hierarchical: each level's groups are sorted within their parent, by the
  ``sort_order`` entry for that field (negative: descending) or ascending. An index past
  the fields sorts the innermost level by that value column's aggregate (PIVOTBY: the
  row's or column's total), the outer levels staying in key order (PIVOTBY
  'LOOKUP'!AP101).
* A function of two parameters (PERCENTOF, ``LAMBDA(part, all, …)``) receives the
  group's values and the values it is relative to: GROUPBY's whole column; PIVOTBY's
  column total, row total, grand total, parent column or parent row total
  (``relative_to`` 0-4).
"""

from __future__ import annotations

import math
from typing import Any

from templates.recalc.functions._args import one_area
from templates.recalc.functions.arrays import _sort_key
from templates.recalc.registry import Lambda, xlfunction
from templates.recalc.values import (
    CALC,
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
    to_bool,
    to_number,
)

__all__: list[str] = []


# --- arguments --------------------------------------------------------------------------


_arr = one_area  # one rectangle of values (templates.recalc.functions._args)


def _scalar(v: Any) -> Any:
    """An option argument: None when left out; a one-cell array or reference is its value."""
    if isinstance(v, Ref):
        if not v.is_cell:
            raise XLFail(VALUE, "an option must be a single value")
        v = v.value()
    elif isinstance(v, Array):
        if v.nrows != 1 or v.ncols != 1:
            raise XLFail(VALUE, "an option must be a single value")
        v = v.rows[0][0]
    elif isinstance(v, MultiRef):
        raise XLFail(VALUE)
    if type(v) is ExcelError:
        raise XLFail(v)
    return v


def _option(v: Any, allowed: range | tuple[int, ...], default: int | None) -> int | None:
    v = _scalar(v)
    if v is None:
        return default
    x = to_number(v)
    if not math.isfinite(x):
        raise XLFail(VALUE)
    n = math.trunc(x)
    if n not in allowed:
        raise XLFail(VALUE, f"option {n} is out of range")
    return n


def _lambda(v: Any) -> Lambda:
    if isinstance(v, Ref) and v.is_cell:
        v = v.value()
    if type(v) is ExcelError:
        raise XLFail(v)
    if not isinstance(v, Lambda):
        raise XLFail(VALUE, "function must be a LAMBDA or a function name such as SUM")
    return v


def _sort_spec(v: Any, width: int) -> list[tuple[int, int]]:
    """``sort_order`` as (0-based column, direction); columns count fields then values."""
    if v is None:
        return []
    vals = list(_arr(v).flat())
    out = []
    for x in vals:
        if type(x) is ExcelError:
            raise XLFail(x)
        n = math.trunc(to_number(0.0 if x is None else x))
        if n == 0 or abs(n) > width:
            raise XLFail(VALUE, f"sort column {n} does not exist")
        out.append((abs(n) - 1, 1 if n > 0 else -1))
    return out


def _auto_headers(values: Array) -> bool:
    """Excel's guess: the first value is text and the second a number."""
    if values.nrows < 2:
        return False
    first, second = values.rows[0][0], values.rows[1][0]
    return type(first) is str and type(second) is float


def _headers_mode(v: Any, values: Array) -> tuple[bool, bool]:
    """(the data has a header row, headers are shown) from ``field_headers``."""
    mode = _option(v, range(4), None)
    if mode is None:
        return _auto_headers(values), False
    return mode in (1, 3), mode in (2, 3)


def _filter(v: Any, n: int, has_headers: bool) -> list[bool] | None:
    if v is None:
        return None
    a = _arr(v)
    rows = a.rows[1:] if has_headers else a.rows
    if len(rows) != n:
        raise XLFail(VALUE, "filter_array has another number of rows")
    keep = []
    # Excel reads only the first column of a wider filter ('LOOKUP'!N93, K93:L111)
    for r in rows:
        x = r[0]
        if type(x) is ExcelError:
            raise XLFail(x)
        keep.append(False if x is None else to_bool(x))
    return keep


def _key(v: Any) -> Any:
    """Group identity: text case-insensitively, an empty cell apart from everything."""
    if v is None:
        return (5, 0)
    return _sort_key(v)


def _label(v: Any) -> Any:
    return "" if v is None else v


# --- aggregation ------------------------------------------------------------------------


class _Agg:
    """Calls the function on a value column's rows, as one argument or (part, all)."""

    def __init__(self, lam: Lambda, columns: list[list[Any]]) -> None:
        self.lam = lam
        self.columns = columns
        self.two = len(lam.params) == 2

    def __call__(self, v: int, rows: list[int], all_rows: list[int] | None = None) -> Any:
        if not rows:
            return ""
        col = self.columns[v]
        part = Array([[col[i]] for i in rows])
        try:
            if self.two:
                whole = Array([[col[i]] for i in (all_rows if all_rows is not None else rows)])
                res = self.lam(part, whole)
            else:
                res = self.lam(part)
        except XLFail as exc:
            return exc.error
        return _one(res)


def _one(v: Any) -> Any:
    if isinstance(v, Ref):
        if not v.is_cell:
            return CALC
        v = v.value()
    if isinstance(v, Array):
        if v.nrows != 1 or v.ncols != 1:
            return CALC  # a nested array
        v = v.rows[0][0]
    if isinstance(v, (MultiRef, Lambda)):
        return CALC
    if type(v) is float and not math.isfinite(v):
        return ExcelError("#NUM!")
    return 0.0 if v is None else v


# --- one axis: groups, subtotals, totals ------------------------------------------------


class _Item:
    """One row (or column) of the result: a group, a subtotal or the grand total."""

    __slots__ = ("labels", "parent", "rows")

    def __init__(self, labels: list[Any], rows: list[int], parent: list[int]) -> None:
        self.labels = labels
        self.rows = rows
        self.parent = parent  # the rows of the enclosing group (relative_to parent)


def _axis(keys: list[list[Any]], rows: list[int], nlev: int, depth: int,
          sort: list[tuple[int, int]], value_of: Any, table: bool = False) -> list[_Item]:
    """The items of one axis in output order.

    ``keys[i]`` are data row ``i``'s field values; ``depth`` is the total depth;
    ``value_of(v, rows)`` the aggregate used to sort by value column ``v``.
    """
    sub_levels = 0 if table else max(0, min(abs(depth), nlev + 1) - 1)
    top = depth < 0
    level_dir: dict[int, int] = {}
    value_sort: tuple[int, int] | None = None
    for col, d in sort:
        if col < nlev:
            level_dir.setdefault(col, d)
        elif value_sort is None and nlev - 1 not in level_dir:
            value_sort = (col - nlev, d)
    items: list[_Item] = []

    def groups(rs: list[int], level: int) -> list[tuple[Any, list[int]]]:
        found: dict[Any, tuple[Any, list[int]]] = {}
        for i in rs:
            k = keys[i][level]
            g = found.get(_key(k))
            if g is None:
                found[_key(k)] = (k, [i])
            else:
                g[1].append(i)
        out = sorted(found.values(), key=lambda g: _key(g[0]),
                     reverse=level_dir.get(level, 1) < 0)
        if value_sort is not None and level == nlev - 1:
            v, d = value_sort
            vals = {id(g): value_of(v, g[1]) for g in out}
            out.sort(key=lambda g: _sort_key(vals[id(g)]), reverse=d < 0)
        return out

    def walk(prefix: list[Any], rs: list[int], level: int) -> None:
        for k, g in groups(rs, level):
            labels = [*prefix, _label(k)]
            if level == nlev - 1:
                items.append(_Item(labels, g, rs))
                continue
            sub = None
            if level < sub_levels:
                sub = _Item(labels + [""] * (nlev - level - 1), g, rs)
            if sub is not None and top:
                items.append(sub)
            walk(labels, g, level + 1)
            if sub is not None and not top:
                items.append(sub)

    if table:
        _table(keys, rows, nlev, sort, value_of, items)
    else:
        walk([], rows, 0)
    if depth != 0:
        name = "Grand Total" if sub_levels and nlev > 1 else "Total"
        total = _Item([name] + [""] * (nlev - 1), rows, rows)
        if top:
            items.insert(0, total)
        else:
            items.append(total)
    return items


def _table(keys: list[list[Any]], rows: list[int], nlev: int, sort: list[tuple[int, int]],
           value_of: Any, items: list[_Item]) -> None:
    """GROUPBY's field_relationship 1: distinct combinations sorted as a flat table."""
    found: dict[tuple, tuple[list[Any], list[int]]] = {}
    for i in rows:
        k = tuple(_key(x) for x in keys[i])
        g = found.get(k)
        if g is None:
            found[k] = ([_label(x) for x in keys[i]], [i])
        else:
            g[1].append(i)
    combos = list(found.values())
    spec = list(sort) + [(c, 1) for c in range(nlev) if c not in {s for s, _ in sort}]
    for col, d in reversed(spec):
        if col < nlev:
            combos.sort(key=lambda g, c=col: _sort_key(keys[g[1][0]][c]) if keys[g[1][0]][c]
                        is not None else (5, 0), reverse=d < 0)
        else:
            vals = {id(g): value_of(col - nlev, g[1]) for g in combos}
            combos.sort(key=lambda g: _sort_key(vals[id(g)]), reverse=d < 0)
    items.extend(_Item(labels, g, rows) for labels, g in combos)


# --- the functions ----------------------------------------------------------------------


def _prepare(fields: list[Array], values: Array, headers: Any, filt: Any) -> tuple:
    n = values.nrows
    for f in fields:
        if f.nrows != n:
            raise XLFail(VALUE, "row_fields, col_fields and values differ in length")
    has, show = _headers_mode(headers, values)
    start = 1 if has else 0
    keep = _filter(filt, n - start, has)
    rows = [i for i in range(n - start) if keep is None or keep[i]]
    if not rows:
        raise XLFail(CALC, "no data row (all filtered out)")
    return has, show, start, rows


def _names(a: Array, has: bool, generated: str) -> list[Any]:
    if has:
        return [_label(v) for v in a.rows[0]]
    if a.ncols == 1:
        return [generated]
    return [f"{generated} {j + 1}" for j in range(a.ncols)]


@xlfunction("GROUPBY", "array, array, any, any?, any?, any?, any?, any?")
def GROUPBY(row_fields: Array, values: Array, function: Any, field_headers: Any = None,
            total_depth: Any = None, sort_order: Any = None, filter_array: Any = None,
            field_relationship: Any = None) -> Any:
    """Groups, aggregates, sorts and filters data by the given row fields.

    Notes
    -----
    ``total_depth`` left out shows the grand total only (what Excel stores for
    'LOOKUP'!Y25, whatever its documentation says about "subtotals if possible"); its
    magnitude may not exceed the number of fields when above 2 (#VALUE!). The names
    ``field_headers`` 2 generates (``Row Field``/``Value``) are not verified against
    Excel. A vector of functions is not supported (#VALUE!).
    """
    lam = _lambda(function)
    has, show, start, rows = _prepare([row_fields], values, field_headers, filter_array)
    nlev, nval = row_fields.ncols, values.ncols
    depth = _option(total_depth, range(-max(2, nlev), max(2, nlev) + 1), 1)
    assert depth is not None
    sort = _sort_spec(sort_order, nlev + nval)
    table = _option(field_relationship, (0, 1), 0) == 1
    keys = [list(r) for r in row_fields.rows[start:]]
    columns = [[r[j] for r in values.rows[start:]] for j in range(nval)]
    agg = _Agg(lam, columns)

    def value_of(v: int, rs: list[int]) -> Any:
        return agg(v, rs, rows)

    items = _axis(keys, rows, nlev, depth, sort, value_of, table)
    out = []
    if show:
        out.append(_names(row_fields, has, "Row Field") + _names(values, has, "Value"))
    for it in items:
        out.append(it.labels + [agg(v, it.rows, rows) for v in range(nval)])
    if not out:
        return CALC
    return Array(out) if len(out) > 1 or len(out[0]) > 1 else out[0][0]


@xlfunction("PIVOTBY", "array, array, array, any, any?, any?, any?, any?, any?, any?, any?")
def PIVOTBY(row_fields: Array, col_fields: Array, values: Array, function: Any,
            field_headers: Any = None, row_total_depth: Any = None,
            row_sort_order: Any = None, col_total_depth: Any = None,
            col_sort_order: Any = None, filter_array: Any = None,
            relative_to: Any = None) -> Any:
    """Summarises data by row and column fields: grouped, aggregated, sorted, filtered.

    Notes
    -----
    A sort index past the fields sorts the innermost groups by the value column's total
    over the other axis. ``relative_to`` (0 column totals, 1 row totals, 2 grand total,
    3 parent column total, 4 parent row total) only matters for a two-parameter
    function such as PERCENTOF. Totals depths, generated header names and vectors of
    functions as in GROUPBY.
    """
    lam = _lambda(function)
    has, show, start, rows = _prepare([row_fields, col_fields], values, field_headers,
                                      filter_array)
    nr, nc, nval = row_fields.ncols, col_fields.ncols, values.ncols
    rdepth = _option(row_total_depth, range(-max(2, nr), max(2, nr) + 1), 1)
    cdepth = _option(col_total_depth, range(-max(2, nc), max(2, nc) + 1), 1)
    assert rdepth is not None and cdepth is not None
    rsort = _sort_spec(row_sort_order, nr + nval)
    csort = _sort_spec(col_sort_order, nc + nval)
    rel = _option(relative_to, range(5), 0)
    rkeys = [list(r) for r in row_fields.rows[start:]]
    ckeys = [list(r) for r in col_fields.rows[start:]]
    columns = [[r[j] for r in values.rows[start:]] for j in range(nval)]
    agg = _Agg(lam, columns)

    def row_value(v: int, rs: list[int]) -> Any:  # the row's total over every column
        return agg(v, rs, _relative(rel, rs, rows, rows, rows, rows))

    def col_value(v: int, cs: list[int]) -> Any:
        return agg(v, cs, _relative(rel, rows, rows, cs, rows, rows))

    ritems = _axis(rkeys, rows, nr, rdepth, rsort, row_value)
    citems = _axis(ckeys, rows, nc, cdepth, csort, col_value)
    out: list[list[Any]] = []
    width = len(citems) * nval
    if show:
        names = _names(col_fields, has, "Col Field")
        out.append([""] * nr + [", ".join(str(x) for x in names)] + [""] * (width - 1))
    for lev in range(nc):
        out.append([""] * nr + [it.labels[lev] for it in citems for _ in range(nval)])
    if show:
        vnames = _names(values, has, "Value")
        out.append(_names(row_fields, has, "Row Field") + vnames * len(citems))
    for ri in ritems:
        rset = set(ri.rows)
        line = list(ri.labels)
        for ci in citems:
            both = [i for i in ci.rows if i in rset]
            whole = _relative(rel, ri.rows, ri.parent, ci.rows, ci.parent, rows)
            line.extend(agg(v, both, whole) for v in range(nval))
        out.append(line)
    return Array(out) if len(out) > 1 or len(out[0]) > 1 else out[0][0]


def _relative(rel: int | None, r: list[int], r_parent: list[int], c: list[int],
              c_parent: list[int], every: list[int]) -> list[int]:
    """The rows a two-parameter function's second argument covers (``relative_to``)."""
    if rel == 0:
        return c
    if rel == 1:
        return r
    if rel == 2:
        return every
    if rel == 3:
        cs = set(c_parent)
        return [i for i in r if i in cs]
    rs = set(r_parent)
    return [i for i in c if i in rs]
