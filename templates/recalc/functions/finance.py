"""Financial functions: annuities (PMT, PV, FV, NPER, RATE …), cash flows (NPV, IRR, XNPV,
XIRR, MIRR), depreciation (SLN, SYD, DB, DDB, VDB), rates and Treasury bills, discounted
securities.

Sign convention as in Excel: money paid out is negative, money received positive.
``type`` (payments at the end, 0, or the beginning, any other number, of each period)
follows the built-in functions; the Analysis ToolPak ones (CUMIPMT, CUMPRINC, EFFECT,
NOMINAL, XNPV, XIRR, DOLLARDE, …) read their arguments the add-in's way
(:mod:`templates.recalc.functions._atp`: a logical or a range is ``#VALUE!``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from templates.recalc.functions._args import flat, numbers, values_of
from templates.recalc.functions._atp import atp, atp_number
from templates.recalc.functions.datetime import yearfrac
from templates.recalc.registry import xlfunction
from templates.recalc.values import (
    DIV0,
    NUM,
    VALUE,
    ExcelError,
    XLFail,
)

__all__: list[str] = []


# --- annuities ----------------------------------------------------------------------------


def fv(rate: float, nper: float, pmt: float, pv: float = 0.0, typ: float = 0.0) -> float:
    """Future value of an annuity: ``-(pv·q + pmt·(1 + r·t)·(q - 1)/r)``, ``q = (1+r)^n``."""
    if rate == 0:
        return -(pv + pmt * nper)
    t = 1.0 if typ else 0.0
    q = (1 + rate) ** nper
    return -(pv * q + pmt * (1 + rate * t) * (q - 1) / rate)


def pmt(rate: float, nper: float, pv: float, fv_: float = 0.0, typ: float = 0.0) -> float:
    """Payment per period of an annuity (the PMT formula solved from :func:`fv` = 0)."""
    if nper == 0:
        raise XLFail(NUM, "nper is 0")
    if rate == 0:
        return -(pv + fv_) / nper
    t = 1.0 if typ else 0.0
    # (1+r)^n as exp(n·log1p(r)) and the payment as r·(pv + fv/q)/(1 - 1/q): the form
    # whose last bits are Excel's (PMT(0.05/12,240,-500000) = 3299.7786960832873 in an
    # Excel-saved loan schedule; (1+r)**n·r/(q-1) gives …937, 16 ulps off, and the loan's
    # final balance then misses Excel's by 3e-9).
    q = (1 + rate) ** nper if rate <= -1 else math.exp(nper * math.log1p(rate))
    if q == 1 or q == 0:
        raise XLFail(NUM)
    return -(pv + fv_ / q) * rate / ((1 + rate * t) * (1 - 1 / q))


def ipmt(rate: float, per: float, nper: float, pv: float, fv_: float, typ: float) -> float:
    """Interest part of payment ``per``: the balance after ``per - 1`` payments times the
    rate (one period less, net of the payment, when payments are in advance)."""
    p = pmt(rate, nper, pv, fv_, typ)
    if per == 1:
        interest = 0.0 if typ else -pv
    elif typ:
        interest = fv(rate, per - 2, p, pv, 1) - p
    else:
        interest = fv(rate, per - 1, p, pv, 0)
    return interest * rate


@xlfunction("FV", "number, number, number, number?, number?")
def FV(rate: float, nper: float, pmt_: float, pv: float = 0.0, type_: float = 0.0) -> float:
    """The future value of an investment of periodic constant payments at a constant rate.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> round(xlcall("FV", 0.06 / 12, 10, -200, -500, 1), 2)
    2581.4
    """
    return fv(rate, nper, pmt_, pv, type_)


@xlfunction("PV", "number, number, number, number?, number?")
def PV(rate: float, nper: float, pmt_: float, fv_: float = 0.0, type_: float = 0.0) -> float:
    """The present value of an investment of periodic constant payments.

    Notes
    -----
    ``-(fv + pmt·(1 + r·t)·(q - 1)/r) / q`` with ``q = (1+r)^nper``; ``-(fv + pmt·nper)``
    when the rate is 0.
    """
    if rate == 0:
        return -(fv_ + pmt_ * nper)
    t = 1.0 if type_ else 0.0
    q = (1 + rate) ** nper
    if q == 0:
        raise XLFail(NUM)
    return -(fv_ + pmt_ * (1 + rate * t) * (q - 1) / rate) / q


@xlfunction("PMT", "number, number, number, number?, number?")
def PMT(rate: float, nper: float, pv: float, fv_: float = 0.0, type_: float = 0.0) -> float:
    """The payment per period of a loan or annuity at a constant rate.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> round(xlcall("PMT", 0.08 / 12, 10, 10000), 6)
    -1037.032089
    """
    return pmt(rate, nper, pv, fv_, type_)


def _check_per(per: float, nper: float) -> None:
    if per < 1 or per > nper:
        raise XLFail(NUM, "per must be between 1 and nper")


@xlfunction("IPMT", "number, number, number, number, number?, number?")
def IPMT(rate: float, per: float, nper: float, pv: float, fv_: float = 0.0,
         type_: float = 0.0) -> float:
    """The interest part of the payment of period ``per``."""
    _check_per(per, nper)
    return ipmt(rate, per, nper, pv, fv_, type_)


@xlfunction("PPMT", "number, number, number, number, number?, number?")
def PPMT(rate: float, per: float, nper: float, pv: float, fv_: float = 0.0,
         type_: float = 0.0) -> float:
    """The principal part of the payment of period ``per`` (PMT - IPMT)."""
    _check_per(per, nper)
    return pmt(rate, nper, pv, fv_, type_) - ipmt(rate, per, nper, pv, fv_, type_)


@xlfunction("NPER", "number, number, number, number?, number?")
def NPER(rate: float, pmt_: float, pv: float, fv_: float = 0.0, type_: float = 0.0) -> float:
    """The number of periods of an investment of constant payments at a constant rate.

    Notes
    -----
    ``log((pmt·(1+r·t) - fv·r) / (pmt·(1+r·t) + pv·r)) / log(1 + r)``; ``-(pv + fv)/pmt``
    at rate 0. ``#NUM!`` when the logarithm's argument is not positive.
    """
    if rate == 0:
        if pmt_ == 0:
            raise XLFail(NUM, "no payments and no interest")
        return -(pv + fv_) / pmt_
    t = 1.0 if type_ else 0.0
    a = pmt_ * (1 + rate * t)
    num, den = a - fv_ * rate, a + pv * rate
    if den == 0 or num / den <= 0 or rate <= -1:
        raise XLFail(NUM)
    return math.log(num / den) / math.log(1 + rate)


@xlfunction("RATE", "number, number, number, number?, number?, number?")
def RATE(nper: float, pmt_: float, pv: float, fv_: float = 0.0, type_: float = 0.0,
         guess: float = 0.1) -> float:
    """The interest rate per period of an annuity.

    Notes
    -----
    Newton's method on ``pv·q + pmt·(1+r·t)·(q-1)/r + fv = 0`` (``q = (1+r)^nper``) from
    ``guess`` (0.1), as Excel documents it: ``#NUM!`` unless two successive estimates are
    within 1e-7 after at most 20 iterations. Where the equation has several roots the
    one reached from the guess is returned, as in Excel; a start far from every root may
    fail where Excel's exact iteration would not (or the reverse).
    """
    if nper <= 0:
        raise XLFail(NUM, "nper must be positive")
    t = 1.0 if type_ else 0.0
    x = guess
    for _ in range(20):
        if x <= -1:
            break
        if x == 0:
            f = pv + pmt_ * nper + fv_
            df = pv * nper + pmt_ * (nper * (nper - 1) / 2 + t * nper)
        else:
            q1 = (1 + x) ** (nper - 1)
            q = q1 * (1 + x)
            g = (q - 1) / x
            dg = (nper * q1 * x - (q - 1)) / (x * x)
            f = pv * q + pmt_ * (1 + x * t) * g + fv_
            df = pv * nper * q1 + pmt_ * (t * g + (1 + x * t) * dg)
        if df == 0:
            break
        nx = x - f / df
        if abs(nx - x) < 1e-7:
            if nx <= -1:
                break
            return nx
        x = nx
    raise XLFail(NUM, "RATE did not converge")


def _atp_int(x: float) -> int:
    return math.trunc(x)


@xlfunction("CUMIPMT", "any, any, any, any, any, any")
@atp("n, n, n, n, n, n")
def CUMIPMT(rate: float, nper: float, pv: float, start_period: float, end_period: float,
            type_: float) -> float:
    """The cumulative interest paid between two periods (both included) of a loan.

    ``#NUM!`` unless rate, nper and pv are positive, 1 <= start <= end <= nper and type
    is 0 or 1 (periods are truncated).
    """
    s, e, t = _cum_args(rate, nper, pv, start_period, end_period, type_)
    return sum(ipmt(rate, i, nper, pv, 0.0, t) for i in range(s, e + 1))


@xlfunction("CUMPRINC", "any, any, any, any, any, any")
@atp("n, n, n, n, n, n")
def CUMPRINC(rate: float, nper: float, pv: float, start_period: float, end_period: float,
             type_: float) -> float:
    """The cumulative principal repaid between two periods (both included) of a loan."""
    s, e, t = _cum_args(rate, nper, pv, start_period, end_period, type_)
    p = pmt(rate, nper, pv, 0.0, t)
    return sum(p - ipmt(rate, i, nper, pv, 0.0, t) for i in range(s, e + 1))


def _cum_args(rate: float, nper: float, pv: float, start: float, end: float,
              typ: float) -> tuple[int, int, float]:
    s, e = _atp_int(start), _atp_int(end)
    if rate <= 0 or nper <= 0 or pv <= 0 or s < 1 or e < s or e > nper or typ not in (0, 1):
        raise XLFail(NUM)
    return s, e, typ


@xlfunction("ISPMT", "number, number, number, number")
def ISPMT(rate: float, per: float, nper: float, pv: float) -> float:
    """The interest paid in period ``per`` of a loan with even principal payments:
    ``pv·rate·(per/nper - 1)``."""
    return pv * rate * (per / nper - 1)


@xlfunction("PDURATION", "number, number, number")
def PDURATION(rate: float, pv: float, fv_: float) -> float:
    """The periods an investment at ``rate`` needs to grow from pv to fv:
    ``(ln fv - ln pv) / ln(1 + rate)``."""
    if rate <= 0 or pv <= 0 or fv_ <= 0:
        raise XLFail(NUM)
    return (math.log(fv_) - math.log(pv)) / math.log1p(rate)


@xlfunction("RRI", "number, number, number")
def RRI(nper: float, pv: float, fv_: float) -> float:
    """The equivalent interest rate for the growth of an investment:
    ``(fv/pv)^(1/nper) - 1``."""
    if nper <= 0 or pv == 0:
        raise XLFail(NUM)
    return (fv_ / pv) ** (1 / nper) - 1


@xlfunction("FVSCHEDULE", "any, any")
@atp("n, raw")
def FVSCHEDULE(principal: float, schedule: Any) -> float:
    """The future value of a principal after a series of interest rates (empty cells
    in the schedule are 0%)."""
    x = principal
    for v in values_of(schedule).flat():
        x *= 1 + atp_number(v)
    return x


@xlfunction("EFFECT", "any, any")
@atp("n, n")
def EFFECT(nominal_rate: float, npery: float) -> float:
    """The effective annual rate of a nominal rate compounded ``npery`` times a year:
    ``(1 + r/n)^n - 1`` (n truncated)."""
    n = _atp_int(npery)
    if nominal_rate <= 0 or n < 1:
        raise XLFail(NUM)
    return (1 + nominal_rate / n) ** n - 1


@xlfunction("NOMINAL", "any, any")
@atp("n, n")
def NOMINAL(effect_rate: float, npery: float) -> float:
    """The nominal annual rate of an effective rate: ``n·((1 + e)^(1/n) - 1)``."""
    n = _atp_int(npery)
    if effect_rate <= 0 or n < 1:
        raise XLFail(NUM)
    return n * ((1 + effect_rate) ** (1 / n) - 1)


def _fraction_digits(fraction: float) -> tuple[int, float]:
    f = _atp_int(fraction)
    if f < 0:
        raise XLFail(NUM)
    if f == 0:
        raise XLFail(DIV0)
    return f, 10.0 ** math.ceil(math.log10(f))


@xlfunction("DOLLARDE", "any, any")
@atp("n, n")
def DOLLARDE(fractional_dollar: float, fraction: float) -> float:
    """A price written as dollars and a fraction (1.02 with fraction 16 is 1 2/16) as a
    decimal number (1.125)."""
    f, scale = _fraction_digits(fraction)
    whole = math.trunc(fractional_dollar)
    return whole + (fractional_dollar - whole) * scale / f


@xlfunction("DOLLARFR", "any, any")
@atp("n, n")
def DOLLARFR(decimal_dollar: float, fraction: float) -> float:
    """A decimal price (1.125) written as dollars and a fraction (1.02 for 1 2/16)."""
    f, scale = _fraction_digits(fraction)
    whole = math.trunc(decimal_dollar)
    return whole + (decimal_dollar - whole) * f / scale


# --- cash flows ---------------------------------------------------------------------------


@xlfunction("NPV", "number, any*")
def NPV(rate: float, *values: Any) -> float:
    """The net present value of cash flows at the ends of successive periods.

    Numbers typed as arguments count (text that reads as a number, logicals); text,
    logicals and empty cells in references and arrays are skipped; errors are the
    result. ``Σ v_i / (1 + rate)^i``, i from 1.
    """
    if rate == -1:
        raise XLFail(DIV0)
    total = 0.0
    for i, v in enumerate(numbers(values), 1):
        total += v / (1 + rate) ** i
    return total


def _flows(values: Any) -> list[float]:
    """The numbers of a cash-flow range (IRR, MIRR): text, logicals and empty cells
    skipped, any error ``#VALUE!``."""
    out = []
    for v, _ in flat([values]):
        t = type(v)
        if t is float:
            out.append(v)
        elif t is ExcelError:
            raise XLFail(VALUE, "an error among the cash flows")
    return out


