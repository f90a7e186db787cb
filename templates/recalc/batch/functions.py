"""Excel functions, vectorised over scenarios, with Excel's coercions and error values.

Each entry of :data:`TABLE` takes evaluated arguments — :class:`~templates.recalc.batch.values.V`
(one value per scenario), :class:`~templates.recalc.batch.values.R` (a range) or ``None`` (an
omitted argument) — and returns a ``V`` (``INDEX`` may return an ``R``). Functions whose
``refs`` flag is set receive a single-cell reference as a 1×1 range, because Excel treats
``SUM(A1)`` (reference: text ignored) differently from ``SUM("3")`` (value: text parsed).

Lookups (``MATCH``, ``VLOOKUP``, ``XLOOKUP``…) compare every table entry against every
scenario's lookup value at once: O(table × scenarios) work, fine for the price and catalog
tables of a TCO workbook. Approximate ``MATCH``/``VLOOKUP`` assume the ascending order
Excel requires (the answer is the last entry ≤ the value, which is what Excel's binary
search returns on sorted data).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .values import (
    ERR_DIV0,
    ERR_NA,
    ERR_NUM,
    ERR_REF,
    ERR_VALUE,
    ERROR_NAMES,
    R,
    V,
    add_err,
    const,
    error,
    from_python,
    merge_err,
    num_result,
    parse_number,
    select,
    to_bool,
    to_num,
)

Arg = V | R | None


@dataclass(frozen=True)
class Spec:
    """A vectorised function: ``impl(*args)``; ``refs`` passes single references as ranges."""

    impl: Callable[..., V | R]
    refs: bool = False


TABLE: dict[str, Spec] = {}


class SkipBools(V):
    """A computed argument whose logical elements aggregates skip (as in a range)."""

    __slots__ = ()


#: Functions whose result is the first error value among their arguments, before any
#: error of their own (as formulas evaluates them).
ARG_ERRORS_FIRST = frozenset({
    "SUM", "MIN", "MAX", "AVERAGE", "MEDIAN", "SUMPRODUCT", "ROUND", "ROUNDUP", "ROUNDDOWN",
    "INT", "ABS", "SIGN", "MOD", "SQRT", "LN", "LOG", "LOG10", "EXP", "POWER", "NPV", "PMT",
    "PV", "FV", "CEILING", "CEILING.MATH", "FLOOR", "FLOOR.MATH", "PRODUCT", "TRUNC", "NPER",
    "LARGE", "SMALL",
})


def _register(*names: str, refs: bool = False) -> Callable:
    def deco(fn: Callable) -> Callable:
        for n in names:
            TABLE[n] = Spec(fn, refs)
        return fn

    return deco


@functools.cache
# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------
def _sc(v: Arg) -> V:
    """An argument used as one value per scenario (a 1×1 range is its cell)."""
    if v is None:
        return const(0.0)
    if isinstance(v, R):
        return v.cells[0][0] if v.rows == 1 and v.cols == 1 else error(ERR_VALUE)
    return v


def _num(v: Arg, default: float | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    if v is None and default is not None:
        return np.array([default]), None
    return to_num(_sc(v))


def _cells(a: Arg) -> Iterator[tuple[V, bool]]:
    """(value, came_from_range) for each value an aggregate sees."""
    if a is None:
        return
    if isinstance(a, R):
        for c in a.flat():
            yield c, True
    else:
        yield a, False


def _numeric_parts(args: tuple[Arg, ...]) -> Iterator[tuple[np.ndarray, np.ndarray | None,
                                                            np.ndarray | None]]:
    """(numbers, mask of elements that count, errors) per value, Excel aggregate rules.

    In ranges only numbers count (text, logicals and blanks are skipped); typed directly
    as arguments, logicals count as 0/1 and numeric text is parsed.
    """
    for a in args:
        for v, in_range in _cells(a):
            if v.blank:
                continue
            d = v.d
            if in_range:
                if d.dtype == np.float64:
                    yield d, None, v.e
                elif d.dtype == object:
                    mask = np.array([isinstance(x, float | int) and not isinstance(x, bool)
                                     for x in d])
                    x = np.array([float(x) if m else 0.0 for x, m in zip(d, mask, strict=True)])
                    yield x, mask, v.e
                elif v.e is not None:
                    yield np.zeros(len(d)), np.zeros(len(d), bool), v.e
            elif isinstance(v, SkipBools):
                # Computed inside the call: logicals and non-numeric text are skipped,
                # numeric text counts (formulas: SUM(IF(1,"a"),1) = 1, SUM("3"&"",1) = 4).
                vals = [None if isinstance(y, bool | np.bool_) else
                        (parse_number(y) if isinstance(y, str) else float(y)) for y in d]
                mask = np.array([y is not None for y in vals])
                x = np.array([0.0 if y is None else y for y in vals])
                yield x, mask, v.e
            else:
                x, e = to_num(v)
                yield x, None, e


def _n(*arrays: np.ndarray | None) -> int:
    return max((len(a) for a in arrays if a is not None), default=1)


# ---------------------------------------------------------------------------------------
# Aggregates
# ---------------------------------------------------------------------------------------
@_register("SUM", refs=True)
def SUM(*args: Arg) -> V:
    acc = np.zeros(1)
    e = None
    for x, mask, err in _numeric_parts(args):
        acc = acc + (x if mask is None else np.where(mask, x, 0.0))
        e = merge_err(e, err)
    return num_result(acc, e)


def _extreme(args: tuple[Arg, ...], is_max: bool) -> V:
    acc = np.full(1, -np.inf if is_max else np.inf)
    e = None
    for x, mask, err in _numeric_parts(args):
        if mask is not None:
            x = np.where(mask, x, acc[0] if len(acc) == 1 else -np.inf if is_max else np.inf)
        if err is not None:
            x = np.where(err != 0, acc if len(acc) == len(x) else acc[0], x)
        acc = np.maximum(acc, x) if is_max else np.minimum(acc, x)
        e = merge_err(e, err)
    acc = np.where(np.isinf(acc), 0.0, acc)  # no numbers at all → 0, as in Excel
    return num_result(acc, e)


@_register("MAX", refs=True)
def MAX(*args: Arg) -> V:
    return _extreme(args, True)


@_register("MIN", refs=True)
def MIN(*args: Arg) -> V:
    return _extreme(args, False)


@_register("AVERAGE", refs=True)
def AVERAGE(*args: Arg) -> V:
    acc = np.zeros(1)
    cnt = np.zeros(1)
    e = None
    for x, mask, err in _numeric_parts(args):
        acc = acc + (x if mask is None else np.where(mask, x, 0.0))
        cnt = cnt + (1.0 if mask is None else mask.astype(float))
        e = merge_err(e, err)
    e = add_err(e, cnt == 0, ERR_DIV0)
    with np.errstate(all="ignore"):
        return num_result(np.where(cnt == 0, 0.0, acc / np.where(cnt == 0, 1, cnt)), e)


@_register("COUNT", refs=True)
def COUNT(*args: Arg) -> V:
    cnt = np.zeros(1)
    for a in args:
        for v, in_range in _cells(a):
            if v.blank:
                continue
            d = v.d
            ok = np.ones(1, bool) if v.e is None else v.e == 0
            if d.dtype == np.float64:
                cnt = cnt + ok
            elif d.dtype == bool:
                if not in_range:
                    cnt = cnt + ok
            elif d.dtype == object:
                skip_b = in_range or isinstance(v, SkipBools)
                isn = np.array([
                    (isinstance(x, float | int) and not isinstance(x, bool))
                    or (not in_range and ((isinstance(x, bool) and not skip_b)
                                          or (isinstance(x, str) and parse_number(x) is not None)))
                    for x in d])
                cnt = cnt + (isn & ok)
    return V(cnt.astype(float))


@_register("SUMPRODUCT", refs=True)
def SUMPRODUCT(*args: Arg) -> V:
    arrs = [a if isinstance(a, R) else R([[_sc(a)]]) for a in args if a is not None]
    if not arrs or len({(a.rows, a.cols) for a in arrs}) != 1:
        return error(ERR_VALUE)
    acc = np.zeros(1)
    e = None
    for cells in zip(*[list(a.flat()) for a in arrs], strict=True):
        prod = np.ones(1)
        for v in cells:
            if v.blank:
                prod = prod * 0.0
                continue
            if v.d.dtype == np.float64:
                x = v.d
            elif v.d.dtype == object:
                x = np.array([float(x) if isinstance(x, float | int) and not isinstance(x, bool)
                              else 0.0 for x in v.d])
            else:
                x = np.zeros(len(v.d))  # logicals count as 0 in SUMPRODUCT
            prod = prod * np.where(np.isnan(x), 0.0, x) if v.e is not None else prod * x
            e = merge_err(e, v.e)
        acc = acc + prod
    return num_result(acc, e)


# ---------------------------------------------------------------------------------------
# Logic
# ---------------------------------------------------------------------------------------
def IF(cond: Arg, a: Arg = None, b: Arg = None) -> V:
    c, ce = to_bool(_sc(cond))
    av = _sc(a)
    bv = _sc(b) if b is not None else const(False)
    out = select(c, av, bv)
    if ce is not None:
        out = V(out.d, merge_err(ce, out.e))
    return out


def _if_entry(cond: Arg, a: Arg = None, *rest: Arg) -> V:
    # IF with two arguments returns FALSE when the test fails; with an omitted third
    # argument written as IF(c,a,) it returns 0 — the parser passes None for both, so
    # the argument count decides.
    if len(rest) == 0:
        return IF(cond, a, None)
    b = rest[0]
    return IF(cond, a, b if b is not None else const(0.0))


TABLE["IF"] = Spec(_if_entry)


@_register("IFERROR")
def IFERROR(v: Arg, alt: Arg = None) -> V:
    x = _sc(v)
    if x.blank:
        x = const(0.0)
    if x.e is None:
        return x
    return select(x.e != 0, _sc(alt), x)


@_register("IFNA")
def IFNA(v: Arg, alt: Arg = None) -> V:
    x = _sc(v)
    if x.e is None:
        return x
    return select(x.e == ERR_NA, _sc(alt), x)


@_register("IFS")
def IFS(*args: Arg) -> V:
    if len(args) % 2:
        return error(ERR_VALUE)
    result = error(ERR_NA)
    pending = np.ones(1, bool)
    for cond, val in zip(args[0::2], args[1::2], strict=True):
        c, ce = to_bool(_sc(cond))
        if ce is not None:
            bad = pending & (ce != 0)
            result = select(bad, V(np.full(len(ce), np.nan), ce), result)
            pending = pending & ~bad
            c = c & (ce == 0)
        take = pending & c
        result = select(take, _sc(val), result)
        pending = pending & ~take
        if not pending.any():
            break
    return result


def _logic(args: tuple[Arg, ...], is_and: bool) -> V:
    acc = np.ones(1, bool) if is_and else np.zeros(1, bool)
    seen = np.zeros(1, bool)
    e = None
    for a in args:
        for v, _in_range in _cells(a):
            if v.blank:
                continue
            d = v.d
            if d.dtype == object:
                # Text is skipped, in ranges and (as formulas does) as a direct argument.
                ok = np.array([not isinstance(x, str) for x in d])
                b = np.array([bool(x) if not isinstance(x, str) else is_and for x in d])
                e = merge_err(e, v.e)
            else:
                ok = np.ones(1, bool)
                b, err = to_bool(v)
                e = merge_err(e, err)
            acc = (acc & np.where(ok, b, True)) if is_and else (acc | (ok & b))
            seen = seen | ok
    e = add_err(e, ~seen, ERR_VALUE)
    return V(np.atleast_1d(acc), e)


@_register("AND", refs=True)
def AND(*args: Arg) -> V:
    return _logic(args, True)


@_register("OR", refs=True)
def OR(*args: Arg) -> V:
    return _logic(args, False)


@_register("NOT")
def NOT(x: Arg) -> V:
    b, e = to_bool(_sc(x))
    return V(~b, e)


@_register("TRUE")
def TRUE() -> V:
    return const(True)


@_register("FALSE")
def FALSE() -> V:
    return const(False)


@_register("NA")
def NA() -> V:
    return error(ERR_NA)


@_register("PI")
def PI() -> V:
    return const(math.pi)


@_register("ISERROR")
def ISERROR(x: Arg) -> V:
    v = _sc(x)
    return V(np.zeros(1, bool) if v.e is None else v.e != 0)


@_register("ISNUMBER")
def ISNUMBER(x: Arg) -> V:
    v = _sc(x)
    if v.blank:
        return const(False)
    d = v.d
    if d.dtype == np.float64:
        isn = np.ones(len(d), bool)
    elif d.dtype == object:
        isn = np.array([isinstance(y, float | int) and not isinstance(y, bool) for y in d])
    else:
        isn = np.zeros(len(d), bool)
    if v.e is not None:
        isn = isn & (v.e == 0)
    return V(isn)


# ---------------------------------------------------------------------------------------
# Arithmetic and rounding
# ---------------------------------------------------------------------------------------
def power(x: np.ndarray, y: np.ndarray, e: np.ndarray | None) -> V:
    """``x^y`` with Excel's errors: 0^0 → #NUM!, 0^negative → #DIV/0!, negative^fraction → #NUM!."""
    e = add_err(e, (x == 0) & (y < 0), ERR_DIV0)
    e = add_err(e, (x == 0) & (y == 0), ERR_NUM)
    with np.errstate(all="ignore"):
        return num_result(np.power(x, y), e)


