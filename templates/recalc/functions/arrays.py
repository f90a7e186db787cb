"""Dynamic-array functions (Excel 365): SEQUENCE, FILTER, SORT, UNIQUE, TAKE, VSTACK …

Conventions
-----------
* An empty result is ``#CALC!`` (Excel saves that error as ``#VALUE!`` in the cell's
  cached value, with the real error type in the file's rich-value metadata).
* Empty cells of the input come out as 0, as a spilled range shows them.
* Count arguments (TAKE's rows, TOCOL's ignore, …) given an array make the call
  element-wise, each element's result reduced to its top-left value (what Excel's
  answers show, e.g. ``=TAKE({1,2,3;4,5,6},1,{1;2})`` is ``{1;1}``); an argument left
  out is told from an empty cell (``EXPAND(a,,3)`` keeps the rows, ``EXPAND(a,A1)`` with
  A1 empty is ``#VALUE!``).
* Sorting orders numbers < text (case-insensitive) < logicals < errors (by error code),
  blanks last in either direction; sorts are stable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from templates.recalc.functions._args import one_area
from templates.recalc.registry import xlfunction
from templates.recalc.values import (
    CALC,
    NA,
    NUM,
    REF,
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

_ERR_ORDER = {e: i for i, e in enumerate(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
     "#SPILL!", "#CALC!"))}


# --- arguments ------------------------------------------------------------------------


_arr = one_area  # one rectangle of values (templates.recalc.functions._args)


def _out(rows: list[list[Any]]) -> Any:
    """A result: empties as 0; no rows is #CALC!; one cell is that value."""
    if not rows or not rows[0]:
        return CALC
    rows = [[0.0 if v is None else v for v in r] for r in rows]
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return Array(rows)


def _scalar_arg(v: Any) -> Any:
    """A count argument as evaluated: None when left out, 0 for an empty cell, an Array
    to go element-wise."""
    if isinstance(v, Ref):
        if v.is_cell:
            x = v.value()
            return 0.0 if x is None else x
        v = v.array()
    if isinstance(v, MultiRef):
        return VALUE
    if isinstance(v, Array):
        return v.map(lambda x: 0.0 if x is None else x)
    return v


def _lifted(fn: Callable[..., Any], first: Any, *args: Any) -> Any:
    """``fn(first, *args)`` with the count arguments ``args`` element-wise over arrays."""
    conv = [_scalar_arg(a) for a in args]
    arrays = [a for a in conv if isinstance(a, Array)]
    if not arrays:
        return fn(first, *conv)
    nr = max(a.nrows for a in arrays)
    nc = max(a.ncols for a in arrays)
    out = []
    for r in range(nr):
        line = []
        for c in range(nc):
            el = [a.get(r, c) if isinstance(a, Array) else a for a in conv]
            try:
                v = fn(first, *el)
            except XLFail as exc:
                v = exc.error
            if isinstance(v, Array):
                v = v.rows[0][0]
            line.append(v)
        out.append(line)
    return Array(out)


def _int(v: Any, default: int | None = None) -> int | None:
    """A count: None (left out) is ``default``; errors raise; numbers truncate."""
    if v is None:
        return default
    x = to_number(v)
    if not math.isfinite(x):
        raise XLFail(NUM)
    return math.trunc(x)


def _flag(v: Any, default: bool = False) -> bool:
    if v is None:
        return default
    return to_bool(v)


# --- generating and reshaping -----------------------------------------------------------


@xlfunction("SEQUENCE", "any, any?, any?, any?")
def SEQUENCE(rows: Any, cols: Any = None, start: Any = None, step: Any = None) -> Any:
    """A list of sequential numbers in an array, like 1, 2, 3, 4.

    Examples
    --------
    >>> SEQUENCE(2.0, 3.0, 10.0, 5.0)
    Array([[10.0, 15.0, 20.0], [25.0, 30.0, 35.0]])
    """

    def one(_: Any, rows: Any, cols: Any, start: Any, step: Any) -> Any:
        r = _int(rows, 1)
        c = _int(cols, 1)
        s = 1.0 if start is None else to_number(start)
        d = 1.0 if step is None else to_number(step)
        assert r is not None and c is not None
        if r < 0 or c < 0:
            return VALUE
        if r == 0 or c == 0:
            return CALC
        if r * c > 1_048_576 * 16_384:
            return NUM
        return _out([[s + d * (i * c + j) for j in range(c)] for i in range(r)])

    return _lifted(one, None, rows, cols, start, step)


