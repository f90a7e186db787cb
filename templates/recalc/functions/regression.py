"""Regression: SLOPE, INTERCEPT, STEYX, FORECAST, FORECAST.LINEAR (one variable, from
number pairs) and LINEST, LOGEST, TREND, GROWTH (least squares on several variables).

The one-variable functions read the pairs where both values are numbers
(:func:`.statistics.number_pairs`); arrays of different sizes are ``#N/A``, no spread in
x is ``#DIV/0!``.

LINEST and its relatives follow Excel's rules for the shapes of their arguments: when
``known_y's`` is a single column each column of ``known_x's`` is a variable, when it is a
single row each row is; otherwise ``known_x's`` must have the shape of ``known_y's``
(one variable). Other shapes are ``#REF!``; a value that is not a number, an error
value included, is ``#VALUE!``. Omitted ``known_x's`` are 1, 2, 3 …

Notes
-----
The fit centres the data when there is a constant and takes the variables one by one
(Gram-Schmidt): a variable that adds nothing to the ones before it (collinear, or
constant with a constant term) is left out, as Excel's LINEST does since Excel 2003 —
its coefficient and standard error are 0 and the degrees of freedom count only the
variables kept. Solving is numpy's least squares on the variables kept.
LINEST's fifth statistic row is ``ssreg = sstotal - ssresid``; F is ``#NUM!`` when the
fit is exact (ssresid 0). Excel's answer for a fit where every variable is left out and
no degree of freedom remains (pycel_stats.xlsx LinestArrayExp!F21) is not reproduced.
"""

from __future__ import annotations

import math
from typing import Any

from templates.recalc.functions._args import values_of
from templates.recalc.functions.statistics import number_pairs
from templates.recalc.registry import xlfunction
from templates.recalc.values import DIV0, NA, NUM, REF, VALUE, Array, XLFail, is_error

__all__: list[str] = []


# --- one variable -----------------------------------------------------------------------


def _line(known_ys: Any, known_xs: Any) -> tuple[float, float, int, float, float, float]:
    """(slope, intercept, n, Sxx, Syy, Sxy)."""
    ys, xs = number_pairs(known_ys, known_xs)
    n = len(xs)
    if not n:
        raise XLFail(DIV0, "no number pairs")
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = syy = sxy = 0.0
    for x, y in zip(xs, ys, strict=True):
        dx, dy = x - mx, y - my
        sxx += dx * dx
        syy += dy * dy
        sxy += dx * dy
    if sxx == 0:
        raise XLFail(DIV0, "no spread in x")
    slope = sxy / sxx
    return slope, my - slope * mx, n, sxx, syy, sxy


@xlfunction("SLOPE", "any, any")
def SLOPE(known_ys: Any, known_xs: Any) -> float:
    """Returns the slope of the linear regression line, ``Sxy / Sxx``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> ys = Array([[2.0, 3.0, 9.0, 1.0, 8.0, 7.0, 5.0]])
    >>> xs = Array([[6.0, 5.0, 11.0, 7.0, 5.0, 4.0, 4.0]])
    >>> xlcall("SLOPE", ys, xs), xlcall("INTERCEPT", ys, xs), xlcall("STEYX", ys, xs)
    (0.3055555555555556, 3.1666666666666665, 3.305718950210041)
    """
    return _line(known_ys, known_xs)[0]


@xlfunction("INTERCEPT", "any, any")
def INTERCEPT(known_ys: Any, known_xs: Any) -> float:
    """Returns the intercept of the linear regression line, ``ȳ - slope·x̄``."""
    return _line(known_ys, known_xs)[1]