@_register("POWER")
def POWER(x: Arg, y: Arg) -> V:
    a, ea = _num(x)
    b, eb = _num(y)
    return power(a, b, merge_err(ea, eb))


def _round15(x: np.ndarray, digits: np.ndarray, mode: str) -> np.ndarray:
    """Round like Excel (see :func:`_round15_exact`), fast where the answer is clear.

    Notes
    -----
    With ``y = |x|·10^digits`` the rounded value is ``round(y)/10^digits`` unless ``y`` lies
    within a hair of a rounding boundary (a half for ROUND, an integer for ROUNDUP and
    ROUNDDOWN), where the 15-digit decimal form decides, or ``y`` is too large for the
    binary product to be trusted (≥ 1e12); those elements take the exact path.
    """
    x, digits = np.broadcast_arrays(np.asarray(x, float), np.trunc(np.asarray(digits, float)))
    if x.size < 64:
        return _round15_exact(x, digits, mode)
    ax = np.abs(x)
    with np.errstate(all="ignore"):
        scale = np.power(10.0, np.abs(digits))
        y = np.where(digits >= 0, ax * scale, ax / scale)
        fl = np.floor(y)
        frac = y - fl
        tol = 1e-9 + y * 1e-12
        if mode == "half":
            t = fl + (frac >= 0.5)
            near = np.abs(frac - 0.5) <= tol
        else:
            t = fl + (frac > 0) if mode == "up" else fl
            near = (frac <= tol) | (frac >= 1 - tol)
        near |= ~(y < 1e12) | (np.abs(digits) > 22)
        res = np.where(digits >= 0, t / scale, t * scale)
    out = np.sign(x) * res
    if near.any():
        out[near] = _round15_exact(x[near], digits[near], mode)
    return out