@xlfunction("TAKE", "array, any, any?")
def TAKE(a: Array, rows: Any, cols: Any = None) -> Any:
    """A number of rows or columns from the start (positive) or end (negative)."""

    def one(a: Array, rows: Any, cols: Any) -> Any:
        r, c = _int(rows), _int(cols)
        data = a.rows
        if r is not None:
            if r == 0:
                return CALC
            data = data[:r] if r > 0 else data[r:]
        if c is not None:
            if c == 0:
                return CALC
            data = [row[:c] if c > 0 else row[c:] for row in data]
        return _out([list(x) for x in data])

    return _lifted(one, a, rows, cols)


@xlfunction("DROP", "array, any, any?")
def DROP(a: Array, rows: Any, cols: Any = None) -> Any:
    """The array without a number of rows or columns at the start (positive) or end."""

    def one(a: Array, rows: Any, cols: Any) -> Any:
        r, c = _int(rows), _int(cols)
        data = a.rows
        if r:
            data = data[r:] if r > 0 else data[:r]
        if c:
            data = [row[c:] if c > 0 else row[:c] for row in data]
        return _out([list(x) for x in data])

    return _lifted(one, a, rows, cols)


@xlfunction("EXPAND", "array, any, any?, scalar_e?")
def EXPAND(a: Array, rows: Any, cols: Any = None, pad: Any = NA) -> Any:
    """The array grown to ``rows`` × ``cols``, new cells filled with ``pad`` (#N/A)."""
    if pad is None:
        pad = NA

    def one(a: Array, rows: Any, cols: Any) -> Any:
        r = _int(rows, a.nrows)
        c = _int(cols, a.ncols)
        assert r is not None and c is not None
        if r < a.nrows or c < a.ncols:
            return VALUE
        if r * c > 1_048_576 * 16_384:
            return NUM
        out = [list(row) + [pad] * (c - a.ncols) for row in a.rows]
        out += [[pad] * c for _ in range(r - a.nrows)]
        return _out(out)

    return _lifted(one, a, rows, cols)


def _indexes(args: tuple[Any, ...], n: int) -> list[int]:
    out: list[int] = []
    for v in args:
        if isinstance(v, (Ref, Array)):
            a = _arr(v)
            if a.nrows > 1 and a.ncols > 1:
                raise XLFail(VALUE, "index list must be one row or column")
            vals = list(a.flat())
        else:
            vals = [v]
        for x in vals:
            if type(x) is ExcelError:
                raise XLFail(x)
            i = math.trunc(to_number(x if x is not None else 0.0))
            if i == 0 or abs(i) > n:
                raise XLFail(VALUE, f"index {i} is outside the array")
            out.append(i - 1 if i > 0 else n + i)
    return out


@xlfunction("CHOOSECOLS", "array, any*")
def CHOOSECOLS(a: Array, *cols: Any) -> Any:
    """The given columns of an array (negative numbers count from the end)."""
    idx = _indexes(cols, a.ncols)
    return _out([[row[j] for j in idx] for row in a.rows])


@xlfunction("CHOOSEROWS", "array, any*")
def CHOOSEROWS(a: Array, *rows: Any) -> Any:
    """The given rows of an array (negative numbers count from the end)."""
    idx = _indexes(rows, a.nrows)
    return _out([list(a.rows[i]) for i in idx])


def _to_vector(a: Array, ignore: Any, by_col: Any) -> list[Any]:
    mode = _int(ignore, 0)
    if mode not in (0, 1, 2, 3):
        raise XLFail(VALUE, "ignore must be 0, 1, 2 or 3")
    if _flag(by_col):
        vals = [a.rows[r][c] for c in range(a.ncols) for r in range(a.nrows)]
    else:
        vals = list(a.flat())
    if mode & 1:
        vals = [v for v in vals if v is not None]
    if mode & 2:
        vals = [v for v in vals if type(v) is not ExcelError]
    return vals


@xlfunction("TOCOL", "array, any?, any?")
def TOCOL(a: Array, ignore: Any = None, by_col: Any = None) -> Any:
    """The array as one column (``ignore`` 1 blanks, 2 errors, 3 both; by rows unless
    ``scan_by_column``)."""
    return _lifted(lambda a, i, b: _out([[v] for v in _to_vector(a, i, b)]),
                   a, ignore, by_col)


@xlfunction("TOROW", "array, any?, any?")
def TOROW(a: Array, ignore: Any = None, by_col: Any = None) -> Any:
    """The array as one row (``ignore`` 1 blanks, 2 errors, 3 both)."""
    return _lifted(lambda a, i, b: _out([_to_vector(a, i, b)]), a, ignore, by_col)


def _wrap(a: Array, count: Any, pad: Any, by_rows: bool) -> Any:
    if a.nrows > 1 and a.ncols > 1:
        return VALUE
    n = _int(count)
    if n is None or n < 1:
        return NUM
    vals = list(a.flat())
    chunks = [vals[i:i + n] for i in range(0, len(vals), n)]
    chunks[-1] += [NA if pad is None else pad] * (n - len(chunks[-1]))
    if by_rows:
        return _out(chunks)
    return _out([list(r) for r in zip(*chunks, strict=True)])


