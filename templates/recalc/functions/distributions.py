"""Probability distributions and hypothesis tests: normal, Student's t, chi-squared, F,
beta, gamma, binomial, negative binomial, hypergeometric, Poisson, exponential,
lognormal, Weibull; T.TEST, Z.TEST, CHISQ.TEST, F.TEST; CONFIDENCE.NORM/.T; PHI, GAUSS.

The special functions (regularized incomplete beta and gamma and their inverses) come
from :mod:`scipy.special`, imported inside the functions so a workbook that uses none of
them does not load scipy (about 0.15–0.25 s with scipy 1.17). The normal quantile comes
from the standard library's :class:`statistics.NormalDist` (Wichura's AS 241, within
5 ulp of the exact quantile on 5,000 seeded probabilities from 1e-300 to 1 - 1e-16,
as is scipy's ``ndtri``), so NORM.INV and NORM.S.INV need no scipy at all. Excel's own
routines agree with these to about 1e-15 relative (its inverses are iterative searches
that Microsoft documents to 3e-7 in older versions, exact to double precision since
Excel 2010).

Argument rules that Excel applies and these functions follow: degrees of freedom and
counts are truncated to integers; ``cumulative`` is any logical (a number, "TRUE");
parameters outside their domain are ``#NUM!``. The legacy names (NORMDIST, TDIST,
CHIDIST, BINOMDIST …) are registered next to the modern ones, with their own argument
lists.
"""

from __future__ import annotations

import math
from typing import Any

from templates.recalc.functions._args import numbers, values_of
from templates.recalc.functions.statistics import mean, number_pairs, stdev_s, var_s
from templates.recalc.registry import xlfunction
from templates.recalc.values import DIV0, NA, NUM, Array, ExcelError, XLFail

__all__ = ["norm_cdf", "norm_inv", "t_cdf"]

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)


def _sample(v: Any) -> list[float]:
    """The numbers of one array of a two-array test (F.TEST, T.TEST): as for AVERAGE,
    except that ``#NULL!`` is passed over, as Excel does in every two-array function
    (formulas_test 'STATISTICAL'!AD34: ``F.TEST({#NULL!,#NUM!}, …)`` is ``#NUM!``)."""
    a = values_of(v)
    return numbers([Array([[x for x in a.flat()
                            if not (type(x) is ExcelError and x == "#NULL!")]])])


def _need(ok: bool, what: str = "argument out of range") -> None:
    if not ok:
        raise XLFail(NUM, what)


def _prob(p: float) -> None:
    _need(0 < p < 1, "probability outside 0‥1")


# --- normal -----------------------------------------------------------------------------


def norm_cdf(z: float) -> float:
    """Φ(z) = ½ erfc(-z/√2)."""
    return 0.5 * math.erfc(-z / _SQRT2)


def norm_pdf(z: float) -> float:
    return math.exp(-0.5 * z * z) / _SQRT2PI


def norm_inv(p: float) -> float:
    """Φ⁻¹(p) for 0 < p < 1."""
    from statistics import NormalDist

    _prob(p)
    return NormalDist().inv_cdf(p)


@xlfunction("NORM.DIST", "number, number, number, bool")
def NORM_DIST(x: float, mean_: float, standard_dev: float, cumulative: bool) -> float:
    """Returns the normal cumulative distribution (or density with cumulative FALSE).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("NORM.DIST", 42.0, 40.0, 1.5, True), xlcall("NORM.DIST", 42.0, 40.0, 1.5, False)
    (0.9087887802741321, 0.10934004978399577)
    """
    _need(standard_dev > 0, "standard_dev ≤ 0")
    z = (x - mean_) / standard_dev
    return norm_cdf(z) if cumulative else norm_pdf(z) / standard_dev


@xlfunction("NORMDIST", "number, number, number, bool")
def NORMDIST(x: float, mean_: float, standard_dev: float, cumulative: bool) -> float:
    """Returns the normal cumulative distribution (legacy NORM.DIST)."""
    return NORM_DIST(x, mean_, standard_dev, cumulative)


@xlfunction("NORM.INV", "number, number, number", aliases=("NORMINV",))
def NORM_INV(probability: float, mean_: float, standard_dev: float) -> float:
    """Returns the inverse of the normal cumulative distribution (also NORMINV).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("NORM.INV", 0.908789, 40.0, 1.5)
    42.00000200956616
    """
    _need(standard_dev > 0, "standard_dev ≤ 0")
    return mean_ + standard_dev * norm_inv(probability)