def _root(f: Callable[[float], tuple[float, float]], guess: float, steps: int) -> float:
    """A rate where ``f`` (value, derivative) is 0: Newton's method from ``guess``; when
    that leaves (-1, ∞) or stalls, the sign change of ``f`` on a grid of rates nearest
    to the guess, narrowed by bisection. ``#NUM!`` when there is none."""
    x = guess
    for _ in range(steps):
        if x <= -1:
            break
        try:
            v, dv = f(x)
        except (OverflowError, ZeroDivisionError):
            break
        if dv == 0 or not math.isfinite(v) or not math.isfinite(dv):
            break
        nx = x - v / dv
        if abs(nx - x) <= 1e-10 * max(1.0, abs(nx)):
            if nx > -1:
                return nx
            break
        x = nx
    # the grid is even in log(1 + rate): -99.9 % … about 2e6 %
    points = []
    for k in range(-690, 1000, 5):
        r = math.expm1(k / 100)
        try:
            v = f(r)[0]
        except (OverflowError, ZeroDivisionError):
            continue
        if math.isfinite(v):
            points.append((r, v))
    brackets = [(a, b) for (a, fa), (b, fb) in itertools.pairwise(points)
                if (fa < 0) != (fb < 0)]
    if not brackets:
        raise XLFail(NUM, "no rate makes the value 0")
    lo, hi = min(brackets, key=lambda ab: min(abs(ab[0] - guess), abs(ab[1] - guess)))
    flo = f(lo)[0]
    for _ in range(200):
        mid = (lo + hi) / 2
        fm = f(mid)[0]
        if (fm < 0) == (flo < 0):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi - lo <= 1e-15 * max(1.0, abs(mid)):
            break
    return (lo + hi) / 2