@xlfunction("WRAPROWS", "array, any, scalar_e?")
def WRAPROWS(a: Array, count: Any, pad: Any = None) -> Any:
    """A row or column of values wrapped into rows of ``count`` values."""
    return _lifted(lambda a, n: _wrap(a, n, pad, True), a, count)


@xlfunction("WRAPCOLS", "array, any, scalar_e?")
def WRAPCOLS(a: Array, count: Any, pad: Any = None) -> Any:
    """A row or column of values wrapped into columns of ``count`` values."""
    return _lifted(lambda a, n: _wrap(a, n, pad, False), a, count)


@xlfunction("HSTACK", "array*")
def HSTACK(*arrays: Array) -> Any:
    """Arrays side by side; shorter ones padded with #N/A."""
    n = max(a.nrows for a in arrays)
    rows = []
    for i in range(n):
        line: list[Any] = []
        for a in arrays:
            line.extend(a.rows[i] if i < a.nrows else [NA] * a.ncols)
        rows.append(line)
    return _out(rows)


@xlfunction("VSTACK", "array*")
def VSTACK(*arrays: Array) -> Any:
    """Arrays one below the other; narrower ones padded with #N/A."""
    n = max(a.ncols for a in arrays)
    rows = []
    for a in arrays:
        for r in a.rows:
            rows.append(list(r) + [NA] * (n - len(r)))
    return _out(rows)


# --- filtering, sorting, unique ---------------------------------------------------------


@xlfunction("FILTER", "array, array, any?")
def FILTER(a: Array, include: Array, if_empty: Any = None) -> Any:
    """The rows (or columns) of an array whose ``include`` value is TRUE; ``if_empty``
    (else #CALC!) when none is."""
    if include.ncols == 1 and include.nrows == a.nrows:
        flags = [r[0] for r in include.rows]
        along_rows = True
    elif include.nrows == 1 and include.ncols == a.ncols:
        flags = list(include.rows[0])
        along_rows = False
    else:
        return VALUE
    keep = []
    for i, f in enumerate(flags):
        if type(f) is ExcelError:
            return f
        if f is None:
            continue
        if type(f) is str:
            return VALUE
        if to_bool(f):
            keep.append(i)
    if not keep:
        if if_empty is None:
            return CALC
        if isinstance(if_empty, (Ref, Array)):
            return _out(_arr(if_empty).rows)
        return if_empty
    if along_rows:
        return _out([list(a.rows[i]) for i in keep])
    return _out([[row[i] for i in keep] for row in a.rows])


def _sort_key(v: Any) -> tuple[int, Any]:
    t = type(v)
    if t is float or t is int:
        return (0, v)
    if t is str:
        return (1, v.lower())
    if t is bool:
        return (2, v)
    if t is ExcelError:
        return (3, _ERR_ORDER.get(str(v), 99))
    return (4, 0)


def _sort(n: int, keys: list[tuple[list[Any], int]]) -> list[int]:
    """Stable order of ``n`` items by several key vectors (order 1 or -1); blanks last."""
    order = list(range(n))
    for vec, direction in reversed(keys):
        blanks = [i for i in order if vec[i] is None]
        rest = [i for i in order if vec[i] is not None]
        # reverse=True keeps equal items in their order: the sort stays stable
        rest.sort(key=lambda i, vec=vec: _sort_key(vec[i]), reverse=direction < 0)
        order = rest + blanks
    return order


def _vals(v: Any) -> list[Any]:
    a = _arr(v)
    return list(a.flat())


@xlfunction("SORT", "array, any?, any?, any?")
def SORT(a: Array, index: Any = None, order: Any = None, by_col: Any = None) -> Any:
    """The array sorted by one or more of its columns (rows with ``by_col``)."""
    col = _flag(_scalar_arg(by_col)) if not isinstance(_scalar_arg(by_col), Array) else None
    if col is None:
        return VALUE
    idx = [1.0] if index is None else _vals(_scalar_arg(index))
    ords = [1.0] if order is None else _vals(_scalar_arg(order))
    if len(ords) == 1 and len(idx) > 1:
        ords = ords * len(idx)
    if len(ords) != len(idx):
        return VALUE
    width = a.nrows if col else a.ncols
    keys = []
    for i, o in zip(idx, ords, strict=True):
        if type(i) is ExcelError:
            return i
        if type(o) is ExcelError:
            return o
        k = math.trunc(to_number(i))
        d = math.trunc(to_number(o))
        if k < 1 or k > width or d not in (1, -1):
            return VALUE
        vec = a.rows[k - 1] if col else [r[k - 1] for r in a.rows]
        keys.append((list(vec), d))
    n = a.ncols if col else a.nrows
    perm = _sort(n, keys)
    if col:
        return _out([[row[j] for j in perm] for row in a.rows])
    return _out([list(a.rows[i]) for i in perm])