@xlfunction("NORM.S.DIST", "number, bool")
def NORM_S_DIST(z: float, cumulative: bool) -> float:
    """Returns the standard normal cumulative distribution (or density)."""
    return norm_cdf(z) if cumulative else norm_pdf(z)


@xlfunction("NORMSDIST", "number")
def NORMSDIST(z: float) -> float:
    """Returns the standard normal cumulative distribution (legacy)."""
    return norm_cdf(z)


@xlfunction("NORM.S.INV", "number", aliases=("NORMSINV",))
def NORM_S_INV(probability: float) -> float:
    """Returns the inverse of the standard normal cumulative distribution (also
    NORMSINV)."""
    return norm_inv(probability)


@xlfunction("PHI", "number")
def PHI(x: float) -> float:
    """Returns the value of the density function for a standard normal distribution."""
    return norm_pdf(x)


@xlfunction("GAUSS", "number")
def GAUSS(z: float) -> float:
    """Returns 0.5 less than the standard normal cumulative distribution."""
    return 0.5 * math.erf(z / _SQRT2)


@xlfunction("LOGNORM.DIST", "number, number, number, bool")
def LOGNORM_DIST(x: float, mean_: float, standard_dev: float, cumulative: bool) -> float:
    """Returns the lognormal cumulative distribution (or density).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("LOGNORM.DIST", 4.0, 3.5, 1.2, True), xlcall("LOGNORM.DIST", 4.0, 3.5, 1.2, False)
    (0.03908355570680049, 0.01761759668181923)
    """
    _need(x > 0 and standard_dev > 0)
    z = (math.log(x) - mean_) / standard_dev
    return norm_cdf(z) if cumulative else norm_pdf(z) / (x * standard_dev)


@xlfunction("LOGNORMDIST", "number, number, number")
def LOGNORMDIST(x: float, mean_: float, standard_dev: float) -> float:
    """Returns the cumulative lognormal distribution (legacy)."""
    return LOGNORM_DIST(x, mean_, standard_dev, True)


@xlfunction("LOGNORM.INV", "number, number, number", aliases=("LOGINV",))
def LOGNORM_INV(probability: float, mean_: float, standard_dev: float) -> float:
    """Returns the inverse of the lognormal cumulative distribution (also LOGINV)."""
    _need(standard_dev > 0)
    return math.exp(mean_ + standard_dev * norm_inv(probability))


# --- Student's t ------------------------------------------------------------------------


def t_cdf(x: float, df: float) -> float:
    from scipy.special import stdtr

    return float(stdtr(df, x))


def _t_pdf(x: float, df: float) -> float:
    return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)
                    - 0.5 * math.log(df * math.pi)
                    - (df + 1) / 2 * math.log1p(x * x / df))


@xlfunction("T.DIST", "number, number, bool")
def T_DIST(x: float, deg_freedom: float, cumulative: bool) -> float:
    """Returns the left-tailed Student's t-distribution (or density).

    Notes
    -----
    ``#NUM!`` for fewer than 1 degree of freedom; the density with 0 degrees of freedom
    is ``#DIV/0!`` (formulas_test 'STATISTICAL'!R102).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("T.DIST", 60.0, 1.0, True), xlcall("T.DIST", 8.0, 3.0, False)
    (0.9946953263673767, 0.0007369065209469264)
    """
    if not cumulative and deg_freedom == 0:
        raise XLFail(DIV0, "density with 0 degrees of freedom")
    _need(deg_freedom >= 1, "fewer than 1 degree of freedom")
    return t_cdf(x, deg_freedom) if cumulative else _t_pdf(x, deg_freedom)


@xlfunction("T.DIST.RT", "number, number")
def T_DIST_RT(x: float, deg_freedom: float) -> float:
    """Returns the right-tailed Student's t-distribution."""
    _need(deg_freedom >= 1)
    return t_cdf(-x, deg_freedom)


@xlfunction("T.DIST.2T", "number, number")
def T_DIST_2T(x: float, deg_freedom: float) -> float:
    """Returns the two-tailed Student's t-distribution (``#NUM!`` for x < 0)."""
    _need(x >= 0 and deg_freedom >= 1)
    return 2 * t_cdf(-x, deg_freedom)