def _irr(cf: list[float], guess: float) -> float:
    if not (any(v > 0 for v in cf) and any(v < 0 for v in cf)):
        raise XLFail(NUM, "IRR needs a positive and a negative cash flow")

    def f(x: float) -> tuple[float, float]:
        d = 1 + x
        v = dv = 0.0
        for i, c in enumerate(cf):
            v += c / d ** i
            dv -= i * c / d ** (i + 1)
        return v, dv

    return _root(f, guess, 50)


@xlfunction("IRR", "any, number?")
def IRR(values: Any, guess: float = 0.1) -> float:
    """The internal rate of return of periodic cash flows (the rate where their NPV,
    first flow undiscounted, is 0).

    Notes
    -----
    Newton's method from ``guess`` (0.1) to full precision; when it does not converge,
    the root nearest the guess found by bisection. Excel documents 20 iterations to
    0.00001 % and gives ``#NUM!`` more often (its own iteration finds roots from some
    starts and not others); where there are several roots the one found is the one near
    the guess, as in Excel, but not guaranteed to be Excel's.
    """
    return _irr(_flows(values), guess)


@xlfunction("MIRR", "any, number, number")
def MIRR(values: Any, finance_rate: float, reinvest_rate: float) -> float:
    """The modified internal rate of return: negative flows financed at
    ``finance_rate``, positive ones reinvested at ``reinvest_rate``.

    Notes
    -----
    ``(-NPV_pos(rr)·(1+rr)^n / (NPV_neg(fr)·(1+fr)))^(1/(n-1)) - 1`` over the n flows,
    NPVs taken with the first flow at period 1. ``#DIV/0!`` without both signs.
    """
    cf = _flows(values)
    n = len(cf)
    pos = sum(v / (1 + reinvest_rate) ** i for i, v in enumerate(cf, 1) if v > 0)
    neg = sum(v / (1 + finance_rate) ** i for i, v in enumerate(cf, 1) if v < 0)
    if pos == 0 or neg == 0 or n < 2:
        raise XLFail(DIV0)
    return (-pos * (1 + reinvest_rate) ** n / (neg * (1 + finance_rate))) ** (1 / (n - 1)) - 1