@xlfunction("STEYX", "any, any")
def STEYX(known_ys: Any, known_xs: Any) -> float:
    """Returns the standard error of the predicted y-value for each x in the regression,
    ``sqrt((Syy - Sxy²/Sxx) / (n - 2))`` (``#DIV/0!`` for fewer than 3 pairs)."""
    _, _, n, sxx, syy, sxy = _line(known_ys, known_xs)
    if n < 3:
        raise XLFail(DIV0, "fewer than 3 pairs")
    return math.sqrt(max(0.0, syy - sxy * sxy / sxx) / (n - 2))


@xlfunction("FORECAST.LINEAR", "number, any, any", aliases=("FORECAST",))
def FORECAST_LINEAR(x: float, known_ys: Any, known_xs: Any) -> float:
    """Returns a value along a linear trend (also FORECAST).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("FORECAST.LINEAR", 30.0, Array([[6.0, 7.0, 9.0, 15.0, 21.0]]),
    ...        Array([[20.0, 28.0, 31.0, 38.0, 40.0]]))
    10.607253086419755
    """
    slope, intercept, *_ = _line(known_ys, known_xs)
    return intercept + slope * x


# --- several variables ------------------------------------------------------------------


def _numbers_grid(v: Any) -> list[list[float]]:
    a = values_of(v)
    out = []
    for row in a.rows:
        r = []
        for x in row:
            # an error value is #VALUE! too, not itself (formulas_test 'STATISTICAL'!AB58)
            if type(x) is not float:
                raise XLFail(VALUE, "a value that is not a number")
            r.append(x)
        out.append(r)
    return out


def _design(known_ys: Any, known_xs: Any) -> tuple[list[float], list[list[float]], str]:
    """(y values, observations × variables, orientation 'col'/'row'/'one')."""
    # shapes are checked before values: LINEST(B2:B14, A2:A13) with B14 empty is #REF!
    # (pycel_stats.xlsx LinestArrayExp!B29)
    nr, nc = values_of(known_ys).shape
    n = nr * nc
    if known_xs is None:
        y = _numbers_grid(known_ys)
        xs = [[float(i + 1)] for i in range(n)]
        return [v for row in y for v in row], xs, "one"
    xr, xc = values_of(known_xs).shape
    if nc == 1 and nr > 1:
        orient = "col"
        if xr != nr:
            raise XLFail(REF, "known_x's rows do not match known_y's")
    elif nr == 1 and nc > 1:
        orient = "row"
        if xc != nc:
            raise XLFail(REF, "known_x's columns do not match known_y's")
    else:
        orient = "one"
        if (xr, xc) != (nr, nc):
            raise XLFail(REF, "known_x's shape does not match known_y's")
    y = _numbers_grid(known_ys)
    x = _numbers_grid(known_xs)
    if orient == "col":
        return [row[0] for row in y], x, orient
    if orient == "row":
        return y[0], [[x[r][c] for r in range(xr)] for c in range(xc)], orient
    return [v for row in y for v in row], [[v] for row in x for v in row], orient