def _round15_exact(x: np.ndarray, digits: np.ndarray, mode: str) -> np.ndarray:
    """Round like Excel: on the number's 15-significant-digit decimal form.

    Notes
    -----
    Excel shows and rounds the 15-digit decimal ``m × 10^(e−14)`` of ``x`` (``m`` an
    integer of 15 digits, ``e = ⌊log10|x|⌋``), not the binary double: 2.675 is stored as
    2.67499999999999982236431605997495353221893310546875, but ``ROUND(2.675, 2)`` = 2.68.
    With ``q = 14 − e − digits`` digits dropped from ``m``, integer division
    ``m = t·10^q + r`` decides exactly: half-up away from zero (``2r ≥ 10^q``), up
    (``r > 0``) or down, and the result is ``t / 10^digits`` (one correctly rounded
    division, so it is the double nearest the decimal result).
    """
    x, digits = np.broadcast_arrays(np.asarray(x, float), np.trunc(np.asarray(digits, float)))
    out = np.zeros(x.shape)
    nz = (x != 0) & np.isfinite(x)
    if not nz.any():
        return out + x * 0
    ax = np.abs(x[nz])
    dg = digits[nz]
    e = np.floor(np.log10(ax))
    with np.errstate(all="ignore"):
        m = np.rint(ax * np.power(10.0, 14 - e))
        # log10 may land one off near powers of ten: renormalise m to 15 digits.
        hi = m >= 1e15
        e = np.where(hi, e + 1, e)
        lo = m < 1e14
        e = np.where(lo, e - 1, e)
        m = np.where(hi | lo, np.rint(ax * np.power(10.0, 14 - e)), m)
    q = 14 - e - dg
    res = np.empty(ax.shape)
    keep = q <= 0  # fewer than 15 significant digits dropped: nothing to round
    # Still the 15-digit decimal, not the raw double (ROUND(0.1+0.2, 16) is 0.3): one
    # correctly rounded multiply or divide by an exact power of ten where 10^|k| ≤ 10^22.
    k = (e - 14)[keep]
    mk = m[keep]
    with np.errstate(all="ignore"):
        snapped = np.where(k >= 0, mk * np.power(10.0, np.maximum(k, 0)),
                           mk / np.power(10.0, np.maximum(-k, 0)))
    res[keep] = np.where(np.abs(k) <= 22, snapped, ax[keep])
    gone = q > 15  # every digit dropped: 0, or one unit of 10^-digits when rounding up
    sel = ~keep & ~gone
    if sel.any():
        mi = m[sel].astype(np.int64)
        p = (10 ** q[sel].astype(np.int64)).astype(np.int64)
        t, r = np.divmod(mi, p)
        if mode == "half":
            t = t + (2 * r >= p)
        elif mode == "up":
            t = t + (r > 0)
        d = dg[sel]
        with np.errstate(all="ignore"):
            res[sel] = np.where(d >= 0, t / np.power(10.0, np.maximum(d, 0)),
                                t * np.power(10.0, np.maximum(-d, 0)))
    if gone.any():
        # 1 / 10^d, not 10^-d: the division is correctly rounded (1e-05, not 9.99…e-06).
        res[gone] = 1.0 / np.power(10.0, dg[gone]) if mode == "up" else 0.0
        if mode == "half":
            res[gone] = 0.0
    out[nz] = np.sign(x[nz]) * res
    return out


def _rounder(mode: str) -> Callable[[Arg, Arg], V]:
    def impl(x: Arg, digits: Arg = None) -> V:
        a, ea = _num(x)
        d, ed = _num(digits, 0.0)
        return num_result(_round15(a, d, mode), merge_err(ea, ed))

    return impl


TABLE["ROUND"] = Spec(_rounder("half"))
TABLE["ROUNDUP"] = Spec(_rounder("up"))
TABLE["ROUNDDOWN"] = Spec(_rounder("down"))


def _unary(fn: Callable[[np.ndarray], np.ndarray], domain: Callable[[np.ndarray], np.ndarray]
           | None = None) -> Callable[[Arg], V]:
    def impl(x: Arg) -> V:
        a, e = _num(x)
        if domain is not None:
            e = add_err(e, ~domain(a), ERR_NUM)
        with np.errstate(all="ignore"):
            return num_result(fn(a), e)

    return impl


TABLE["INT"] = Spec(_unary(np.floor))
TABLE["ABS"] = Spec(_unary(np.abs))
TABLE["SQRT"] = Spec(_unary(np.sqrt, lambda a: a >= 0))
TABLE["LN"] = Spec(_unary(np.log, lambda a: a > 0))
TABLE["LOG10"] = Spec(_unary(np.log10, lambda a: a > 0))
TABLE["EXP"] = Spec(_unary(np.exp))
TABLE["SIGN"] = Spec(_unary(np.sign))


@_register("MOD")
def MOD(x: Arg, y: Arg) -> V:
    a, ea = _num(x)
    b, eb = _num(y)
    e = add_err(merge_err(ea, eb), b == 0, ERR_DIV0)
    with np.errstate(all="ignore"):
        bb = np.where(b == 0, 1.0, b)
        return num_result(a - bb * np.floor(a / bb), e)


def _to_multiple(x: Arg, sig: Arg, rnd: Any, zero_sig_div0: bool) -> V:
    """CEILING/FLOOR: round to a multiple of ``sig`` with ``rnd`` (np.ceil or np.floor).

    A positive number with a negative significance is #NUM!; a zero significance gives 0
    (FLOOR: #DIV/0! unless the number is 0 too), as Excel does.
    """
    a, ea = _num(x)
    s, es = _num(sig, 1.0)
    e = add_err(merge_err(ea, es), (a > 0) & (s < 0), ERR_NUM)
    if zero_sig_div0:
        e = add_err(e, (s == 0) & (a != 0), ERR_DIV0)
    with np.errstate(all="ignore"):
        ss = np.where(s == 0, 1.0, s)
        return num_result(np.where(s == 0, 0.0, rnd(a / ss) * ss), e)


def _to_multiple_math(x: Arg, sig: Arg, mode: Arg, rnd: Any, flipped: Any) -> V:
    """CEILING.MATH/FLOOR.MATH: |sig| multiples; a non-zero mode rounds negative numbers the
    other way (``flipped``: away from zero for CEILING.MATH, toward it for FLOOR.MATH)."""
    a, ea = _num(x)
    s, es = _num(sig, 1.0)
    m, em = _num(mode, 0.0)
    e = merge_err(ea, es, em)
    s = np.abs(s)
    with np.errstate(all="ignore"):
        ss = np.where(s == 0, 1.0, s)
        r = np.where((a < 0) & (m != 0), flipped(a / ss) * ss, rnd(a / ss) * ss)
        return num_result(np.where(s == 0, 0.0, r), e)


@_register("CEILING")
def CEILING(x: Arg, sig: Arg = None) -> V:
    return _to_multiple(x, sig, np.ceil, zero_sig_div0=False)