@xlfunction("TDIST", "number, number, number")
def TDIST(x: float, deg_freedom: float, tails: float) -> float:
    """Returns the Student's t-distribution (legacy): tails 1 or 2, x ≥ 0, degrees of
    freedom and tails truncated."""
    df, t = math.trunc(deg_freedom), math.trunc(tails)
    _need(x >= 0 and df >= 1 and t in (1, 2))
    return t * t_cdf(-x, df)


def _t_inv(p: float, df: float) -> float:
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


@xlfunction("T.INV", "number, number")
def T_INV(probability: float, deg_freedom: float) -> float:
    """Returns the left-tailed inverse of the Student's t-distribution.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("T.INV", 0.75, 2.0)
    0.8164965809277261
    """
    _prob(probability)
    _need(deg_freedom >= 1)
    return _t_inv(probability, deg_freedom)


@xlfunction("T.INV.2T", "number, number", aliases=("TINV",))
def T_INV_2T(probability: float, deg_freedom: float) -> float:
    """Returns the two-tailed inverse of the Student's t-distribution (also TINV).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("T.INV.2T", 0.546449, 60.0)
    0.6065330758257549
    """
    _need(0 < probability <= 1 and deg_freedom >= 1)
    return -_t_inv(probability / 2, deg_freedom)


@xlfunction("T.TEST", "any, any, number, number", aliases=("TTEST",))
def T_TEST(array1: Any, array2: Any, tails: float, type_: float) -> float:
    """Returns the probability associated with a Student's t-test (also TTEST).

    Notes
    -----
    ``type`` 1 is paired (pairs where both are numbers; arrays of different sizes are
    ``#N/A``), 2 two-sample equal variance, 3 two-sample unequal variance (Welch's
    degrees of freedom, not rounded). ``tails`` (1 or 2) and ``type`` are truncated.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> a = Array([[3.0, 4.0, 5.0, 8.0, 9.0, 1.0, 2.0, 4.0, 5.0]])
    >>> b = Array([[6.0, 19.0, 3.0, 2.0, 14.0, 4.0, 5.0, 17.0, 1.0]])
    >>> xlcall("T.TEST", a, b, 2.0, 1.0)
    0.19601578492528204
    """
    t_, k = math.trunc(tails), math.trunc(type_)
    _need(t_ in (1, 2) and k in (1, 2, 3))
    if k == 1:
        xs, ys = number_pairs(array1, array2)
        d = [a - b for a, b in zip(xs, ys, strict=True)]
        n = len(d)
        if n < 2:
            raise XLFail(DIV0, "fewer than 2 pairs")
        sd = stdev_s(d)
        if sd == 0:
            raise XLFail(DIV0, "no spread")
        t = abs(mean(d)) / (sd / math.sqrt(n))
        df = n - 1.0
    else:
        xs, ys = _sample(array1), _sample(array2)
        n1, n2 = len(xs), len(ys)
        if n1 < 2 or n2 < 2:
            raise XLFail(DIV0, "fewer than 2 numbers")
        v1, v2 = var_s(xs), var_s(ys)
        diff = abs(mean(xs) - mean(ys))
        if k == 2:
            df = n1 + n2 - 2.0
            sp = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
            se = math.sqrt(sp * (1 / n1 + 1 / n2))
        else:
            a, b = v1 / n1, v2 / n2
            se = math.sqrt(a + b)
            if se == 0:
                raise XLFail(DIV0, "no spread")
            df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
        if se == 0:
            raise XLFail(DIV0, "no spread")
        t = diff / se
    return t_ * t_cdf(-t, df)


@xlfunction("Z.TEST", "any, number, number?", aliases=("ZTEST",))
def Z_TEST(array: Any, x: float, sigma: float | None = None) -> float:
    """Returns the one-tailed probability-value of a z-test (also ZTEST).

    Notes
    -----
    ``1 - Φ((x̄ - x) / (σ/√n))``, σ the sample standard deviation when omitted. Fewer
    than 2 numbers are ``#DIV/0!`` even with σ given (formulas_test 'STATISTICAL'!V121),
    σ ≤ 0 is ``#NUM!``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> data = Array([[3.0, 6.0, 7.0, 8.0, 6.0, 5.0, 4.0, 2.0, 1.0, 9.0]])
    >>> xlcall("Z.TEST", data, 4.0), xlcall("Z.TEST", data, 6.0)
    (0.09057419685136381, 0.8630433891295299)
    """
    xs = numbers([array])
    if not xs:
        raise XLFail(NA, "no numbers")
    if len(xs) < 2:
        raise XLFail(DIV0, "fewer than 2 numbers")
    _need(sigma is None or sigma > 0, "sigma ≤ 0")
    s = stdev_s(xs) if sigma is None else sigma
    if s == 0:
        raise XLFail(DIV0, "no spread")
    return 1 - norm_cdf((mean(xs) - x) / (s / math.sqrt(len(xs))))