class _Fit:
    """Least squares ``y = Σ mᵢ xᵢ (+ b)`` with Excel's removal of redundant variables."""

    def __init__(self, y: list[float], x: list[list[float]], const: bool) -> None:
        import numpy as np

        self.const = const
        y_ = np.asarray(y, dtype=float)
        x_ = np.asarray(x, dtype=float).reshape(len(y), -1)
        n, k = x_.shape
        self.n, self.k = n, k
        xm = x_.mean(axis=0) if const else np.zeros(k)
        ym = float(y_.mean()) if const else 0.0
        xc, yc = x_ - xm, y_ - ym
        kept: list[int] = []
        basis: list[Any] = []
        for j in range(k):
            v = xc[:, j].copy()
            scale = float(v @ v)
            for q in basis:
                v -= (q @ v) * q
            norm2 = float(v @ v)
            if scale == 0 or norm2 <= 1e-24 * max(scale, 1e-300) or norm2 <= 1e-14 * scale:
                continue
            basis.append(v / math.sqrt(norm2))
            kept.append(j)
        coef = np.zeros(k)
        self.xtx_inv = None
        if kept:
            a = xc[:, kept]
            q, r = np.linalg.qr(a)
            coef[kept] = np.linalg.solve(r, q.T @ yc)
            r_inv = np.linalg.inv(r)
            self.xtx_inv = r_inv @ r_inv.T
        self.kept, self.coef, self.xm = kept, coef, xm
        self.b = ym - float(coef @ xm) if const else 0.0
        fitted = x_ @ coef + self.b
        resid = y_ - fitted
        self.ssresid = float(resid @ resid)
        # an exact fit leaves rounding noise, which Excel reports as 0 (and F as #NUM!:
        # pycel_stats.xlsx Stats!D48)
        if self.ssresid <= 1e-28 * float(y_ @ y_):
            self.ssresid = 0.0
        self.sstotal = float(yc @ yc)
        self.df = n - len(kept) - (1 if const else 0)

    def predict(self, rows: list[list[float]]) -> list[float]:
        return [sum(c * v for c, v in zip(self.coef, r, strict=True)) + self.b for r in rows]

    def stats(self) -> list[list[Any]]:
        """LINEST's 5 × (k + 1) array with stats=TRUE."""
        k = self.k
        df = self.df
        ssresid = self.ssresid
        ssreg = self.sstotal - ssresid
        if df > 0:
            sey = math.sqrt(ssresid / df)
        elif ssresid == 0:
            sey = 0.0
        else:
            raise XLFail(NUM, "no degrees of freedom")
        se = [0.0] * k
        se_b: Any = NA
        if self.kept and self.xtx_inv is not None:
            diag = self.xtx_inv.diagonal()
            for i, j in enumerate(self.kept):
                se[j] = sey * math.sqrt(max(0.0, float(diag[i])))
        if self.const:
            if self.kept and self.xtx_inv is not None:
                xm = self.xm[self.kept]
                var_b = 1 / self.n + float(xm @ self.xtx_inv @ xm)
            else:
                var_b = 1 / self.n
            se_b = sey * math.sqrt(max(0.0, var_b))
        r2: Any = ssreg / self.sstotal if self.sstotal else (1.0 if ssresid == 0 else 0.0)
        used = len(self.kept)
        if ssresid == 0 or df == 0:
            f: Any = NUM
        elif used == 0:
            f = NUM
        else:
            f = (ssreg / used) / (ssresid / df)
        pad = [NA] * (k - 1)
        return [
            [*(float(c) for c in self.coef[::-1]), self.b],
            [*se[::-1], se_b],
            [r2, sey, *pad],
            [f, float(df), *pad],
            [ssreg, ssresid, *pad],
        ]


def _linest(known_ys: Any, known_xs: Any, const: Any, stats: Any,
            log: bool) -> list[list[Any]]:
    from templates.recalc.values import to_bool

    y, x, _ = _design(known_ys, known_xs)
    if log:
        if any(v <= 0 for v in y):
            raise XLFail(NUM, "LOGEST needs positive y values")
        y = [math.log(v) for v in y]
    c = True if const is None else to_bool(_scalar(const))
    s = False if stats is None else to_bool(_scalar(stats))
    fit = _Fit(y, x, c)
    out = fit.stats() if s else [[*(float(v) for v in fit.coef[::-1]), fit.b]]
    if log:
        out[0] = [math.exp(v) for v in out[0]]
    return out


def _scalar(v: Any) -> Any:
    """A ``const``/``stats`` flag's value; an error there is ``#VALUE!`` (formulas_test
    'STATISTICAL'!Z58)."""
    if isinstance(v, Array) or hasattr(v, "array"):
        v = values_of(v).rows[0][0]
    if is_error(v):
        raise XLFail(VALUE, "an error as a flag")
    return v


