"""SUBTOTAL and AGGREGATE: one of several aggregates chosen by number, with options to
pass over errors and nested subtotals.

Hidden rows cannot be known from cell values, so the "ignore hidden rows" forms
(SUBTOTAL 101‥111, AGGREGATE options 1, 3, 5, 7) treat every row as visible, which is
what Excel computes for a sheet with nothing hidden (or filtered). Nested SUBTOTAL and
AGGREGATE results are left out, as Excel does, when the workbook can say which cells
hold such formulas (its ``cell_formula(sheet, row, col)``); otherwise they are counted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from templates.recalc.functions import statistics as st
from templates.recalc.functions._args import numbers, numbers_a
from templates.recalc.registry import xlfunction
from templates.recalc.values import NUM, VALUE, Array, ExcelError, MultiRef, Ref, XLFail

__all__: list[str] = []

_NESTED = re.compile(r"\b(?:_xlfn\.)?(?:SUBTOTAL|AGGREGATE)\s*\(", re.I)


def _product(xs: list[float]) -> float:
    if not xs:
        return 0.0
    p = 1.0
    for x in xs:
        p *= x
    return p


def _total(xs: list[float]) -> float:
    s = 0.0
    for x in xs:
        s += x
    return s


# function number → (reads text/logicals as the …A functions do?, computation)
_PLAIN: dict[int, Callable[[list[float]], float]] = {
    1: st.mean, 4: lambda xs: max(xs) if xs else 0.0, 5: lambda xs: min(xs) if xs else 0.0,
    6: _product, 7: st.stdev_s, 8: st.stdev_p, 9: _total, 10: st.var_s, 11: st.var_p,
    12: st.median, 13: st.mode_sngl,
}
_WITH_K: dict[int, Callable[[list[float], float], float]] = {
    14: lambda xs, k: _large(xs, k), 15: lambda xs, k: _small(xs, k),
    16: st.percentile_inc, 17: st.quartile_inc, 18: st.percentile_exc, 19: st.quartile_exc,
}


def _large(xs: list[float], k: float) -> float:
    if k < 1 or k > len(xs):
        raise XLFail(NUM, "k outside 1‥n")
    return sorted(xs, reverse=True)[math.ceil(k) - 1]


def _small(xs: list[float], k: float) -> float:
    if k < 1 or k > len(xs):
        raise XLFail(NUM, "k outside 1‥n")
    return sorted(xs)[math.floor(k) - 1]


def _cells(args: tuple[Any, ...], skip_nested: bool, skip_errors: bool) -> list[Any]:
    """The arguments' values as one row, nested subtotals and errors left out on
    request."""
    out: list[Any] = []

    def take(v: Any) -> None:
        if skip_errors and type(v) is ExcelError:
            return
        out.append(v)

    for a in args:
        refs = a.areas if isinstance(a, MultiRef) else [a] if isinstance(a, Ref) else None
        if refs is None:
            if isinstance(a, Array):
                for v in a.flat():
                    take(v)
            else:
                take(a)
            continue
        for r in refs:
            formula = getattr(r.book, "cell_formula", None) if skip_nested else None
            for i, row in enumerate(r.array().rows):
                for j, v in enumerate(row):
                    if formula is not None:
                        f = formula(r.sheet, r.r1 + i, r.c1 + j)
                        if isinstance(f, str) and _NESTED.search(f):
                            continue
                    take(v)
    return out


def _compute(fn: int, vals: list[Any], k: float | None = None) -> float:
    data = [Array([vals])] if vals else []
    if fn == 2:
        return float(sum(1 for v in vals if type(v) is float))
    if fn == 3:
        return float(sum(1 for v in vals if v is not None))
    if fn in _PLAIN:
        return _PLAIN[fn](numbers(data))
    if fn in _WITH_K:
        if k is None:
            raise XLFail(VALUE, "this function needs k")
        return _WITH_K[fn](numbers(data), k)
    raise XLFail(VALUE, f"function number {fn} is not known")


@xlfunction("SUBTOTAL", "number, any*")
def SUBTOTAL(function_num: float, *refs: Any) -> float:
    """Returns a subtotal in a list or database.

    Notes
    -----
    ``function_num`` 1‥11 (AVERAGE, COUNT, COUNTA, MAX, MIN, PRODUCT, STDEV, STDEVP,
    SUM, VAR, VARP) or 101‥111 (the same, hidden rows ignored — every row counts as
    visible here). Values in ranges are read as the plain function reads a range.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> a = Array([[120.0], [10.0], [150.0], [23.0]])
    >>> xlcall("SUBTOTAL", 9.0, a), xlcall("SUBTOTAL", 1.0, a), xlcall("SUBTOTAL", 104.0, a)
    (303.0, 75.75, 150.0)
    """
    fn = math.trunc(function_num)
    if fn > 100:
        fn -= 100
    if not 1 <= fn <= 11:
        raise XLFail(VALUE, "function_num outside 1‥11, 101‥111")
    return _compute(fn, _cells(refs, True, False))


@xlfunction("AGGREGATE", "number, number, any*")
def AGGREGATE(function_num: float, options: float, ref1: Any, *rest: Any) -> float:
    """Returns an aggregate in a list or database, optionally passing over errors and
    nested subtotals.

    Notes
    -----
    ``function_num`` 1‥19: AVERAGE, COUNT, COUNTA, MAX, MIN, PRODUCT, STDEV.S, STDEV.P,
    SUM, VAR.S, VAR.P, MEDIAN, MODE.SNGL, then with a ``k`` argument LARGE, SMALL,
    PERCENTILE.INC, QUARTILE.INC, PERCENTILE.EXC, QUARTILE.EXC. ``options`` 0‥7: 0‥3
    leave nested SUBTOTAL/AGGREGATE out, 2, 3, 6 and 7 pass over error values; hidden
    rows (1, 3, 5, 7) are treated as visible.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array, DIV0
    >>> a = Array([[DIV0], [72.0], [30.0], [DIV0], [31.0], [96.0]])
    >>> xlcall("AGGREGATE", 4.0, 6.0, a), xlcall("AGGREGATE", 14.0, 6.0, a, 3.0)
    (96.0, 31.0)
    >>> str(xlcall("AGGREGATE", 4.0, 4.0, a))
    '#DIV/0!'
    """
    fn, opt = math.trunc(function_num), math.trunc(options)
    if not 1 <= fn <= 19 or not 0 <= opt <= 7:
        raise XLFail(VALUE, "function_num or options out of range")
    skip_errors = opt in (2, 3, 6, 7)
    if fn >= 14:
        if len(rest) != 1:
            raise XLFail(VALUE, "this function takes an array and k")
        k_arg = rest[0]
        k_vals = numbers_a([k_arg]) if not isinstance(k_arg, float) else [k_arg]
        if not k_vals:
            raise XLFail(VALUE, "k is not a number")
        return _compute(fn, _cells((ref1,), opt <= 3, skip_errors), k_vals[0])
    return _compute(fn, _cells((ref1, *rest), opt <= 3, skip_errors))
