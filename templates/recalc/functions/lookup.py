"""Lookup and reference functions, value side: VLOOKUP, MATCH, XLOOKUP, INDEX, CHOOSE …

How Excel searches
------------------
*Exact* searches (``MATCH(x, a, 0)``, ``VLOOKUP(…, FALSE)``, XLOOKUP's default) compare
``x`` with values of its own type only: text case-insensitively, with the wildcards
``*``, ``?`` and ``~`` where the function allows them; empty cells and errors in the
array never match.

*Approximate* searches (``MATCH(x, a)``, ``LOOKUP``, ``VLOOKUP(…, TRUE)``) are Excel's
binary search, which is why they give odd answers on unsorted data rather than the
answer a scan would give: the midpoint of the remaining interval is probed; a probe on
a value of another type (or an empty cell or an error) moves forward to the next value
of ``x``'s type inside the interval, and the half without such values is dropped; an
equal value ends the search at once. See :func:`_approx_le`.

``MATCH(x, a, -1)`` scans from the start and stops at the first value of ``x``'s type
smaller than ``x`` (what Excel's answers on unsorted data show).

XMATCH and XLOOKUP fold text case fully (``str.casefold``: "ß" matches "ss"), and order
values across types (numbers < text < logicals < an empty
lookup value < errors and empty cells) for their next-smaller / next-larger modes and
their binary searches, and compare within one type for exact and wildcard matches.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from templates.recalc.functions._args import _wildcard, one_area
from templates.recalc.registry import MISSING, _intersect, xlfunction
from templates.recalc.values import (
    NA,
    REF,
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
    to_number,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__: list[str] = []

# --- values and types ---------------------------------------------------------------


def _type(v: Any) -> int:
    """0 number, 1 text, 2 logical, -1 anything that never matches (empty, error)."""
    t = type(v)
    if t is float or t is int:
        return 0
    if t is str:
        return 1
    if t is bool:
        return 2
    return -1


def _same_cmp(a: Any, b: Any) -> int:
    """Compare two values of the same :func:`_type`."""
    if type(a) is str:
        a, b = a.lower(), b.lower()
    if a == b:
        return 0
    return -1 if a < b else 1


_arr = one_area  # one rectangle of values (templates.recalc.functions._args)


def _vector(a: Array) -> list[Any] | None:
    """The values of a one-row or one-column array (not to be changed), else None."""
    if a.nrows == 1:
        return a.rows[0]  # read only, as every caller uses it
    if a.ncols == 1:
        return a.column_values(0)
    return None


def _has_wild(x: str) -> bool:
    return "*" in x or "?" in x or "~" in x


def _exact(vals: list[Any], x: Any, wildcards: bool, reverse: bool = False,
           fold: Callable[[str], str] = str.lower) -> int:
    """Index of the first (last with ``reverse``) value equal to ``x``, or -1; text
    compares after ``fold`` (XMATCH folds case fully: "ß" equals "ss")."""
    k = _type(x)
    order = range(len(vals) - 1, -1, -1) if reverse else range(len(vals))
    if k == 1 and wildcards and _has_wild(x):
        rx = _wildcard(x)
        for i in order:
            v = vals[i]
            if type(v) is str and rx.match(v):
                return i
        return -1
    if k == 1:
        xl = fold(x)
        for i in order:
            v = vals[i]
            if type(v) is str and fold(v) == xl:
                return i
        return -1
    if k == -1:
        return -1
    if k == 0 and not reverse:
        # list.index compares in C; TRUE == 1.0 in Python, so a match of another type
        # (a logical) is stepped over, as Excel never matches a number with one
        start = 0
        while True:
            try:
                i = vals.index(x, start)
            except ValueError:
                return -1
            if _type(vals[i]) == 0:
                return i
            start = i + 1
    for i in order:
        v = vals[i]
        if _type(v) == k and v == x:
            return i
    return -1


def _approx_le(vals: list[Any], x: Any) -> int:
    """Excel's binary search for the last value <= ``x`` in ascending data; -1 if none.

    Notes
    -----
    With ``lo, hi`` the interval still open, the probe is ``mid = (lo + hi) // 2``;
    values of another type than ``x`` (empty cells, errors) are skipped forward to the
    first value ``k`` of ``x``'s type in ``mid..hi``. None there: ``hi = mid - 1``.
    ``vals[k] == x``: the answer is ``k``. ``vals[k] < x``: remember ``k``,
    ``lo = k + 1``. Otherwise ``hi = mid - 1``. On sorted data this is the last value
    <= ``x`` (the first of equal ones found); on unsorted data it reproduces Excel's
    answers, e.g. ``MATCH(4.1, {"c",4.1,"a",1.1})`` is 2 and ``MATCH(3,
    {4.1,3.1,2.1,1.1})`` is #N/A.
    """
    k = _type(x)
    if k == -1:
        return -1
    lo, hi = 0, len(vals) - 1
    best = -1
    while lo <= hi:
        mid = (lo + hi) // 2
        j = mid
        while j <= hi and _type(vals[j]) != k:
            j += 1
        if j > hi:
            hi = mid - 1
            continue
        c = _same_cmp(vals[j], x)
        if c == 0:
            return j
        if c < 0:
            best = j
            lo = j + 1
        else:
            hi = mid - 1
    return best


def _scan_ge(vals: list[Any], x: Any) -> int:
    """MATCH type -1: scan for the last of the leading values >= ``x`` of its type."""
    k = _type(x)
    best = -1
    if k == -1:
        return -1
    for i, v in enumerate(vals):
        if _type(v) != k:
            continue
        c = _same_cmp(v, x)
        if c < 0:
            break
        best = i
        if c == 0:
            break
    return best


def _lookup_value(x: Any) -> Any:
    """The lookup value as the classic lookups read it: an empty cell is 0."""
    return 0.0 if x is None else x


# --- VLOOKUP, HLOOKUP, LOOKUP, MATCH ----------------------------------------------------


def _match_pos(vals: list[Any], x: Any, mode: float) -> int:
    if mode > 0:
        return _approx_le(vals, x)
    if mode < 0:
        return _scan_ge(vals, x)
    return _exact(vals, x, wildcards=True)


def _first(v: Any) -> float:
    """A row/column number argument: an array gives its first element (Excel does not
    work element-wise over VLOOKUP's column number)."""
    if isinstance(v, Ref):
        v = v.value()
    elif isinstance(v, Array):
        v = v.rows[0][0]
    elif isinstance(v, MultiRef):
        raise XLFail(VALUE)
    return float(math.trunc(to_number(v)))


@xlfunction("VLOOKUP", "scalar, array, any, bool?")
def VLOOKUP(x: Any, table: Array, col: Any, approx: bool = True) -> Any:
    """Looks in the first column of a table and returns a value from the same row.

    Examples
    --------
    >>> VLOOKUP(2.5, Array([[1.0, "a"], [2.0, "b"], [3.0, "c"]]), 2.0)
    'b'
    """
    x = _lookup_value(x)
    col = _first(col)
    if col < 1:
        return VALUE
    if col > table.ncols:
        return REF
    keys = table.column_values(0)
    i = _approx_le(keys, x) if approx else _exact(keys, x, wildcards=True)
    if i < 0:
        return NA
    return table.rows[i][int(col) - 1]


@xlfunction("HLOOKUP", "scalar, array, any, bool?")
def HLOOKUP(x: Any, table: Array, row: Any, approx: bool = True) -> Any:
    """Looks in the top row of a table and returns a value from the same column."""
    x = _lookup_value(x)
    row = _first(row)
    if row < 1:
        return VALUE
    if row > table.nrows:
        return REF
    keys = table.rows[0]
    i = _approx_le(keys, x) if approx else _exact(keys, x, wildcards=True)
    if i < 0:
        return NA
    return table.rows[int(row) - 1][i]


@xlfunction("LOOKUP", "scalar, any, any?")
def LOOKUP(x: Any, lookup: Any, result: Any = None) -> Any:
    """Looks up a value in a vector (or the first row/column of an array) and returns the
    value in the same position of the result vector (or of the last row/column).

    Notes
    -----
    Always Excel's approximate binary search (:func:`_approx_le`). Without
    ``result``, an array wider than tall is searched along its first row and answers
    from its last row, otherwise along its first column, answering from its last
    column. A ``result`` reference shorter than the position found reads on past its
    end, as Excel does.
    """
    x = _lookup_value(x)
    a = _arr(lookup)
    if a.ncols > a.nrows:
        keys, answers = a.rows[0], a.rows[-1]
    else:
        keys, answers = [r[0] for r in a.rows], [r[-1] for r in a.rows]
    i = _approx_le(keys, x)
    if i < 0:
        return NA
    if result is None:
        return answers[i]
    if isinstance(result, Ref):
        if result.nrows > 1 and result.ncols > 1:
            return NA
        if result.nrows == 1 and result.ncols > 1:
            return result.book.cell_value(result.sheet, result.r1, result.c1 + i)
        return result.book.cell_value(result.sheet, result.r1 + i, result.c1)
    vec = _vector(_arr(result))
    if vec is None or i >= len(vec):
        return NA
    return vec[i]


@xlfunction("MATCH", "scalar, any, number?")
def MATCH(x: Any, lookup: Any, mode: float = 1.0) -> Any:
    """The relative position of an item in a range that matches a value.

    ``mode`` 1 (default): largest value <= ``x`` in ascending data; 0: the first exact
    match (wildcards in text); -1: smallest value >= ``x`` in descending data.

    Examples
    --------
    >>> MATCH(25.0, Array([[10.0, 20.0, 30.0]])), MATCH("B*", Array([["a", "bc"]]), 0.0)
    (2.0, 2.0)
    """
    vals = _vector(_arr(lookup))
    if vals is None:
        return NA
    i = _match_pos(vals, _lookup_value(x), mode)
    return NA if i < 0 else float(i + 1)


# --- XMATCH, XLOOKUP --------------------------------------------------------------------


def _xkey(v: Any, lookup: bool = False) -> tuple[int, Any]:
    """Cross-type order of XMATCH: numbers < text < logicals < empty lookup < errors,
    empty cells."""
    t = type(v)
    if t is float or t is int:
        return (0, v)
    if t is str:
        return (1, v.casefold())
    if t is bool:
        return (2, v)
    if v is None:
        return (3, 0) if lookup else (5, 0)
    return (4, 0)


def _xsearch(vals: list[Any], x: Any, match_mode: int, search_mode: int) -> int:
    """Index found by XMATCH's modes (see the module docstring), or -1."""
    n = len(vals)
    if match_mode == 2 and type(x) is str:
        if abs(search_mode) == 2:
            raise XLFail(VALUE, "wildcard match cannot use a binary search")
        return _exact(vals, x, wildcards=True, reverse=search_mode == -1)
    xk = _xkey(x, lookup=True)
    if abs(search_mode) == 1:
        if match_mode in (0, 2):
            return _exact(vals, x, wildcards=False, reverse=search_mode == -1,
                          fold=str.casefold)
        order = range(n - 1, -1, -1) if search_mode == -1 else range(n)
        best, bkey = -1, None
        for i in order:
            k = _xkey(vals[i])
            if k == xk:
                return i
            smaller = match_mode == -1 and k < xk and (bkey is None or k > bkey)
            larger = match_mode == 1 and xk < k and k[0] < 4 and (bkey is None or k < bkey)
            if smaller or larger:
                best, bkey = i, k
        return best
    # binary search over data sorted ascending (2) or descending (-2)
    lo, hi = 0, n - 1
    best = -1
    asc = search_mode == 2
    while lo <= hi:
        mid = (lo + hi) // 2
        k = _xkey(vals[mid])
        if k == xk:
            return mid
        if k < xk:
            if match_mode == -1:
                best = mid
            if asc:
                lo = mid + 1
            else:
                hi = mid - 1
        else:
            if match_mode == 1 and k[0] < 4:
                best = mid
            if asc:
                hi = mid - 1
            else:
                lo = mid + 1
    return best


def _modes(match_mode: float, search_mode: float) -> tuple[int, int]:
    m, s = math.floor(match_mode), math.floor(search_mode)
    if m == 3:  # regular-expression matching (Excel 2024) reads as wildcards here
        m = 2
    if m not in (-1, 0, 1, 2) or s not in (1, -1, 2, -2):
        raise XLFail(VALUE, "match_mode must be -1, 0, 1 or 2 and search_mode ±1 or ±2")
    if m == 2 and abs(s) == 2:
        raise XLFail(VALUE, "wildcard match cannot use a binary search")
    return m, s


@xlfunction("XMATCH", "scalar_e, any, number?, number?")
def XMATCH(x: Any, lookup: Any, match_mode: float = 0.0, search_mode: float = 1.0) -> Any:
    """The relative position of an item in an array (exact, next smaller/larger,
    wildcard; first-to-last, last-to-first or binary search)."""
    if type(x) is ExcelError:
        return x
    m, s = _modes(match_mode, search_mode)
    vals = _vector(_arr(lookup))
    if vals is None:
        return VALUE
    i = _xsearch(vals, x, m, s)
    return NA if i < 0 else float(i + 1)


def _slice(ret: Any, i: int, along_rows: bool) -> Any:
    """Row (``along_rows``) or column ``i`` of the return array; a Ref stays a Ref."""
    if isinstance(ret, Ref):
        if along_rows:
            r = ret.r1 + i
            return Ref(ret.book, ret.sheet, r, ret.c1, r, ret.c2)
        c = ret.c1 + i
        return Ref(ret.book, ret.sheet, ret.r1, c, ret.r2, c)
    a = _arr(ret)
    if along_rows:
        return Array([list(a.rows[i])])
    return Array([[r[i]] for r in a.rows])


@xlfunction("XLOOKUP", "scalar_e, any, any, any?, number?, number?")
def XLOOKUP(x: Any, lookup: Any, ret: Any, if_not_found: Any = MISSING,
            match_mode: float = 0.0, search_mode: float = 1.0) -> Any:
    """Searches a range or an array and returns the item (row or column when the return
    array is 2-D) at the position of the first match.

    Examples
    --------
    >>> XLOOKUP(2.0, Array([[1.0], [2.0]]), Array([["a", "b"], ["c", "d"]]))
    Array([['c', 'd']])
    """
    if type(x) is ExcelError:
        return x
    m, s = _modes(match_mode, search_mode)
    la = _arr(lookup)
    vals = _vector(la)
    if vals is None:
        return VALUE
    rn, rc = (ret.nrows, ret.ncols) if isinstance(ret, (Ref, Array)) else (1, 1)
    if la.nrows > 1:  # a column: the return array answers with a row
        if rn != la.nrows:
            return VALUE
        along_rows = True
    elif la.ncols > 1:  # a row: the return array answers with a column
        if rc != la.ncols:
            return VALUE
        along_rows = False
    elif rn == 1 or rc == 1:
        along_rows = rn == 1
    else:
        return VALUE
    i = _xsearch(vals, x, m, s)
    if i < 0:
        if if_not_found is MISSING or if_not_found is None:
            return NA
        return if_not_found
    if not isinstance(ret, (Ref, Array)):
        return ret
    res = _slice(ret, i, along_rows)
    if isinstance(res, Array) and res.nrows == 1 and res.ncols == 1:
        return res.rows[0][0]
    return res


# --- INDEX, CHOOSE ----------------------------------------------------------------------


def _index_arg(v: Any, ctx: Any) -> Any:
    """An INDEX/CHOOSE position argument: a value, or an Array to work element-wise."""
    if isinstance(v, Ref):
        if v.is_cell:
            return v.value()
        if getattr(ctx, "array_mode", True):
            return v.array()
        return _intersect(v, ctx)
    if isinstance(v, MultiRef):
        return VALUE
    return v


def _pos(v: Any, default: float = 0.0) -> int:
    if v is None or v is MISSING:
        return int(default)
    x = to_number(v)
    if x < 0:
        raise XLFail(VALUE, "INDEX position is negative")
    return int(x)


def _index1(area: Any, row: Any, col: Any, area_num: Any, col_given: bool) -> Any:
    if isinstance(area, MultiRef):
        n = _pos(area_num, 1)
        if n < 1 or n > len(area.areas):
            return REF
        area = area.areas[n - 1]
    elif area_num is not None and area_num is not MISSING and _pos(area_num, 1) != 1:
        return REF
    r = _pos(row)
    c = _pos(col)
    if isinstance(area, Ref):
        nr, nc = area.nrows, area.ncols
    else:
        area = _arr(area)
        nr, nc = area.nrows, area.ncols
    if not col_given:
        if nr == 1 and nc > 1:
            r, c = 1, r
        elif nc == 1:
            c = 1 if r else 0
        elif isinstance(area, Ref):
            return REF
    if r > nr or c > nc:
        return REF
    if isinstance(area, Ref):
        r1, r2 = (area.r1, area.r2) if r == 0 else (area.r1 + r - 1,) * 2
        c1, c2 = (area.c1, area.c2) if c == 0 else (area.c1 + c - 1,) * 2
        return Ref(area.book, area.sheet, r1, c1, r2, c2)
    rows = area.rows if r == 0 else [area.rows[r - 1]]
    out = [list(x) if c == 0 else [x[c - 1]] for x in rows]
    return out[0][0] if len(out) == 1 and len(out[0]) == 1 else Array(out)


@xlfunction("INDEX", "any, any?, any?, any?", context=True, array_args=(0,))
def INDEX(ctx: Any, array: Any, row: Any = None, col: Any = MISSING,
          area_num: Any = None) -> Any:
    """The value (or, for a reference, the reference) at a row and column of a range or
    array; row or column 0 is the whole column or row; ``area_num`` picks an area of a
    multi-area reference.

    Examples
    --------
    >>> INDEX(None, Array([[1.0, 2.0], [3.0, 4.0]]), 2.0, 1.0)
    3.0
    """
    if type(array) is ExcelError:
        return array
    col_given = col is not MISSING
    args = [_index_arg(a, ctx) for a in (row, None if col is MISSING else col, area_num)]
    for a in args:
        if type(a) is ExcelError:
            return a
    arrays = [a for a in args if isinstance(a, Array)]
    if not arrays:
        return _index1(array, *args, col_given)
    nr = max(a.nrows for a in arrays)
    nc = max(a.ncols for a in arrays)
    out = []
    for i in range(nr):
        line = []
        for j in range(nc):
            el = [a.get(i, j) if isinstance(a, Array) else a for a in args]
            bad = next((e for e in el if type(e) is ExcelError), None)
            try:
                v = bad if bad is not None else _index1(array, *el, col_given)
            except XLFail as exc:
                v = exc.error
            if isinstance(v, Ref):
                v = v.value() if v.is_cell else VALUE
            elif isinstance(v, Array):
                v = v.rows[0][0]
            line.append(v)
        out.append(line)
    return Array(out)


@xlfunction("CHOOSE", "any, lazy*", context=True)
def CHOOSE(ctx: Any, index: Any, *choices: Callable[[], Any]) -> Any:
    """The ``index``-th value of the list (a reference stays a reference); only the
    chosen argument is evaluated."""

    def pick(v: Any) -> Any:
        i = math.trunc(to_number(v))
        if i < 1 or i > len(choices):
            raise XLFail(VALUE, f"CHOOSE index {i} is outside 1..{len(choices)}")
        c = choices[i - 1]
        return c() if callable(c) else c

    idx = _index_arg(index, ctx)
    if type(idx) is ExcelError:
        return idx
    if not isinstance(idx, Array):
        res = pick(idx)
        return 0.0 if res is None or res is MISSING else res
    out = []
    cache: dict[int, Any] = {}
    for i in range(idx.nrows):
        line = []
        for j in range(idx.ncols):
            try:
                k = math.trunc(to_number(idx.rows[i][j]))
                if k not in cache:
                    cache[k] = pick(idx.rows[i][j])
                v = cache[k]
                if isinstance(v, (Ref, Array)):
                    a = _arr(v)
                    v = a.get(i, j)
                elif isinstance(v, MultiRef):
                    v = VALUE
            except XLFail as exc:
                v = exc.error
            line.append(v)
        out.append(line)
    return Array(out)


# --- shape and matrix functions ---------------------------------------------------------


def _shape(v: Any) -> tuple[int, int]:
    if isinstance(v, (Ref, Array)):
        return v.nrows, v.ncols
    if isinstance(v, MultiRef):
        if len(v.areas) == 1:
            return v.areas[0].nrows, v.areas[0].ncols
        raise XLFail(REF, "ROWS/COLUMNS of several areas")
    if type(v) is ExcelError:
        raise XLFail(v)
    return 1, 1


@xlfunction("ROWS", "any")
def ROWS(v: Any) -> float:
    """The number of rows in a reference or array."""
    return float(_shape(v)[0])


@xlfunction("COLUMNS", "any")
def COLUMNS(v: Any) -> float:
    """The number of columns in a reference or array."""
    return float(_shape(v)[1])


@xlfunction("TRANSPOSE", "array")
def TRANSPOSE(a: Array) -> Any:
    """Rows become columns and columns rows."""
    rows = [list(r) for r in zip(*a.rows, strict=True)]
    rows = [[0.0 if v is None else v for v in r] for r in rows]
    return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else Array(rows)


def _matrix(a: Array) -> list[list[float]]:
    out = []
    for r in a.rows:
        line = []
        for v in r:
            if type(v) is ExcelError:
                raise XLFail(v)
            if type(v) is not float:
                raise XLFail(VALUE, "matrix element is not a number")
            line.append(v)
        out.append(line)
    return out


@xlfunction("MMULT", "array, array")
def MMULT(a: Array, b: Array) -> Any:
    """The matrix product of two arrays."""
    x, y = _matrix(a), _matrix(b)
    if a.ncols != b.nrows:
        return VALUE
    rows = [[math.fsum(x[i][k] * y[k][j] for k in range(a.ncols)) for j in range(b.ncols)]
            for i in range(a.nrows)]
    return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else Array(rows)


def _lu(m: list[list[float]]) -> tuple[list[list[float]], list[int], int]:
    """LU decomposition with partial pivoting (Doolittle): the combined LU matrix, the
    row permutation and its sign; raises ZeroDivisionError when singular."""
    n = len(m)
    a = [list(r) for r in m]
    perm = list(range(n))
    sign = 1
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(a[i][k]))
        if a[p][k] == 0:
            raise ZeroDivisionError
        if p != k:
            a[k], a[p] = a[p], a[k]
            perm[k], perm[p] = perm[p], perm[k]
            sign = -sign
        for i in range(k + 1, n):
            a[i][k] /= a[k][k]
            f = a[i][k]
            if f:
                for j in range(k + 1, n):
                    a[i][j] -= f * a[k][j]
    return a, perm, sign


