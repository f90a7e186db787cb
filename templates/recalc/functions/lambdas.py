"""LAMBDA helper functions: MAP, BYROW, BYCOL, REDUCE, SCAN, MAKEARRAY, ISOMITTED.

They receive a :class:`~templates.recalc.registry.Lambda` (the evaluator builds it from
``LAMBDA(…)`` or an eta-reduced name such as ``_xleta.SUM``) and call it with values:
BYROW/BYCOL pass each row/column as an :class:`Array`, the others pass scalars. A
lambda that returns an array where one value is expected makes that element ``#CALC!``
(Excel's "nested arrays are not supported").
"""

from __future__ import annotations

import math
from typing import Any

from templates.recalc.registry import MISSING, Lambda, xlfunction
from templates.recalc.values import CALC, VALUE, Array, ExcelError, MultiRef, Ref, XLFail

__all__: list[str] = []


def _arr(v: Any) -> Array:
    if isinstance(v, Array):
        return v
    if isinstance(v, Ref):
        return v.array()
    if isinstance(v, MultiRef):
        raise XLFail(VALUE, "several areas where one range is expected")
    return Array([[v]])


def _lam(v: Any) -> Lambda:
    if not isinstance(v, Lambda):
        raise XLFail(VALUE, "the last argument must be a LAMBDA")
    return v


def _one(v: Any) -> Any:
    """A lambda's result as one element: a single cell's value, an array is #CALC!."""
    if isinstance(v, Ref):
        if v.is_cell:
            v = v.value()
        else:
            return CALC
    if isinstance(v, Array):
        if v.nrows == 1 and v.ncols == 1:
            v = v.rows[0][0]
        else:
            return CALC
    if isinstance(v, MultiRef):
        return CALC
    return 0.0 if v is None else v


def _out(rows: list[list[Any]]) -> Any:
    return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else Array(rows)


def _call(lam: Lambda, *args: Any) -> Any:
    try:
        return lam(*args)
    except XLFail as exc:
        return exc.error


@xlfunction("MAP", "any, any*")
def MAP(*args: Any) -> Any:
    """Each value of the arrays mapped through the LAMBDA (its last argument)."""
    if len(args) < 2:
        return VALUE
    lam = _lam(args[-1])
    arrays = [_arr(a) for a in args[:-1]]
    if any(isinstance(a, Lambda) for a in args[:-1]):
        return VALUE
    nr = max(a.nrows for a in arrays)
    nc = max(a.ncols for a in arrays)
    return _out([[_one(_call(lam, *(a.get(r, c) for a in arrays))) for c in range(nc)]
                 for r in range(nr)])


@xlfunction("BYROW", "array, any")
def BYROW(a: Array, lam: Any) -> Any:
    """The LAMBDA applied to each row (an Array), one result per row."""
    f = _lam(lam)
    return _out([[_one(_call(f, Array([list(r)])))] for r in a.rows])


@xlfunction("BYCOL", "array, any")
def BYCOL(a: Array, lam: Any) -> Any:
    """The LAMBDA applied to each column (an Array), one result per column."""
    f = _lam(lam)
    return _out([[_one(_call(f, Array([[r[j]] for r in a.rows]))) for j in range(a.ncols)]])


def _initial(v: Any) -> Any:
    if v is MISSING:
        return None
    if isinstance(v, Ref) and v.is_cell:
        return v.value()
    return v


@xlfunction("REDUCE", "any, array, any")
def REDUCE(initial: Any, a: Array, lam: Any) -> Any:
    """The array reduced to one value by the LAMBDA ``(accumulator, value)``, starting
    from ``initial``."""
    f = _lam(lam)
    acc = _initial(initial)
    for v in a.flat():
        acc = _call(f, acc, v)
    if isinstance(acc, (Array, Ref)):
        return acc
    return 0.0 if acc is None else acc


@xlfunction("SCAN", "any, array, any")
def SCAN(initial: Any, a: Array, lam: Any) -> Any:
    """Each intermediate value of REDUCE, in an array shaped like ``array``."""
    f = _lam(lam)
    acc = _initial(initial)
    rows = []
    for r in a.rows:
        line = []
        for v in r:
            acc = _one(_call(f, acc, v))
            line.append(acc)
        rows.append(line)
    return _out(rows)


@xlfunction("MAKEARRAY", "any, any, any")
def MAKEARRAY(rows: Any, cols: Any, lam: Any) -> Any:
    """A ``rows`` × ``cols`` array whose element (r, c) is ``LAMBDA(r, c)``; the sizes
    must be numbers or logicals (text, even numeric, is #VALUE!) of at least 1."""
    f = _lam(lam)
    rows, cols = (v.value() if isinstance(v, Ref) and v.is_cell else v for v in (rows, cols))
    for v in (rows, cols):
        if type(v) is ExcelError:
            return v
    if type(rows) not in (float, bool) or type(cols) not in (float, bool):
        return VALUE
    nr, nc = math.trunc(rows), math.trunc(cols)
    if nr < 1 or nc < 1:
        return VALUE
    return _out([[_one(_call(f, float(r + 1), float(c + 1))) for c in range(nc)]
                 for r in range(nr)])


@xlfunction("ISOMITTED", "any")
def ISOMITTED(v: Any) -> bool:
    """TRUE when a LAMBDA parameter was left out of the call.

    Notes
    -----
    The evaluator binds an omitted parameter to ``MISSING``, which reaches a function as
    None; an empty cell reaches it as a reference, so it is not "omitted".
    """
    return v is None or v is MISSING