@xlfunction("CONFIDENCE.NORM", "number, number, number", aliases=("CONFIDENCE",))
def CONFIDENCE_NORM(alpha: float, standard_dev: float, size: float) -> float:
    """Returns the confidence interval for a population mean, normal distribution
    (also CONFIDENCE).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("CONFIDENCE.NORM", 0.05, 2.5, 50.0)  # exact: 0.69295191217483897… (mpmath)
    0.6929519121748389
    """
    n = math.trunc(size)
    _need(0 < alpha < 1 and standard_dev > 0 and n >= 1)
    return -norm_inv(alpha / 2) * standard_dev / math.sqrt(n)


@xlfunction("CONFIDENCE.T", "number, number, number")
def CONFIDENCE_T(alpha: float, standard_dev: float, size: float) -> float:
    """Returns the confidence interval for a population mean, Student's t-distribution
    (size 1 is ``#DIV/0!``).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("CONFIDENCE.T", 0.05, 1.0, 50.0)
    0.2841968554957299
    """
    n = math.trunc(size)
    _need(0 < alpha < 1 and standard_dev > 0 and n >= 1)
    if n == 1:
        raise XLFail(DIV0, "size 1")
    return -_t_inv(alpha / 2, n - 1) * standard_dev / math.sqrt(n)


# --- chi-squared ------------------------------------------------------------------------


def _chi_df(df: float) -> int:
    k = math.trunc(df)
    _need(1 <= k <= 10**10, "degrees of freedom outside 1‥10^10")
    return k


@xlfunction("CHISQ.DIST", "number, number, bool")
def CHISQ_DIST(x: float, deg_freedom: float, cumulative: bool) -> float:
    """Returns the left-tailed chi-squared distribution (or density).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("CHISQ.DIST", 0.5, 1.0, True), xlcall("CHISQ.DIST", 2.0, 3.0, False)
    (0.5204998778130466, 0.20755374871029741)
    """
    from scipy.special import gammainc

    _need(x >= 0)
    k = _chi_df(deg_freedom)
    if cumulative:
        return float(gammainc(k / 2, x / 2))
    if x == 0:
        return 0.5 if k == 2 else (0.0 if k > 2 else math.inf)
    return math.exp((k / 2 - 1) * math.log(x) - x / 2 - k / 2 * math.log(2)
                    - math.lgamma(k / 2))


@xlfunction("CHISQ.DIST.RT", "number, number", aliases=("CHIDIST",))
def CHISQ_DIST_RT(x: float, deg_freedom: float) -> float:
    """Returns the right-tailed chi-squared distribution (also CHIDIST)."""
    from scipy.special import gammaincc

    _need(x >= 0)
    return float(gammaincc(_chi_df(deg_freedom) / 2, x / 2))


@xlfunction("CHISQ.INV", "number, number")
def CHISQ_INV(probability: float, deg_freedom: float) -> float:
    """Returns the inverse of the left-tailed chi-squared distribution.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("CHISQ.INV", 0.93, 1.0)
    3.283020286759539
    """
    from scipy.special import gammaincinv

    _need(0 <= probability < 1)
    return 2 * float(gammaincinv(_chi_df(deg_freedom) / 2, probability))


@xlfunction("CHISQ.INV.RT", "number, number", aliases=("CHIINV",))
def CHISQ_INV_RT(probability: float, deg_freedom: float) -> float:
    """Returns the inverse of the right-tailed chi-squared distribution (also CHIINV)."""
    from scipy.special import gammainccinv

    _need(0 < probability <= 1)
    return 2 * float(gammainccinv(_chi_df(deg_freedom) / 2, probability))