def _dated_flows(values: Any, dates: Any) -> tuple[list[float], list[int]]:
    """The (value, date) pairs of XNPV/XIRR: pairs with an empty value are skipped, a
    date error is reported before a value error, logicals are ``#VALUE!``, dates before
    the first one are ``#NUM!``."""
    vs = list(values_of(values).flat())
    ds = list(values_of(dates).flat())
    for d in ds:
        if type(d) is ExcelError:
            raise XLFail(d)
    for v in vs:
        if type(v) is ExcelError:
            raise XLFail(v)
    if len(vs) != len(ds):
        raise XLFail(NUM, "values and dates differ in count")
    out_v: list[float] = []
    out_d: list[int] = []
    for v, d in zip(vs, ds, strict=True):
        if v is None or (type(v) is str and d is not None and type(d) is not bool):
            continue
        x = atp_number(v)
        if d is None:
            raise XLFail(VALUE, "a cash flow without a date")
        dd = atp_number(d)
        if not 0 <= dd < 2958466:
            raise XLFail(NUM)
        out_v.append(x)
        out_d.append(int(dd))
    if not out_v:
        raise XLFail(NUM)
    if any(d < out_d[0] for d in out_d):
        raise XLFail(NUM, "a date precedes the first date")
    return out_v, out_d