@_register("CEILING.MATH")
def CEILING_MATH(x: Arg, sig: Arg = None, mode: Arg = None) -> V:
    return _to_multiple_math(x, sig, mode, np.ceil, np.floor)


@_register("FLOOR")
def FLOOR(x: Arg, sig: Arg = None) -> V:
    return _to_multiple(x, sig, np.floor, zero_sig_div0=True)


@_register("FLOOR.MATH")
def FLOOR_MATH(x: Arg, sig: Arg = None, mode: Arg = None) -> V:
    return _to_multiple_math(x, sig, mode, np.floor, np.ceil)


# ---------------------------------------------------------------------------------------
# Finance
# ---------------------------------------------------------------------------------------
@_register("NPV", refs=True)
def NPV(rate: Arg, *values: Arg) -> V:
    """Notes: NPV = Σᵢ vᵢ / (1 + rate)^i, i = 1…k over the numbers among ``values``."""
    r, er = _num(rate)
    acc = np.zeros(1)
    i = np.zeros(1)
    e = er
    with np.errstate(all="ignore"):
        for x, mask, err in _numeric_parts(values):
            step = np.ones(1) if mask is None else mask.astype(float)
            i = i + step
            acc = acc + np.where(step > 0, x / np.power(1 + r, i), 0.0)
            e = merge_err(e, err)
        e = add_err(e, r == -1, ERR_DIV0)
        return num_result(acc, e)


def _fin_args(*args: tuple[Arg, float | None]) -> tuple[list[np.ndarray], np.ndarray | None]:
    vals = []
    e = None
    for a, default in args:
        x, ex = _num(a, default)
        vals.append(x)
        e = merge_err(e, ex)
    return vals, e


@_register("PMT")
def PMT(rate: Arg, nper: Arg, pv: Arg, fv: Arg = None, typ: Arg = None) -> V:
    """Notes: PMT = −r·(pv·(1+r)^n + fv) / ((1 + r·type)·((1+r)^n − 1)); r = 0: −(pv+fv)/n."""
    (r, n, p, f, t), e = _fin_args((rate, None), (nper, None), (pv, None), (fv, 0.0), (typ, 0.0))
    t = (t != 0).astype(float)
    with np.errstate(all="ignore"):
        g = np.power(1 + r, n)
        zero = r == 0
        rr = np.where(zero, 1.0, r)
        res = np.where(zero, -(p + f) / n, -rr * (p * g + f) / ((1 + rr * t) * (g - 1)))
        return num_result(res, e)


@_register("PV")
def PV(rate: Arg, nper: Arg, pmt: Arg, fv: Arg = None, typ: Arg = None) -> V:
    """Notes: PV = −(fv + pmt·(1 + r·type)·((1+r)^n − 1)/r) / (1+r)^n; r = 0: −(fv + pmt·n)."""
    (r, n, m, f, t), e = _fin_args((rate, None), (nper, None), (pmt, None), (fv, 0.0), (typ, 0.0))
    t = (t != 0).astype(float)
    with np.errstate(all="ignore"):
        g = np.power(1 + r, n)
        zero = r == 0
        rr = np.where(zero, 1.0, r)
        res = np.where(zero, -(f + m * n), -(f + m * (1 + rr * t) * (g - 1) / rr) / g)
        return num_result(res, e)


@_register("FV")
def FV(rate: Arg, nper: Arg, pmt: Arg, pv: Arg = None, typ: Arg = None) -> V:
    """Notes: FV = −(pv·(1+r)^n + pmt·(1 + r·type)·((1+r)^n − 1)/r); r = 0: −(pv + pmt·n)."""
    (r, n, m, p, t), e = _fin_args((rate, None), (nper, None), (pmt, None), (pv, 0.0), (typ, 0.0))
    t = (t != 0).astype(float)
    with np.errstate(all="ignore"):
        g = np.power(1 + r, n)
        zero = r == 0
        rr = np.where(zero, 1.0, r)
        res = np.where(zero, -(p + m * n), -(p * g + m * (1 + rr * t) * (g - 1) / rr))
        return num_result(res, e)


# ---------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------
def _as_range(a: Arg) -> R:
    if isinstance(a, R):
        return a
    return R([[_sc(a)]])