@xlfunction("CHISQ.TEST", "any, any", aliases=("CHITEST",))
def CHISQ_TEST(actual_range: Any, expected_range: Any) -> float:
    """Returns the test for independence (also CHITEST).

    Notes
    -----
    ``χ² = Σ (A - E)² / E`` with ``(r - 1)(c - 1)`` degrees of freedom (``n - 1`` for a
    single row or column; 0 of them is ``#N/A``); ranges of different sizes are
    ``#N/A``, an expected value of 0 or no number pair ``#DIV/0!``. The first error in
    the actual range, then in the expected range, is the result (``#NULL!`` passed over,
    as in every two-array function: formulas_test 'STATISTICAL'!Y17, AD17).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> act = Array([[58.0, 35.0], [11.0, 25.0], [10.0, 23.0]])
    >>> exp = Array([[45.35, 47.65], [17.56, 18.44], [16.09, 16.91]])
    >>> xlcall("CHISQ.TEST", act, exp)
    0.0003081920170083095
    """
    from scipy.special import gammaincc

    a, e = values_of(actual_range), values_of(expected_range)
    if a.shape != e.shape and a.nrows * a.ncols != e.nrows * e.ncols:
        raise XLFail(NA, "ranges of different sizes")
    for arr in (a, e):
        for v in arr.flat():
            if type(v) is ExcelError and v != "#NULL!":
                raise XLFail(v)
    r, c = a.shape
    df = (r - 1) * (c - 1) if r > 1 and c > 1 else r * c - 1
    if df < 1:
        raise XLFail(NA, "no degrees of freedom")
    chi = 0.0
    pairs = 0
    for x, m in zip(a.flat(), e.flat(), strict=True):
        if type(x) is float and type(m) is float:
            if m == 0:
                raise XLFail(DIV0, "an expected value of 0")
            chi += (x - m) ** 2 / m
            pairs += 1
    if not pairs:
        raise XLFail(DIV0, "no number pairs")
    return float(gammaincc(df / 2, chi / 2))


# --- F ----------------------------------------------------------------------------------


def _f_dfs(d1: float, d2: float) -> tuple[int, int]:
    a, b = math.trunc(d1), math.trunc(d2)
    _need(1 <= a < 10**10 and 1 <= b < 10**10, "degrees of freedom outside 1‥10^10")
    return a, b


@xlfunction("F.DIST", "number, number, number, bool")
def F_DIST(x: float, deg_freedom1: float, deg_freedom2: float, cumulative: bool) -> float:
    """Returns the left-tailed F probability distribution (or density).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("F.DIST", 15.2069, 6.0, 4.0, True), xlcall("F.DIST", 15.2069, 6.0, 4.0, False)
    (0.9900000430027627, 0.0012237917087831735)
    """
    from scipy.special import betainc

    _need(x >= 0)
    a, b = _f_dfs(deg_freedom1, deg_freedom2)
    if cumulative:
        return float(betainc(a / 2, b / 2, a * x / (a * x + b)))
    if x == 0:
        return 1.0 if a == 2 else (0.0 if a > 2 else math.inf)
    lg = (a / 2 * math.log(a / b) + (a / 2 - 1) * math.log(x)
          - (a + b) / 2 * math.log1p(a * x / b)
          - (math.lgamma(a / 2) + math.lgamma(b / 2) - math.lgamma((a + b) / 2)))
    return math.exp(lg)


@xlfunction("F.DIST.RT", "number, number, number", aliases=("FDIST",))
def F_DIST_RT(x: float, deg_freedom1: float, deg_freedom2: float) -> float:
    """Returns the right-tailed F probability distribution (also FDIST)."""
    from scipy.special import betainc

    _need(x >= 0)
    a, b = _f_dfs(deg_freedom1, deg_freedom2)
    return float(betainc(b / 2, a / 2, b / (b + a * x)))


@xlfunction("F.INV", "number, number, number")
def F_INV(probability: float, deg_freedom1: float, deg_freedom2: float) -> float:
    """Returns the inverse of the left-tailed F probability distribution.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("F.INV", 0.01, 6.0, 4.0)
    0.10930991412457852
    """
    from scipy.special import fdtri

    _need(0 <= probability <= 1)
    a, b = _f_dfs(deg_freedom1, deg_freedom2)
    return float(fdtri(a, b, probability))


@xlfunction("F.INV.RT", "number, number, number", aliases=("FINV",))
def F_INV_RT(probability: float, deg_freedom1: float, deg_freedom2: float) -> float:
    """Returns the inverse of the right-tailed F probability distribution (also FINV)."""
    from scipy.special import fdtri

    _need(0 <= probability <= 1)
    a, b = _f_dfs(deg_freedom1, deg_freedom2)
    return float(fdtri(a, b, 1 - probability))