def _xnpv(rate: float, vs: list[float], ds: list[int]) -> tuple[float, float]:
    d0 = ds[0]
    f = df = 0.0
    for v, d in zip(vs, ds, strict=True):
        e = (d - d0) / 365
        f += v / (1 + rate) ** e
        df -= e * v / (1 + rate) ** (e + 1)
    return f, df


@xlfunction("XNPV", "any, any, any")
@atp("n, raw, raw")
def XNPV(rate: float, values: Any, dates: Any) -> float:
    """The net present value of cash flows on given dates:
    ``Σ v_i / (1 + rate)^((d_i - d_1)/365)``. ``#NUM!`` for a rate not above 0."""
    if rate <= 0:
        raise XLFail(NUM, "XNPV's rate must be positive")
    vs, ds = _dated_flows(values, dates)
    return _xnpv(rate, vs, ds)[0]


@xlfunction("XIRR", "any, any, any?")
@atp("raw, raw, n")
def XIRR(values: Any, dates: Any, guess: float = 0.1) -> float:
    """The internal rate of return of cash flows on given dates (where XNPV is 0).

    Notes
    -----
    Excel's own search, reconstructed from its results (they are all points of it):
    from the guess (0 starts at 1e-5) the rate is doubled while XNPV says the root is
    higher and halved while it says lower (midway to -1 for a negative rate), until the
    sign of XNPV changes; then the bracket is bisected. Which way is "higher" follows
    the sign of the first flow (XNPV tends to it as the rate grows). The result is the
    first point that moved less than 1e-8 (the documented 0.000001 %), so it is not
    the exact root and depends on the guess. Upward from a negative guess Excel doubles
    the rate, i.e. moves away from the root, and fails: ``#NUM!`` (FINANCIAL!S55).
    A root of 0 from a positive guess is approached by halving and never reached, so
    the result is a few 1e-9. Not exact: in some cases Excel takes one to a few more
    halvings before it stops (a rate within about 1e-8 of this one); the rule
    deciding that is not known.
    """
    vs, ds = _dated_flows(values, dates)
    if not (any(v > 0 for v in vs) and any(v < 0 for v in vs)):
        raise XLFail(NUM, "XIRR needs a positive and a negative cash flow")
    if guess <= -1:
        raise XLFail(NUM)
    return _xirr_search(vs, ds, guess)