def _stack(cells: list[V], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(numbers, is-number, upper-case text, is-text) for a vector of cells.

    Shapes are (k, m): ``m`` is 1 when every cell is one value in all scenarios (a constant
    table; broadcasts against the scenarios) and ``n`` otherwise. Text arrays are (k, 1)
    of "" when no cell holds text.
    """
    k = len(cells)
    m = n if any(len(c.d) > 1 or (c.e is not None and len(c.e) > 1) for c in cells) else 1
    has_obj = any(c.d.dtype == object for c in cells if not c.blank)
    num = np.full((k, m), np.nan)
    isn = np.zeros((k, m), bool)
    txt = np.full((k, m if has_obj else 1), "", dtype=object)
    ist = np.zeros((k, m if has_obj else 1), bool)
    for i, c in enumerate(cells):
        if c.blank:
            continue
        d = c.d
        ok = np.ones(len(d), bool) if c.e is None else c.e == 0
        if d.dtype == np.float64:
            num[i] = d
            isn[i] = ok
        elif d.dtype == object:
            for j, x in enumerate(np.broadcast_to(d, (m,))):
                if isinstance(x, str):
                    txt[i, j] = x.upper()
                    ist[i, j] = ok[j if len(ok) > 1 else 0]
                elif not isinstance(x, bool):
                    num[i, j] = float(x)
                    isn[i, j] = ok[j if len(ok) > 1 else 0]
    return num, isn, txt, ist


def _stack_bools(cells: list[V], n: int) -> tuple[np.ndarray, np.ndarray]:
    """(logical values, is-logical) of shape (k, n) for a vector of cells."""
    k = len(cells)
    val = np.zeros((k, n), bool)
    isb = np.zeros((k, n), bool)
    for i, c in enumerate(cells):
        if c.blank:
            continue
        ok = np.ones(1, bool) if c.e is None else c.e == 0
        if c.d.dtype == bool:
            val[i] = c.d
            isb[i] = ok
        elif c.d.dtype == object:
            d = np.broadcast_to(c.d, (n,))
            m = np.array([isinstance(x, bool | np.bool_) for x in d])
            val[i] = np.array([bool(x) if mm else False for x, mm in zip(d, m, strict=True)])
            isb[i] = m & ok
    return val, isb


def _match_idx(x: V, cells: list[V], mode: int, last: bool = False,
               sorted_approx: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Index (0-based) per scenario of ``x`` among ``cells``; (idx, found, errors).

    ``mode`` 0 exact; 1 largest ≤ x; -1 smallest ≥ x. With ``sorted_approx`` (MATCH,
    VLOOKUP) approximate modes return the last qualifying position of sorted data, as
    Excel's binary search does; without it (XLOOKUP) the best value wins, first on ties.
    """
    n = max(len(x.d), max((len(c.d) for c in cells), default=1))
    xd = np.broadcast_to(x.d, (n,))
    need_le = mode == 1
    need_ge = mode == -1
    if x.d.dtype == np.float64 or x.blank:
        num, isn, _, _ = _stack(cells, n)
        xv = np.broadcast_to(np.zeros(1) if x.blank else x.d, (n,))
        eq = isn & (num == xv)
        le = isn & (num <= xv) if need_le else None
        ge = isn & (num >= xv) if need_ge else None
        key = np.where(isn, num, np.nan)
    elif x.d.dtype == object and all(isinstance(v, str) for v in x.d):
        _, _, txt, ist = _stack(cells, n)
        xv = np.array([v.upper() for v in xd], dtype=object)
        eq = ist & (txt == xv)
        le = ist & (txt <= xv) if need_le else None
        ge = ist & (txt >= xv) if need_ge else None
        key = None
    elif x.d.dtype == bool:
        bv, isb = _stack_bools(cells, n)
        xv = np.broadcast_to(x.d, (n,))
        eq = isb & (bv == xv)
        le = isb & (bv <= xv) if need_le else None
        ge = isb & (bv >= xv) if need_ge else None
        key = np.where(isb, bv.astype(float), np.nan)
    else:
        return np.zeros(n, int), np.zeros(n, bool), None
    eq = np.broadcast_to(eq, (len(cells), n))
    le = None if le is None else np.broadcast_to(le, (len(cells), n))
    ge = None if ge is None else np.broadcast_to(ge, (len(cells), n))
    k = eq.shape[0]
    if mode == 0:
        m = eq
    elif mode == 1:
        m = le
    else:
        m = ge
    found = m.any(axis=0)
    if mode == 0 or sorted_approx:
        pick_last = last or mode != 0
        idx = k - 1 - np.argmax(m[::-1], axis=0) if pick_last else np.argmax(m, axis=0)
    else:
        exact = eq.any(axis=0)
        if key is None:
            idx = np.argmax(eq, axis=0) if not last else k - 1 - np.argmax(eq[::-1], axis=0)
            found = exact
        else:
            cand = np.where(m, key, -np.inf if mode == 1 else np.inf)
            best = cand.max(axis=0) if mode == 1 else cand.min(axis=0)
            hit = m & (cand == best)
            idx = np.argmax(hit, axis=0) if not last else k - 1 - np.argmax(hit[::-1], axis=0)
        if last:
            idx = np.where(exact, k - 1 - np.argmax(eq[::-1], axis=0), idx)
        else:
            idx = np.where(exact, np.argmax(eq, axis=0), idx)
    return idx, found, x.e


def _gather(cells: list[V], idx: np.ndarray, found: np.ndarray, err: np.ndarray | None) -> V:
    """Per scenario, the cell at ``idx`` (blank reads 0); #N/A where not ``found``."""
    n = len(idx)
    cols = np.arange(n)
    if all(c.d.dtype == np.float64 or c.blank for c in cells):
        stack = np.stack([np.broadcast_to(c.d if not c.blank else np.zeros(1), (n,))
                          for c in cells])
        d = stack[idx, cols]
    else:
        stack = np.empty((len(cells), n), dtype=object)
        for i, c in enumerate(cells):
            dd = np.zeros(1) if c.blank else c.d
            if dd.dtype == object:
                stack[i] = np.broadcast_to(dd, (n,))
            else:
                stack[i] = [bool(v) if dd.dtype == bool else float(v)
                            for v in np.broadcast_to(dd, (n,))]
        d = stack[idx, cols]
        if all(isinstance(v, float) for v in d):
            d = d.astype(float)
        elif all(isinstance(v, bool) for v in d):
            d = d.astype(bool)
    e = None
    if any(c.e is not None for c in cells):
        es = np.stack([np.broadcast_to(c.e if c.e is not None else np.zeros(1, np.int8), (n,))
                       for c in cells])
        e = es[idx, cols].astype(np.int8)
    e = merge_err(err, e)
    e = add_err(e, ~found, ERR_NA)
    return V(np.asarray(d), e)


def _mode_arg(a: Arg, default: float) -> int | None:
    """A match-mode argument: must be the same in every scenario (None if it is not)."""
    x, e = _num(a, default)
    if e is not None and e.any():
        return None
    if len(np.unique(x)) != 1:
        return None
    return int(np.sign(x[0]))


@_register("MATCH")
def MATCH(x: Arg, look: Arg, mtype: Arg = None) -> V:
    rng = _as_range(look)
    if rng.rows != 1 and rng.cols != 1:
        return error(ERR_NA)
    mode = _mode_arg(mtype, 1.0)
    if mode is None:
        return error(ERR_VALUE)
    cells = list(rng.flat())
    idx, found, e = _match_idx(_sc(x), cells, mode)
    e = add_err(e, ~found, ERR_NA)
    return V((idx + 1).astype(float), e)


@_register("XLOOKUP")
def XLOOKUP(x: Arg, look: Arg, ret: Arg, not_found: Arg = None, match_mode: Arg = None,
            search_mode: Arg = None) -> V:
    lr, rr = _as_range(look), _as_range(ret)
    lc = list(lr.flat())
    if lr.rows != 1 and lr.cols != 1:
        return error(ERR_VALUE)
    if rr.rows == lr.rows and rr.cols == lr.cols:
        rc = list(rr.flat())
    elif lr.cols == 1 and rr.rows == lr.rows and rr.cols >= 1:
        rc = [row[0] for row in rr.cells]  # only the first returned column is supported
    else:
        return error(ERR_VALUE)
    mm = _mode_arg(match_mode, 0.0)
    sm = _mode_arg(search_mode, 1.0)
    if mm is None or sm is None:
        return error(ERR_VALUE)
    idx, found, e = _match_idx(_sc(x), lc, -mm if mm else 0, last=sm < 0, sorted_approx=False)
    # XLOOKUP's match_mode -1 is "exact or next smaller" (= MATCH mode 1).
    out = _gather(rc, idx, found, e)
    if not_found is not None:
        miss = ~found
        if e is not None:
            miss = miss & (np.broadcast_to(e, miss.shape) == 0)
        out = select(miss, _sc(not_found), out)
    return out


def _table_lookup(x: Arg, table: Arg, index: Arg, approx: Arg, vertical: bool) -> V:
    t = _as_range(table)
    cells = t.cells if vertical else [list(col) for col in zip(*t.cells, strict=True)]
    mode = 1
    if approx is not None:
        b, _eb = to_bool(_sc(approx))
        if len(np.unique(b)) != 1:
            return error(ERR_VALUE)
        mode = 1 if b[0] else 0
    key_cells = [row[0] for row in cells]
    idx, found, e = _match_idx(_sc(x), key_cells, mode)
    ci, ec = _num(index)
    ci = np.trunc(ci).astype(int)
    width = len(cells[0])
    e = merge_err(e, ec)
    bad_lo = ci < 1
    bad_hi = ci > width
    e = add_err(e, bad_lo, ERR_VALUE)
    e = add_err(e, bad_hi, ERR_REF)
    ci = np.clip(ci, 1, width) - 1
    flat = [c for row in cells for c in row]
    n = max(len(idx), len(ci))
    lin = np.broadcast_to(idx, (n,)) * width + np.broadcast_to(ci, (n,))
    return _gather(flat, lin, np.broadcast_to(found, (n,)), e)


@_register("VLOOKUP")
def VLOOKUP(x: Arg, table: Arg, col: Arg, approx: Arg = None) -> V:
    return _table_lookup(x, table, col, approx, True)


@_register("HLOOKUP")
def HLOOKUP(x: Arg, table: Arg, row: Arg, approx: Arg = None) -> V:
    return _table_lookup(x, table, row, approx, False)


@_register("INDEX")
def INDEX(table: Arg, row: Arg = None, col: Arg = None) -> V | R:
    t = _as_range(table)
    r, er = _num(row, 0.0)
    c, ec = _num(col, 0.0)
    if col is None and (t.rows == 1 or t.cols == 1) and row is not None:
        # One index into a single row or column selects along it.
        if t.rows == 1:
            r, c, er, ec = np.ones(1), r, None, er
        else:
            c = np.ones(1)
    r = np.trunc(r).astype(int)
    c = np.trunc(c).astype(int)
    e = merge_err(er, ec)
    if len(r) == 1 and len(c) == 1 and (r[0] == 0 or c[0] == 0) and e is None:
        # Whole row / column: a range, usable by SUM and friends (constant indices only).
        rr, cc = int(r[0]), int(c[0])
        if rr > t.rows or cc > t.cols or rr < 0 or cc < 0:
            return error(ERR_REF)
        rows = range(t.rows) if rr == 0 else [rr - 1]
        cols = range(t.cols) if cc == 0 else [cc - 1]
        return R([[t.cells[i][j] for j in cols] for i in rows])
    # Per-scenario 0 (a whole row or column of several cells) where one value belongs:
    # Excel's implicit intersection, which a cell outside the table does not meet —
    # #VALUE! (the engine's answer); a 0 over a single row or column is that row/column.
    e = add_err(e, (r < 0) | (c < 0) | ((r == 0) & (t.rows > 1)) | ((c == 0) & (t.cols > 1)),
                ERR_VALUE)
    e = add_err(e, (r > t.rows) | (c > t.cols), ERR_REF)
    r = np.where(r == 0, 1, r)
    c = np.where(c == 0, 1, c)
    n = max(len(r), len(c))
    lin = (np.clip(np.broadcast_to(r, (n,)), 1, t.rows) - 1) * t.cols + \
        np.clip(np.broadcast_to(c, (n,)), 1, t.cols) - 1
    flat = list(t.flat())
    return _gather(flat, lin, np.ones(n, bool), e)


@_register("CHOOSE")
def CHOOSE(i: Arg, *options: Arg) -> V:
    k, e = _num(i)
    k = np.trunc(k).astype(int)
    e = add_err(e, (k < 1) | (k > len(options)), ERR_VALUE)
    out = error(ERR_VALUE)
    for j, opt in enumerate(options, start=1):
        out = select(k == j, _sc(opt), out)
    return V(out.d, merge_err(e, out.e))


# ---------------------------------------------------------------------------------------
# Conditional aggregates (SUMIF family) and a few more
# ---------------------------------------------------------------------------------------
_CRIT_OPS = (">=", "<=", "<>", ">", "<", "=")


def _crit_stacks(cells: list[V], n: int) -> dict[str, np.ndarray]:
    """Per cell × scenario: numbers (numeric text counts, as SUMIF reads it), text
    (case-folded), logicals and blanks."""
    num, isn, txt, ist = _stack(cells, n)
    # SUMIF-style matching reads numeric text as a number ("5" matches 5).
    for i, j in zip(*np.nonzero(ist), strict=True):
        y = parse_number(txt[i, j])
        if y is not None:
            num[i, j] = y
            isn[i, j] = True
    bv, isb = _stack_bools(cells, n)
    blank = np.array([c.blank for c in cells], dtype=bool)[:, None]
    return {"num": num, "isn": isn, "txt": txt, "ist": ist, "bv": bv, "isb": isb,
            "blank": np.broadcast_to(blank, num.shape)}


def _wild(pattern: str) -> Any:
    import re

    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.S)