@xlfunction("F.TEST", "any, any", aliases=("FTEST",))
def F_TEST(array1: Any, array2: Any) -> float:
    """Returns the result of an F-test, the two-tailed probability that the variances
    of the two arrays are not significantly different (also FTEST).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("F.TEST", Array([[6.0, 7.0, 9.0, 15.0, 21.0]]),
    ...        Array([[20.0, 28.0, 31.0, 38.0, 40.0]]))
    0.6483178467861745
    """
    from scipy.special import betainc

    xs, ys = _sample(array1), _sample(array2)
    if len(xs) < 2 or len(ys) < 2:
        raise XLFail(DIV0, "fewer than 2 numbers")
    v1, v2 = var_s(xs), var_s(ys)
    if v1 == 0 or v2 == 0:
        raise XLFail(DIV0, "no spread")
    a, b = len(xs) - 1, len(ys) - 1
    f = v1 / v2
    left = float(betainc(a / 2, b / 2, a * f / (a * f + b)))
    return 2 * min(left, 1 - left)


# --- beta and gamma ---------------------------------------------------------------------


@xlfunction("BETA.DIST", "number, number, number, bool, number?, number?")
def BETA_DIST(x: float, alpha: float, beta: float, cumulative: bool,
              a: float = 0.0, b: float = 1.0) -> float:
    """Returns the beta cumulative distribution function (or density) on [A, B].

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("BETA.DIST", 2.0, 8.0, 10.0, True, 1.0, 3.0),
    ...  xlcall("BETA.DIST", 2.0, 8.0, 10.0, False, 1.0, 3.0))
    (0.6854705810546875, 1.4837646484375062)
    """
    from scipy.special import betainc

    _need(alpha > 0 and beta > 0 and a < b and a <= x <= b)
    z = (x - a) / (b - a)
    if cumulative:
        return float(betainc(alpha, beta, z))
    if z == 0 or z == 1:
        edge = alpha if z == 0 else beta
        if edge < 1:
            raise XLFail(NUM, "density infinite at the edge")
        if edge > 1:
            return 0.0
    lb = math.lgamma(alpha) + math.lgamma(beta) - math.lgamma(alpha + beta)
    lz = (alpha - 1) * math.log(z) if alpha != 1 else 0.0
    l1 = (beta - 1) * math.log1p(-z) if beta != 1 else 0.0
    return math.exp(lz + l1 - lb) / (b - a)


@xlfunction("BETADIST", "number, number, number, number?, number?")
def BETADIST(x: float, alpha: float, beta: float, a: float = 0.0, b: float = 1.0) -> float:
    """Returns the beta cumulative distribution function (legacy)."""
    return BETA_DIST(x, alpha, beta, True, a, b)


@xlfunction("BETA.INV", "number, number, number, number?, number?", aliases=("BETAINV",))
def BETA_INV(probability: float, alpha: float, beta: float,
             a: float = 0.0, b: float = 1.0) -> float:
    """Returns the inverse of the cumulative distribution function for a specified beta
    distribution (also BETAINV).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("BETA.INV", 0.685470581, 8.0, 10.0, 1.0, 3.0)
    1.9999999999631428
    """
    from scipy.special import betaincinv

    _need(0 < probability < 1 and alpha > 0 and beta > 0 and a < b)
    return a + (b - a) * float(betaincinv(alpha, beta, probability))


@xlfunction("GAMMA.DIST", "number, number, number, bool")
def GAMMA_DIST(x: float, alpha: float, beta: float, cumulative: bool) -> float:
    """Returns the gamma distribution (or density).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("GAMMA.DIST", 10.00001131, 9.0, 2.0, False),
    ...  xlcall("GAMMA.DIST", 10.00001131, 9.0, 2.0, True))
    (0.032639130418294124, 0.0680940038697872)
    """
    from scipy.special import gammainc

    _need(x >= 0 and alpha > 0 and beta > 0)
    if cumulative:
        return float(gammainc(alpha, x / beta))
    if x == 0:
        if alpha < 1:
            raise XLFail(NUM, "density infinite at 0")
        return 1 / beta if alpha == 1 else 0.0
    return math.exp((alpha - 1) * math.log(x) - x / beta - math.lgamma(alpha)
                    - alpha * math.log(beta))


@xlfunction("GAMMADIST", "number, number, number, bool")
def GAMMADIST(x: float, alpha: float, beta: float, cumulative: bool) -> float:
    """Returns the gamma distribution (legacy GAMMA.DIST)."""
    return GAMMA_DIST(x, alpha, beta, cumulative)