def _xirr_search(vs: list[float], ds: list[int], guess: float) -> float:
    grows = next(v for v in vs if v != 0) < 0  # XNPV → first flow as the rate → ∞
    x = guess if guess != 0 else 1e-5
    floor = 0.0 if x > 0 else -1.0
    lo = hi = None
    for _ in range(100):
        try:
            f = _xnpv(x, vs, ds)[0]
        except (OverflowError, ZeroDivisionError):
            break
        if type(f) is not float or not math.isfinite(f):
            break  # a rate ≤ -1 (complex powers) or an overflow
        if f == 0:
            return x
        if (f > 0) == grows:  # the root is above x
            lo = x
            nx = (x + hi) / 2 if hi is not None else 2 * x
        else:
            hi = x
            nx = (x + lo) / 2 if lo is not None else (x + floor) / 2
        if abs(nx - x) < 1e-8:
            return nx
        if nx <= -1:
            break
        x = nx
    raise XLFail(NUM, "XIRR's search did not converge")


# --- depreciation -------------------------------------------------------------------------


@xlfunction("SLN", "number, number, number")
def SLN(cost: float, salvage: float, life: float) -> float:
    """Straight-line depreciation per period: ``(cost - salvage) / life``."""
    return (cost - salvage) / life


@xlfunction("SYD", "number, number, number, number")
def SYD(cost: float, salvage: float, life: float, per: float) -> float:
    """Sum-of-years'-digits depreciation of period ``per``:
    ``(cost - salvage)·(life - per + 1)·2 / (life·(life + 1))``."""
    if life <= 0 or per <= 0 or per > life:
        raise XLFail(NUM)
    return (cost - salvage) * (life - per + 1) * 2 / (life * (life + 1))


@xlfunction("DB", "number, number, number, number, number?")
def DB(cost: float, salvage: float, life: float, period: float, month: float = 12) -> float:
    """Fixed-declining-balance depreciation of a period.

    Notes
    -----
    The rate is ``1 - (salvage/cost)^(1/life)`` rounded to three decimals; the first
    period counts ``month/12`` of a year, the period after ``life`` the rest of it.
    """
    m = math.trunc(month)
    p = math.trunc(period)
    if cost < 0 or salvage < 0 or life <= 0 or p <= 0 or not 1 <= m <= 12:
        raise XLFail(NUM)
    if p > life + 1 or (m == 12 and p > life):
        raise XLFail(NUM)
    if cost == 0:
        return 0.0
    rate = round(1 - (salvage / cost) ** (1 / life), 3)
    total = cost * rate * m / 12
    if p == 1:
        return total
    dep = total
    for i in range(2, p + 1):
        dep = (cost - total) * rate
        if i == life + 1:
            dep *= (12 - m) / 12
        total += dep
    return dep


def _ddb(cost: float, salvage: float, life: float, period: float, factor: float) -> float:
    """DDB of one (possibly fractional) period: the book value falls by ``factor/life``
    per period, never below the salvage value."""
    rate = factor / life
    if rate >= 1:
        rate = 1.0
        old = cost if period == 1 else 0.0
    else:
        old = cost * (1 - rate) ** (period - 1)
    new = cost * (1 - rate) ** period
    d = old - salvage if new < salvage else old - new
    return max(d, 0.0)


@xlfunction("DDB", "number, number, number, number, number?")
def DDB(cost: float, salvage: float, life: float, period: float, factor: float = 2) -> float:
    """Double- (or ``factor``-) declining-balance depreciation of a period."""
    if cost < 0 or salvage < 0 or life <= 0 or period <= 0 or period > life or factor <= 0:
        raise XLFail(NUM)
    return _ddb(cost, salvage, life, period, factor)