@xlfunction("MDETERM", "array")
def MDETERM(a: Array) -> float:
    """The determinant of a square matrix.

    Notes
    -----
    LU decomposition with partial pivoting; the product of the pivots. A singular
    matrix is 0.
    """
    m = _matrix(a)
    if a.nrows != a.ncols:
        return VALUE
    try:
        lu, _, sign = _lu(m)
    except ZeroDivisionError:
        return 0.0
    d = float(sign)
    for i in range(len(lu)):
        d *= lu[i][i]
    return d


@xlfunction("MINVERSE", "array")
def MINVERSE(a: Array) -> Any:
    """The inverse of a square matrix (#NUM! when singular)."""
    m = _matrix(a)
    n = a.nrows
    if n != a.ncols:
        return VALUE
    try:
        lu, perm, _ = _lu(m)
    except ZeroDivisionError:
        return ExcelError("#NUM!")
    inv = [[0.0] * n for _ in range(n)]
    for col in range(n):
        # solve L U x = P e_col
        y = [1.0 if perm[i] == col else 0.0 for i in range(n)]
        for i in range(n):
            y[i] -= sum(lu[i][k] * y[k] for k in range(i))
        for i in range(n - 1, -1, -1):
            y[i] = (y[i] - sum(lu[i][k] * y[k] for k in range(i + 1, n))) / lu[i][i]
        for i in range(n):
            inv[i][col] = y[i]
    return inv[0][0] if n == 1 else Array(inv)


@xlfunction("MUNIT", "int")
def MUNIT(n: float) -> Any:
    """The identity matrix of size ``n``."""
    if n < 1:
        return VALUE
    k = int(n)
    if k == 1:
        return 1.0
    return Array([[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)])