@xlfunction("GAMMA.INV", "number, number, number", aliases=("GAMMAINV",))
def GAMMA_INV(probability: float, alpha: float, beta: float) -> float:
    """Returns the inverse of the gamma cumulative distribution (also GAMMAINV).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("GAMMA.INV", 0.068094, 9.0, 2.0)
    10.000011191437181
    """
    from scipy.special import gammaincinv

    _need(0 <= probability < 1 and alpha > 0 and beta > 0)
    return beta * float(gammaincinv(alpha, probability))


# --- discrete ---------------------------------------------------------------------------


def _binom_pmf(k: int, n: int, p: float) -> float:
    if p == 0:
        return 1.0 if k == 0 else 0.0
    if p == 1:
        return 1.0 if k == n else 0.0
    return math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                    + k * math.log(p) + (n - k) * math.log1p(-p))


def _binom_cdf(k: int, n: int, p: float) -> float:
    from scipy.special import bdtr

    if k >= n:
        return 1.0
    return float(bdtr(k, n, p))


@xlfunction("BINOM.DIST", "number, number, number, bool", aliases=("BINOMDIST",))
def BINOM_DIST(number_s: float, trials: float, probability_s: float,
               cumulative: bool) -> float:
    """Returns the individual term binomial distribution probability (or the
    cumulative one); also BINOMDIST.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("BINOM.DIST", 6.0, 10.0, 0.5, False), xlcall("BINOM.DIST", 6.0, 10.0, 0.5, True)
    (0.2050781249999995, 0.828125)
    """
    k, n = math.trunc(number_s), math.trunc(trials)
    _need(0 <= k <= n and 0 <= probability_s <= 1)
    return _binom_cdf(k, n, probability_s) if cumulative else _binom_pmf(k, n, probability_s)


@xlfunction("BINOM.DIST.RANGE", "number, number, number, number?")
def BINOM_DIST_RANGE(trials: float, probability_s: float, number_s: float,
                     number_s2: float | None = None) -> float:
    """Returns the probability of a trial result between number_s and number_s2 using a
    binomial distribution.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("BINOM.DIST.RANGE", 60.0, 0.75, 48.0),
    ...  xlcall("BINOM.DIST.RANGE", 60.0, 0.75, 45.0, 50.0))
    (0.08397496742905153, 0.5236297934719067)
    """
    n, s = math.trunc(trials), math.trunc(number_s)
    s2 = s if number_s2 is None else math.trunc(number_s2)
    _need(n >= 0 and 0 <= probability_s <= 1 and 0 <= s <= n and s <= s2 <= n)
    return sum(_binom_pmf(k, n, probability_s) for k in range(s, s2 + 1))


@xlfunction("BINOM.INV", "number, number, number", aliases=("CRITBINOM",))
def BINOM_INV(trials: float, probability_s: float, alpha: float) -> float:
    """Returns the smallest value for which the cumulative binomial distribution is
    greater than or equal to a criterion value (also CRITBINOM).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("BINOM.INV", 6.0, 0.5, 0.75)
    4.0
    """
    n = math.trunc(trials)
    _need(n >= 0 and 0 <= probability_s <= 1 and 0 <= alpha <= 1)
    total = 0.0
    for k in range(n + 1):
        total += _binom_pmf(k, n, probability_s)
        if total >= alpha * (1 - 1e-15):
            return float(k)
    return float(n)


@xlfunction("NEGBINOM.DIST", "number, number, number, bool")
def NEGBINOM_DIST(number_f: float, number_s: float, probability_s: float,
                  cumulative: bool) -> float:
    """Returns the negative binomial distribution: the probability of ``number_f``
    failures before the ``number_s``-th success (or the cumulative probability).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("NEGBINOM.DIST", 10.0, 5.0, 0.25, True),
    ...  xlcall("NEGBINOM.DIST", 10.0, 5.0, 0.25, False))
    (0.3135140584781766, 0.055048660375178075)
    """
    from scipy.special import betainc

    f, s = math.trunc(number_f), math.trunc(number_s)
    p = probability_s
    # Excel: #NUM! at probability 0 too (formulas_test 'STATISTICAL'!X72 stores #NUM!)
    _need(f >= 0 and s >= 1 and 0 < p <= 1)
    if cumulative:
        return float(betainc(s, f + 1, p))
    if p == 0:
        return 0.0
    if p == 1:
        return 1.0 if f == 0 else 0.0
    return math.exp(math.lgamma(f + s) - math.lgamma(f + 1) - math.lgamma(s)
                    + s * math.log(p) + f * math.log1p(-p))