@xlfunction("SORTBY", "array, any, any?", repeat=2)
def SORTBY(a: Array, *pairs: Any) -> Any:
    """The array sorted by the values of other arrays (``by_array, [order]`` pairs)."""
    keys = []
    along_rows: bool | None = None
    for k in range(0, len(pairs), 2):
        by = _arr(pairs[k])
        o = pairs[k + 1] if k + 1 < len(pairs) else None
        d = 1 if o is None else _int(_scalar_arg(o) if not isinstance(o, Array) else o.rows[0][0])
        if d not in (1, -1):
            return VALUE
        if by.ncols == 1 and by.nrows == a.nrows and along_rows is not False:
            vec, along = [r[0] for r in by.rows], True
        elif by.nrows == 1 and by.ncols == a.ncols and along_rows is not True:
            vec, along = list(by.rows[0]), False
        else:
            return VALUE
        along_rows = along
        keys.append((vec, d))
    if along_rows is None:
        return VALUE
    if along_rows:
        perm = _sort(a.nrows, keys)
        return _out([list(a.rows[i]) for i in perm])
    perm = _sort(a.ncols, keys)
    return _out([[row[j] for j in perm] for row in a.rows])


def _ukey(v: Any) -> tuple[int, Any]:
    return _sort_key(0.0 if v is None else v) if v is not None else (4, 0)


@xlfunction("UNIQUE", "array, any?, any?")
def UNIQUE(a: Array, by_col: Any = None, exactly_once: Any = None) -> Any:
    """The distinct rows (columns with ``by_col``) of an array, or with ``exactly_once``
    only those that occur once; text compares case-insensitively."""

    def one(a: Array, by_col: Any, once: Any) -> Any:
        col = _flag(by_col)
        items = ([[r[j] for r in a.rows] for j in range(a.ncols)] if col
                 else [list(r) for r in a.rows])
        counts: dict[tuple, int] = {}
        first: dict[tuple, list[Any]] = {}
        for it in items:
            key = tuple(_ukey(v) for v in it)
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, it)
        keep = [first[k] for k in first if not _flag(once) or counts[k] == 1]
        if not keep:
            return CALC
        if col:
            return _out([list(r) for r in zip(*keep, strict=True)])
        return _out(keep)

    return _lifted(one, a, by_col, exactly_once)


@xlfunction("TRIMRANGE", "ref, any?, any?")
def TRIMRANGE(ref: Any, trim_rows: Any = None, trim_cols: Any = None) -> Any:
    """The reference without its empty leading and/or trailing rows and columns
    (``trim_rows``/``trim_cols``: 0 none, 1 leading, 2 trailing, 3 both, the default)."""

    def mode(v: Any) -> int:
        v = _scalar_arg(v)
        if v is None:
            return 3
        if isinstance(v, Array):
            raise XLFail(VALUE, "trim mode must be a single value")
        x = to_number(v)
        if x != int(x) or x not in (0, 1, 2, 3):
            raise XLFail(VALUE, "trim mode must be 0, 1, 2 or 3")
        return int(x)

    mr, mc = mode(trim_rows), mode(trim_cols)
    if not isinstance(ref, Ref):
        a = _arr(ref)
        rows = a.rows
        r1, c1, r2, c2 = 0, 0, a.nrows - 1, a.ncols - 1
    else:
        rows = ref.array().rows
        r1, c1, r2, c2 = 0, 0, ref.nrows - 1, ref.ncols - 1

    def row_empty(i: int) -> bool:
        return all(v is None for v in rows[i][c1:c2 + 1])

    def col_empty(j: int) -> bool:
        return all(rows[i][j] is None for i in range(r1, r2 + 1))

    if mr & 1:
        while r1 <= r2 and row_empty(r1):
            r1 += 1
    if mr & 2:
        while r2 >= r1 and row_empty(r2):
            r2 -= 1
    if r1 > r2:
        return REF
    if mc & 1:
        while c1 <= c2 and col_empty(c1):
            c1 += 1
    if mc & 2:
        while c2 >= c1 and col_empty(c2):
            c2 -= 1
    if c1 > c2:
        return REF
    if isinstance(ref, Ref):
        return Ref(ref.book, ref.sheet, ref.r1 + r1, ref.c1 + c1, ref.r1 + r2, ref.c1 + c2)
    return _out([list(r[c1:c2 + 1]) for r in rows[r1:r2 + 1]])