def _one_criterion(c: object, st: dict[str, np.ndarray]) -> np.ndarray:
    """(cells × scenarios) mask of cells meeting one criterion value (Excel rules).

    Numbers match equal numbers; ``">=5"``-style text compares numbers with numbers and
    text with text (case-insensitive); ``"<>x"`` matches every cell that is not ``x``
    (blanks too); plain text matches case-insensitively with ``*``/``?`` wildcards (``~``
    escapes); ``""`` matches blanks.
    """
    if isinstance(c, bool | np.bool_):
        return st["isb"] & (st["bv"] == bool(c))
    if not isinstance(c, str):
        return st["isn"] & (st["num"] == float(c))
    op, operand = "=", c
    for k in _CRIT_OPS:
        if c.startswith(k) and c != k:
            op, operand = k, c[len(k):]
            break
    val = parse_number(operand) if operand.strip() else None
    fn = _OPS[op]
    if val is not None:
        m = st["isn"] & fn(st["num"], val)
        if op == "<>":
            m = ~(st["isn"] & (st["num"] == val))
        return m
    up = operand.upper()
    if op in ("=", "<>"):
        if up == "":
            eq = st["blank"] | (st["ist"] & (st["txt"] == ""))
        elif any(ch in up for ch in "*?"):
            rx = _wild(up)
            eq = st["ist"] & np.vectorize(lambda t: bool(rx.fullmatch(t)), otypes=[bool])(
                st["txt"])
        else:
            if "~" in up:
                up = up.replace("~*", "*").replace("~?", "?").replace("~~", "~")
            eq = st["ist"] & (st["txt"] == up)
        return eq if op == "=" else ~eq
    return st["ist"] & fn(st["txt"], up)


def _criteria_mask(rng: R, crit: Arg, n: int) -> np.ndarray:
    cells = list(rng.flat())
    cv = _sc(crit)
    st = _crit_stacks(cells, n)
    d = np.broadcast_to(cv.d if not cv.blank else np.array([""], dtype=object), (n,))
    if cv.blank:
        return np.broadcast_to(_one_criterion("", st), (len(cells), n))
    shape = (len(cells), n)
    if d.dtype == np.float64:
        return np.broadcast_to(st["isn"] & (st["num"] == d[None, :]), shape)
    if d.dtype == bool:
        return np.broadcast_to(st["isb"] & (st["bv"] == d[None, :]), shape)
    out = np.zeros((len(cells), n), bool)
    for u in set(d.tolist()):
        cols = np.array([x == u and type(x) is type(u) for x in d])
        out[:, cols] = np.broadcast_to(_one_criterion(u, st), out.shape)[:, cols]
    return out


def _range_n(*args: Arg) -> int:
    lens = [1]
    for a in args:
        if isinstance(a, R):
            lens.extend(len(c.d) for c in a.flat())
        elif isinstance(a, V):
            lens.append(len(a.d))
    return max(lens)