@xlfunction("NEGBINOMDIST", "number, number, number")
def NEGBINOMDIST(number_f: float, number_s: float, probability_s: float) -> float:
    """Returns the negative binomial distribution (legacy, the probability only)."""
    return NEGBINOM_DIST(number_f, number_s, probability_s, False)


def _lcomb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


@xlfunction("HYPGEOM.DIST", "number, number, number, number, bool")
def HYPGEOM_DIST(sample_s: float, number_sample: float, population_s: float,
                 number_pop: float, cumulative: bool) -> float:
    """Returns the hypergeometric distribution (or the cumulative one).

    Notes
    -----
    The cumulative form adds the possible cases up to ``sample_s``: a ``sample_s``
    beyond min(number_sample, population_s) gives 1 and one below the smallest
    possible count gives 0 (formulas_test 'STATISTICAL'!AI54, AG54), where the
    probability itself is ``#NUM!`` and 0.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("HYPGEOM.DIST", 1.0, 4.0, 8.0, 20.0, True),
    ...  xlcall("HYPGEOM.DIST", 1.0, 4.0, 8.0, 20.0, False))
    (0.4654282765737851, 0.3632610939112469)
    """
    k, n = math.trunc(sample_s), math.trunc(number_sample)
    big_k, big_n = math.trunc(population_s), math.trunc(number_pop)
    _need(k >= 0 and 0 <= n <= big_n and 0 <= big_k <= big_n)
    lo, hi = max(0, n - big_n + big_k), min(n, big_k)

    def pmf(i: int) -> float:
        return math.exp(_lcomb(big_k, i) + _lcomb(big_n - big_k, n - i) - _lcomb(big_n, n))

    if not cumulative:
        _need(k <= hi)
        return pmf(k) if k >= lo else 0.0
    return min(1.0, sum(pmf(i) for i in range(lo, min(k, hi) + 1)))


@xlfunction("HYPGEOMDIST", "number, number, number, number")
def HYPGEOMDIST(sample_s: float, number_sample: float, population_s: float,
                number_pop: float) -> float:
    """Returns the hypergeometric distribution (legacy, the probability only)."""
    return HYPGEOM_DIST(sample_s, number_sample, population_s, number_pop, False)


@xlfunction("POISSON.DIST", "number, number, bool", aliases=("POISSON",))
def POISSON_DIST(x: float, mean_: float, cumulative: bool) -> float:
    """Returns the Poisson distribution (or the cumulative one); also POISSON.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("POISSON.DIST", 2.0, 5.0, True), xlcall("POISSON.DIST", 2.0, 5.0, False)
    (0.12465201948308108, 0.08422433748856835)
    """
    from scipy.special import pdtr

    k = math.trunc(x)
    _need(k >= 0 and mean_ >= 0)
    if mean_ == 0:
        return 1.0 if cumulative or k == 0 else 0.0
    if cumulative:
        return float(pdtr(k, mean_))
    return math.exp(k * math.log(mean_) - mean_ - math.lgamma(k + 1))


@xlfunction("EXPON.DIST", "number, number, bool", aliases=("EXPONDIST",))
def EXPON_DIST(x: float, lambda_: float, cumulative: bool) -> float:
    """Returns the exponential distribution (or density); also EXPONDIST.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("EXPON.DIST", 0.2, 10.0, True), xlcall("EXPON.DIST", 0.2, 10.0, False)
    (0.8646647167633873, 1.353352832366127)
    """
    _need(x >= 0 and lambda_ > 0)
    return -math.expm1(-lambda_ * x) if cumulative else lambda_ * math.exp(-lambda_ * x)


@xlfunction("WEIBULL.DIST", "number, number, number, bool", aliases=("WEIBULL",))
def WEIBULL_DIST(x: float, alpha: float, beta: float, cumulative: bool) -> float:
    """Returns the Weibull distribution (or density); also WEIBULL.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("WEIBULL.DIST", 105.0, 20.0, 100.0, True),
    ...  xlcall("WEIBULL.DIST", 105.0, 20.0, 100.0, False))
    (0.9295813900692769, 0.03558886402450434)
    """
    _need(x >= 0 and alpha > 0 and beta > 0)
    t = (x / beta) ** alpha
    if cumulative:
        return -math.expm1(-t)
    if x == 0:
        if alpha < 1:
            raise XLFail(NUM, "density infinite at 0")
        return 1 / beta if alpha == 1 else 0.0
    return alpha / beta * (x / beta) ** (alpha - 1) * math.exp(-t)