def _vdb(cost: float, salvage: float, life: float, start: float, end: float, factor: float,
         no_switch: bool) -> float:
    # Excel lays the periods out from the start's fraction: with start 2.5 they are
    # 0‥0.5, 0.5‥1.5, 1.5‥2.5 …, so the switch to straight line and its amount follow
    # that grid (VDB(1,0,14,3.5,4.5,1.25) is 0.0687263, not the whole-period 0.0686679)
    rate = min(factor / life, 1.0)
    frac = start - math.floor(start)
    t = 0.0
    book = cost
    total = 0.0
    sln: float | None = None
    while t < end:
        length = frac if (t == 0 and frac > 0) else 1.0
        nxt = t + length
        if sln is not None:
            amount = sln
        else:
            amount = min(book * rate, max(book - salvage, 0.0))
            if not no_switch:
                straight = (book - salvage) / (life - t)
                if straight > amount:
                    sln = amount = straight
        amount *= length
        lo, hi = max(t, start), min(nxt, end)
        if hi > lo:
            total += amount * (hi - lo) / length
        book -= amount
        t = nxt
    return total


@xlfunction("VDB", "number, number, number, number, number, number?, bool?")
def VDB(cost: float, salvage: float, life: float, start_period: float, end_period: float,
        factor: float = 2, no_switch: bool = False) -> float:
    """Declining-balance depreciation between two periods, switching to straight line
    when that is larger (unless ``no_switch``).

    Notes
    -----
    Period by period the book value falls by ``factor/life`` of itself (never below the
    salvage value) until the straight-line depreciation of what is left over the life
    left is larger, which then holds to the end. A fractional start lays the periods
    out from its fraction (0‥0.5, 0.5‥1.5 … for a start of 2.5), as Excel does; a
    period cut by the end counts in proportion. Checked against Excel's results for
    whole and half periods (corpus xlc_VDB.xlsx).
    """
    if (start_period < 0 or end_period < start_period or end_period > life or cost < 0
            or salvage < 0 or factor <= 0 or life <= 0):
        raise XLFail(NUM)
    return _vdb(cost, salvage, life, start_period, end_period, factor, no_switch)


# --- Treasury bills and discounted securities --------------------------------------------


def _dsm(settlement: float, maturity: float) -> int:
    s, m = int(settlement), int(maturity)
    if settlement < 0 or s >= m:
        raise XLFail(NUM, "settlement must be before maturity")
    return m - s


def _tbill_days(settlement: float, maturity: float) -> int:
    from templates.recalc.dates import excel_serial, serial_to_date

    dsm = _dsm(settlement, maturity)
    y, mo, d = serial_to_date(int(settlement))
    if int(maturity) > excel_serial(y + 1, mo, d):
        raise XLFail(NUM, "a Treasury bill matures within a year")
    return dsm


@xlfunction("TBILLPRICE", "any, any, any")
@atp("n, n, n")
def TBILLPRICE(settlement: float, maturity: float, discount: float) -> float:
    """The price per 100 face value of a Treasury bill: ``100·(1 - discount·DSM/360)``."""
    dsm = _tbill_days(settlement, maturity)
    if discount <= 0:
        raise XLFail(NUM)
    price = 100 * (1 - discount * dsm / 360)
    if price <= 0:
        raise XLFail(NUM)
    return price


@xlfunction("TBILLYIELD", "any, any, any")
@atp("n, n, n")
def TBILLYIELD(settlement: float, maturity: float, pr: float) -> float:
    """The yield of a Treasury bill: ``(100 - pr)/pr · 360/DSM``."""
    dsm = _tbill_days(settlement, maturity)
    if pr <= 0:
        raise XLFail(NUM)
    return (100 - pr) / pr * 360 / dsm


@xlfunction("TBILLEQ", "any, any, any")
@atp("n, n, n")
def TBILLEQ(settlement: float, maturity: float, discount: float) -> float:
    """The bond-equivalent yield of a Treasury bill.

    Notes
    -----
    ``365·d / (360 - d·DSM)`` up to 182 days (Microsoft's formula); beyond, the
    semi-annual bond-equivalent yield solved from the bill's price
    ``P = 100·(1 - d·DSM/360)``: ``(-2t + 2√(t² - (2t - 1)(1 - 100/P))) / (2t - 1)``,
    ``t = DSM/365`` (Microsoft does not document this branch).
    """
    dsm = _tbill_days(settlement, maturity)
    if discount <= 0:
        raise XLFail(NUM)
    if dsm <= 182:
        return 365 * discount / (360 - discount * dsm)
    price = 100 * (1 - discount * dsm / 360)
    if price <= 0:
        raise XLFail(NUM)
    t = dsm / 365
    return (-2 * t + 2 * math.sqrt(t * t - (2 * t - 1) * (1 - 100 / price))) / (2 * t - 1)