def _values_stack(rng: R, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(numbers, is-number (numeric text does not count), error codes), cells × scenarios."""
    cells = list(rng.flat())
    num, isn, _, _ = _stack(cells, n)
    err = np.stack([np.broadcast_to(c.e if c.e is not None else np.zeros(1, np.int8), (n,))
                    for c in cells])
    return np.where(isn, num, 0.0), isn, err


def _masked_err(mask: np.ndarray, err: np.ndarray) -> np.ndarray | None:
    e = np.where(mask, err, 0)
    if not e.any():
        return None
    first = np.argmax(e != 0, axis=0)
    return e[first, np.arange(e.shape[1])].astype(np.int8)


def _ifs(args: tuple[Arg, ...], value_range: Arg, kind: str) -> V:
    """Shared body of SUMIF(S)/COUNTIF(S)/AVERAGEIF(S)/MAXIFS/MINIFS."""
    pairs = list(zip(args[0::2], args[1::2], strict=False))
    if not pairs or len(args) % 2:
        return error(ERR_VALUE)
    ranges = [_as_range(r) for r, _ in pairs]
    shape = (ranges[0].rows, ranges[0].cols)
    if any((r.rows, r.cols) != shape for r in ranges):
        return error(ERR_VALUE)
    n = _range_n(*args, value_range)
    mask = np.ones((shape[0] * shape[1], n), bool)
    for r, (_, c) in zip(ranges, pairs, strict=True):
        mask &= _criteria_mask(r, c, n)
    if kind == "count":
        return V(mask.sum(axis=0).astype(float))
    vr = _as_range(value_range) if value_range is not None else ranges[0]
    if (vr.rows, vr.cols) != shape:
        return error(ERR_VALUE)
    vals, isn, err = _values_stack(vr, n)
    e = _masked_err(mask, err)
    use = mask & isn & (err == 0)
    with np.errstate(all="ignore"):
        if kind == "sum":
            return num_result(np.where(use, vals, 0.0).sum(axis=0), e)
        cnt = use.sum(axis=0)
        if kind == "average":
            e = add_err(e, cnt == 0, ERR_DIV0)
            return num_result(np.where(use, vals, 0.0).sum(axis=0) / np.maximum(cnt, 1), e)
        fill = -np.inf if kind == "max" else np.inf
        x = np.where(use, vals, fill)
        r = x.max(axis=0) if kind == "max" else x.min(axis=0)
        return num_result(np.where(cnt == 0, 0.0, r), e)


@_register("SUMIF", refs=True)
def SUMIF(rng: Arg, crit: Arg, sum_range: Arg = None) -> V:
    return _ifs((rng, crit), sum_range, "sum")


@_register("SUMIFS", refs=True)
def SUMIFS(sum_range: Arg, *args: Arg) -> V:
    return _ifs(args, sum_range, "sum")


@_register("COUNTIF", refs=True)
def COUNTIF(rng: Arg, crit: Arg) -> V:
    return _ifs((rng, crit), None, "count")


@_register("COUNTIFS", refs=True)
def COUNTIFS(*args: Arg) -> V:
    return _ifs(args, None, "count")


@_register("AVERAGEIF", refs=True)
def AVERAGEIF(rng: Arg, crit: Arg, avg_range: Arg = None) -> V:
    return _ifs((rng, crit), avg_range, "average")


@_register("AVERAGEIFS", refs=True)
def AVERAGEIFS(avg_range: Arg, *args: Arg) -> V:
    return _ifs(args, avg_range, "average")


@_register("MAXIFS", refs=True)
def MAXIFS(max_range: Arg, *args: Arg) -> V:
    return _ifs(args, max_range, "max")


@_register("MINIFS", refs=True)
def MINIFS(min_range: Arg, *args: Arg) -> V:
    return _ifs(args, min_range, "min")


@_register("MEDIAN", refs=True)
def MEDIAN(*args: Arg) -> V:
    cols, e = [], None
    for x, mask, err in _numeric_parts(args):
        cols.append(x if mask is None else np.where(mask, x, np.nan))
        e = merge_err(e, err)
    if not cols:
        return error(ERR_NUM)
    n = max(len(c) for c in cols)
    stack = np.stack([np.broadcast_to(c, (n,)) for c in cols])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns → #NUM! below
        med = np.nanmedian(stack, axis=0)
    return num_result(med, e)


@_register("LOG")
def LOG(x: Arg, base: Arg = None) -> V:
    a, ea = _num(x)
    b, eb = _num(base, 10.0)
    e = merge_err(ea, eb)
    e = add_err(e, (a <= 0) | (b <= 0), ERR_NUM)
    e = add_err(e, b == 1, ERR_DIV0)
    with np.errstate(all="ignore"):
        return num_result(np.log(a) / np.log(b), e)


@_register("ISBLANK")
def ISBLANK(x: Arg) -> V:
    return const(bool(_sc(x).blank))


# ---------------------------------------------------------------------------------------
# More numbers, text and information functions
# ---------------------------------------------------------------------------------------
@_register("PRODUCT", refs=True)
def PRODUCT(*args: Arg) -> V:
    acc = np.ones(1)
    seen = np.zeros(1, bool)
    e = None
    for x, mask, err in _numeric_parts(args):
        acc = acc * (x if mask is None else np.where(mask, x, 1.0))
        seen = seen | (True if mask is None else mask)
        e = merge_err(e, err)
    return num_result(np.where(seen, acc, 0.0), e)


TABLE["TRUNC"] = Spec(_rounder("down"))


def _kth(rng: Arg, k: Arg, largest: bool) -> V:
    cols, e = [], None
    for x, mask, err in _numeric_parts((rng,)):
        cols.append(x if mask is None else np.where(mask, x, np.nan))
        e = merge_err(e, err)
    kk, ek = _num(k)
    e = merge_err(e, ek)
    if not cols:
        return error(ERR_NUM)
    n = max(max(len(c) for c in cols), len(kk))
    stack = np.stack([np.broadcast_to(c, (n,)) for c in cols])
    cnt = np.isfinite(stack).sum(axis=0)
    # A fractional k is truncated, as Excel does for index arguments (formulas rounds it
    # up in LARGE and down in SMALL).
    kint = np.trunc(np.broadcast_to(kk, (n,))).astype(int)
    e = add_err(e, (kint < 1) | (kint > cnt), ERR_NUM)
    srt = np.sort(np.where(np.isfinite(stack), stack, np.inf if not largest else -np.inf),
                  axis=0)
    if largest:
        srt = srt[::-1]
    idx = np.clip(kint - 1, 0, len(cols) - 1)
    return num_result(np.where((kint >= 1) & (kint <= cnt), srt[idx, np.arange(n)], 0.0), e)


@_register("LARGE", refs=True)
def LARGE(rng: Arg, k: Arg) -> V:
    return _kth(rng, k, True)


@_register("SMALL", refs=True)
def SMALL(rng: Arg, k: Arg) -> V:
    return _kth(rng, k, False)


@_register("NPER")
def NPER(rate: Arg, pmt: Arg, pv: Arg, fv: Arg = None, typ: Arg = None) -> V:
    """Notes: n = ln((pmt·(1+r·type) − fv·r)/(pmt·(1+r·type) + pv·r)) / ln(1+r); r = 0:
    −(pv + fv)/pmt."""
    (r, m, p, f, t), e = _fin_args((rate, None), (pmt, None), (pv, None), (fv, 0.0), (typ, 0.0))
    t = (t != 0).astype(float)
    with np.errstate(all="ignore"):
        zero = r == 0
        rr = np.where(zero, 1.0, r)
        q = m * (1 + rr * t)
        res = np.where(zero, -(p + f) / m, np.log((q - f * rr) / (q + p * rr)) / np.log1p(rr))
        return num_result(res, e)


def _texts(args: tuple[Arg, ...]) -> tuple[list[np.ndarray], np.ndarray | None]:
    from .values import to_text

    parts, e = [], None
    for a in args:
        for v, _ in _cells(a):
            t, err = to_text(v)
            parts.append(t)
            e = merge_err(e, err)
    return parts, e


@_register("CONCAT", refs=True)
def CONCAT(*args: Arg) -> V:
    parts, e = _texts(args)
    out = np.array([""], dtype=object)
    for t in parts:
        out = out + t
    return V(np.atleast_1d(out), e)


@_register("CONCATENATE")
def CONCATENATE(*args: Arg) -> V:
    return CONCAT(*(_sc(a) for a in args))


def _text_fn(fn: Callable[[str], Any], result_is_number: bool = False) -> Callable[[Arg], V]:
    def impl(x: Arg) -> V:
        from .values import to_text

        t, e = to_text(_sc(x))
        vals = [fn(s) for s in t]
        if result_is_number:
            return V(np.array(vals, dtype=float), e)
        out = np.empty(len(vals), dtype=object)
        out[:] = vals
        return V(out, e)

    return impl


TABLE["LEN"] = Spec(_text_fn(len, True))
TABLE["UPPER"] = Spec(_text_fn(str.upper))
TABLE["LOWER"] = Spec(_text_fn(str.lower))
# Excel's TRIM also collapses runs of inner spaces to one.
TABLE["TRIM"] = Spec(_text_fn(lambda s: " ".join(w for w in s.split(" ") if w)))


def _is_type(pred: Callable[[object], bool]) -> Callable[[Arg], V]:
    def impl(x: Arg) -> V:
        v = _sc(x)
        if v.blank:
            return const(False)
        out = np.array([pred(y) for y in v.d], dtype=bool)
        if v.e is not None:
            out = out & (v.e == 0)
        return V(out)

    return impl


TABLE["ISTEXT"] = Spec(_is_type(lambda y: isinstance(y, str)))
TABLE["ISLOGICAL"] = Spec(_is_type(lambda y: isinstance(y, bool | np.bool_)))


@_register("ISNA")
def ISNA(x: Arg) -> V:
    v = _sc(x)
    return V(np.zeros(1, bool) if v.e is None else v.e == ERR_NA)


@_register("ISERR")
def ISERR(x: Arg) -> V:
    v = _sc(x)
    return V(np.zeros(1, bool) if v.e is None else (v.e != 0) & (v.e != ERR_NA))


@_register("N")
def N(x: Arg) -> V:
    v = _sc(x)
    d = v.d
    if v.blank:
        return const(0.0)
    if d.dtype == np.float64:
        return V(d, v.e)
    if d.dtype == bool:
        return V(d.astype(float), v.e)
    out = np.array([float(y) if isinstance(y, int | float | bool | np.bool_) else 0.0
                    for y in d])
    return V(out, v.e)


@_register("VALUE")
def VALUE(x: Arg) -> V:
    v = _sc(x)
    if v.d.dtype == bool:
        return V(np.full(len(v.d), np.nan), add_err(v.e, np.ones(len(v.d), bool), ERR_VALUE))
    return num_result(*to_num(v))


@_register("ROWS")
def ROWS(x: Arg) -> V:
    return const(float(_as_range(x).rows))


@_register("COLUMNS")
def COLUMNS(x: Arg) -> V:
    return const(float(_as_range(x).cols))


@_register("SWITCH")
def SWITCH(expr: Arg, *args: Arg) -> V:
    x = _sc(expr)
    pairs = list(zip(args[0::2], args[1::2], strict=False))
    result = _sc(args[-1]) if len(args) % 2 else error(ERR_NA)
    for val, res in reversed(pairs):
        eq = compare("=", x, _sc(val))
        c = eq.d if eq.e is None else eq.d & (eq.e == 0)
        result = select(c, _sc(res), result)
    if x.e is not None:
        result = V(result.d, merge_err(x.e, result.e))
    return result


# ---------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _key(x: object, other: object) -> tuple[int, Any]:
    """Excel's ordering across types: numbers < text (case-insensitive) < logicals."""
    if x is None:  # blank takes the other side's type: 0, "" or FALSE
        if isinstance(other, str):
            return (1, "")
        if isinstance(other, bool | np.bool_):
            return (2, False)
        return (0, 0.0)
    if isinstance(x, bool | np.bool_):
        return (2, bool(x))
    if isinstance(x, str):
        return (1, x.upper())
    return (0, float(x))


def compare(op: str, a: V, b: V) -> V:
    """Excel comparison, per scenario; errors propagate."""
    fn = _OPS[op]
    e = merge_err(a.e, b.e)
    ad, bd = a.d, b.d
    if (ad.dtype == bd.dtype and ad.dtype != object) or (
        ad.dtype == np.float64 and b.blank) or (bd.dtype == np.float64 and a.blank):
        return V(np.atleast_1d(fn(ad, bd)), e)
    n = max(len(ad), len(bd))
    xs = [None] * n if a.blank else np.broadcast_to(ad, (n,))
    ys = [None] * n if b.blank else np.broadcast_to(bd, (n,))
    out = np.array([fn(_key(x, y), _key(y, x)) for x, y in zip(xs, ys, strict=True)], dtype=bool)
    return V(out, e)


# ---------------------------------------------------------------------------------------
# Element-by-element calls (add-in functions)
# ---------------------------------------------------------------------------------------
@functools.cache
def _xl_errors() -> dict[int, Any]:
    """Error code → the Excel error value the add-in catalog takes (udfs.excel_errors)."""
    from udfs.excel_errors import BY_TEXT

    return {code: BY_TEXT[name] for code, name in ERROR_NAMES.items()}


def _py(v: V, i: int) -> Any:
    if v.e is not None:
        code = int(v.e[i if len(v.e) > 1 else 0])
        if code:
            return _xl_errors()[code]
    if v.blank:
        return None
    x = v.d[i if len(v.d) > 1 else 0]
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.floating):
        return float(x)
    return x