@xlfunction("LINEST", "any, any?, any?, any?")
def LINEST(known_ys: Any, known_xs: Any = None, const: Any = None,
           stats: Any = None) -> list[list[Any]]:
    """Returns the parameters of a linear trend: ``{m_k … m_1, b}``, with ``stats`` the
    5-row array of standard errors, r² and sey, F and df, ssreg and ssresid (cells past
    the second column of rows 3–5 are ``#N/A``).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> r = xlcall("LINEST",
    ...     Array([[1.0], [9.0], [5.0], [7.0]]),
    ...     Array([[0.0], [4.0], [2.0], [3.0]]))
    >>> [round(v, 12) for v in r.rows[0]]
    [2.0, 1.0]
    """
    return _linest(known_ys, known_xs, const, stats, False)


@xlfunction("LOGEST", "any, any?, any?, any?")
def LOGEST(known_ys: Any, known_xs: Any = None, const: Any = None,
           stats: Any = None) -> list[list[Any]]:
    """Returns the parameters of an exponential trend ``y = b·m₁^x₁…`` (LINEST on ln y;
    the statistics are those of that fit).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> r = xlcall("LOGEST",
    ...     Array([[33100.0], [47300.0], [69000.0], [102000.0], [150000.0], [220000.0]]),
    ...     Array([[11.0], [12.0], [13.0], [14.0], [15.0], [16.0]]))
    >>> [round(v, 6) for v in r.rows[0]]
    [1.463276, 495.30477]
    """
    return _linest(known_ys, known_xs, const, stats, True)


def _trend(known_ys: Any, known_xs: Any, new_xs: Any, const: Any, log: bool) -> Any:
    from templates.recalc.values import to_bool

    y, x, orient = _design(known_ys, known_xs)
    if log:
        if any(v <= 0 for v in y):
            raise XLFail(NUM, "GROWTH needs positive y values")
        y = [math.log(v) for v in y]
    c = True if const is None else to_bool(_scalar(const))
    fit = _Fit(y, x, c)
    k = fit.k
    if new_xs is None:
        rows = x
        shape = values_of(known_ys).shape if orient == "one" or known_xs is None else None
        if shape is None:
            shape = (len(rows), 1) if orient == "col" else (1, len(rows))
    else:
        g = _numbers_grid(new_xs)
        if k == 1:
            rows = [[v] for row in g for v in row]
            shape = (len(g), len(g[0]))
        elif orient == "col":
            if len(g[0]) != k:
                raise XLFail(REF, "new_x's columns do not match known_x's")
            rows, shape = g, (len(g), 1)
        else:
            if len(g) != k:
                raise XLFail(REF, "new_x's rows do not match known_x's")
            rows = [[g[r][cc] for r in range(k)] for cc in range(len(g[0]))]
            shape = (1, len(rows))
    vals = fit.predict(rows)
    if log:
        vals = [math.exp(v) for v in vals]
    nr, nc = shape
    return [[vals[r * nc + cc] for cc in range(nc)] for r in range(nr)]


@xlfunction("TREND", "any, any?, any?, any?")
def TREND(known_ys: Any, known_xs: Any = None, new_xs: Any = None,
          const: Any = None) -> list[list[float]]:
    """Returns values along a linear trend (the LINEST fit at ``new_x's``, by default at
    ``known_x's``).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> r = xlcall("TREND", Array([[1.0, 3.0, 5.0]]), Array([[1.0, 2.0, 3.0]]), Array([[4.0, 5.0]]))
    >>> [round(v, 12) for v in r.rows[0]]
    [7.0, 9.0]
    """
    return _trend(known_ys, known_xs, new_xs, const, False)


@xlfunction("GROWTH", "any, any?, any?, any?")
def GROWTH(known_ys: Any, known_xs: Any = None, new_xs: Any = None,
           const: Any = None) -> list[list[float]]:
    """Returns values along an exponential trend (the LOGEST fit at ``new_x's``)."""
    return _trend(known_ys, known_xs, new_xs, const, True)