def _basis(b: float) -> int:
    bs = math.trunc(b)
    if not 0 <= bs <= 4:
        raise XLFail(NUM, f"basis {bs} is not 0‥4")
    return bs


def _yf(a: float, b: float, basis: float) -> float:
    _dsm(a, b)
    return yearfrac(int(a), int(b), _basis(basis))


@xlfunction("DISC", "any, any, any, any, any?")
@atp("n, n, n, n, n")
def DISC(settlement: float, maturity: float, pr: float, redemption: float,
         basis: float = 0) -> float:
    """The discount rate of a security: ``(redemption - pr)/redemption / YEARFRAC``."""
    if pr <= 0 or redemption <= 0:
        raise XLFail(NUM)
    return (redemption - pr) / redemption / _yf(settlement, maturity, basis)


@xlfunction("INTRATE", "any, any, any, any, any?")
@atp("n, n, n, n, n")
def INTRATE(settlement: float, maturity: float, investment: float, redemption: float,
            basis: float = 0) -> float:
    """The interest rate of a fully invested security:
    ``(redemption - investment)/investment / YEARFRAC``."""
    if investment <= 0 or redemption <= 0:
        raise XLFail(NUM)
    return (redemption - investment) / investment / _yf(settlement, maturity, basis)


@xlfunction("RECEIVED", "any, any, any, any, any?")
@atp("n, n, n, n, n")
def RECEIVED(settlement: float, maturity: float, investment: float, discount: float,
             basis: float = 0) -> float:
    """The amount received at maturity: ``investment / (1 - discount·YEARFRAC)``."""
    if investment <= 0 or discount <= 0:
        raise XLFail(NUM)
    d = 1 - discount * _yf(settlement, maturity, basis)
    if d <= 0:
        raise XLFail(NUM)
    return investment / d


@xlfunction("PRICEDISC", "any, any, any, any, any?")
@atp("n, n, n, n, n")
def PRICEDISC(settlement: float, maturity: float, discount: float, redemption: float,
              basis: float = 0) -> float:
    """The price per 100 face value of a discounted security:
    ``redemption·(1 - discount·YEARFRAC)``."""
    if discount <= 0 or redemption <= 0:
        raise XLFail(NUM)
    return redemption * (1 - discount * _yf(settlement, maturity, basis))


@xlfunction("YIELDDISC", "any, any, any, any, any?")
@atp("n, n, n, n, n")
def YIELDDISC(settlement: float, maturity: float, pr: float, redemption: float,
              basis: float = 0) -> float:
    """The annual yield of a discounted security: ``(redemption/pr - 1) / YEARFRAC``."""
    if pr <= 0 or redemption <= 0:
        raise XLFail(NUM)
    return (redemption / pr - 1) / _yf(settlement, maturity, basis)


@xlfunction("PRICEMAT", "any, any, any, any, any, any?")
@atp("n, n, n, n, n, n")
def PRICEMAT(settlement: float, maturity: float, issue: float, rate: float, yld: float,
             basis: float = 0) -> float:
    """The price per 100 face value of a security paying interest at maturity.

    Notes
    -----
    ``(100 + DIM·rate·100) / (1 + DSM·yld) - A·rate·100`` with the year fractions DIM
    (issue → maturity), DSM (settlement → maturity), A (issue → settlement).
    """
    if rate < 0 or yld < 0:
        raise XLFail(NUM)
    bs = _basis(basis)
    dsm = _yf(settlement, maturity, bs)
    if int(issue) > int(settlement):
        raise XLFail(NUM)
    dim = yearfrac(int(issue), int(maturity), bs)
    a = yearfrac(int(issue), int(settlement), bs)
    return (100 + dim * rate * 100) / (1 + dsm * yld) - a * rate * 100