def _hashable(x: Any) -> Any:
    # Errors (formulas' XlError) by their text; 1 and TRUE must not share a key.
    return (type(x).__name__, str(x)) if not isinstance(x, float | str | type(None)) else x


def call_elementwise(fn: Callable[..., Any], args: list[Arg]) -> V:
    """Call a scalar function once per scenario (ranges as 2-D object arrays).

    Exceptions become ``#VALUE!`` in that scenario: a bad input must not stop a batch.
    """
    lens = [1]
    for a in args:
        if isinstance(a, V):
            lens.append(len(a))
        elif isinstance(a, R):
            lens.extend(len(c) for c in a.flat())
    n = max(lens)
    results = []
    # Catalog functions are pure: scenarios repeating the same arguments (a grid where the
    # call depends on one varied input) reuse the first result.
    seen: dict[tuple, V] = {}
    for i in range(n):
        pa, key = [], []
        for a in args:
            if a is None:
                pa.append(None)
                key.append(None)
            elif isinstance(a, R):
                rows = [[_py(c, i) for c in row] for row in a.cells]
                pa.append(np.array(rows, dtype=object))
                key.append(tuple(tuple(map(_hashable, r)) for r in rows))
            else:
                x = _py(a, i)
                pa.append(x)
                key.append(_hashable(x))
        k = tuple(key)
        hit = seen.get(k)
        if hit is None:
            try:
                hit = from_python(fn(*pa))
            except Exception:
                hit = error(ERR_VALUE)
            seen[k] = hit
        results.append(hit)
    if n == 1:
        return results[0]
    if all(r.d.dtype == np.float64 and r.e is None for r in results):
        return V(np.array([r.d[0] for r in results]))
    d = np.empty(n, dtype=object)
    e = np.zeros(n, np.int8)
    for i, r in enumerate(results):
        x = r.d[0]
        d[i] = x if r.d.dtype == object else (bool(x) if r.d.dtype == bool else float(x))
        if r.e is not None:
            e[i] = r.e[0]
    return V(d, e if e.any() else None)

