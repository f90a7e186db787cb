"""Statistical functions: counts, averages, extremes, order statistics, spread, shape,
correlation, FREQUENCY, PROB, FISHER.

(The distributions and hypothesis tests are in :mod:`.distributions`, the regression
functions — SLOPE, LINEST, TREND, FORECAST … — in :mod:`.regression`, the conditional
aggregates in :mod:`.conditional`.)

Which values count follows Excel (:mod:`._args`): the plain functions (AVERAGE, STDEV.S,
MEDIAN …) take numbers from ranges and arrays and skip text, logicals and empty cells
there, while a typed argument is read as a number if it can be (``AVERAGE("2", TRUE)``
is 1.5); the ``…A`` functions (AVERAGEA, STDEVA, MAXA …) count text in ranges as 0 and
logicals as 1 or 0. An error anywhere is the result.

Sums of squares are taken about the mean in a second pass (``Σ(x - x̄)²``), the
numerically stable form Excel uses since 2003.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from templates.recalc.functions._args import flat, numbers, numbers_a, values_of
from templates.recalc.registry import xlfunction
from templates.recalc.values import (
    DIV0,
    NA,
    NUM,
    VALUE,
    ExcelError,
    XLFail,
    parse_number,
)

__all__ = [
    "avedev", "devsq", "kurt", "mean", "median", "mode_mult", "mode_sngl", "number_pairs",
    "percentile_exc", "percentile_inc", "quartile_exc", "quartile_inc", "skew", "skew_p",
    "stdev_p", "stdev_s", "var_p", "var_s",
]


# --- shared computations on lists of numbers ---------------------------------------------


def mean(xs: list[float]) -> float:
    if not xs:
        raise XLFail(DIV0, "no numbers")
    total = 0.0
    for x in xs:
        total += x
    return total / len(xs)


def devsq(xs: list[float]) -> float:
    """``Σ(x - x̄)²``."""
    m = mean(xs)
    s = 0.0
    for x in xs:
        d = x - m
        s += d * d
    return s


def var_s(xs: list[float]) -> float:
    if len(xs) < 2:
        raise XLFail(DIV0, "sample variance of fewer than 2 numbers")
    return devsq(xs) / (len(xs) - 1)


def var_p(xs: list[float]) -> float:
    if not xs:
        raise XLFail(DIV0, "variance of no numbers")
    return devsq(xs) / len(xs)


def stdev_s(xs: list[float]) -> float:
    return math.sqrt(var_s(xs))


def stdev_p(xs: list[float]) -> float:
    return math.sqrt(var_p(xs))


def avedev(xs: list[float]) -> float:
    if not xs:
        raise XLFail(NUM, "no numbers")
    m = mean(xs)
    return sum(abs(x - m) for x in xs) / len(xs)


def median(xs: list[float]) -> float:
    if not xs:
        raise XLFail(NUM, "no numbers")
    s = sorted(xs)
    n = len(s)
    h = n // 2
    return s[h] if n % 2 else (s[h - 1] + s[h]) / 2


def _counts(xs: list[float]) -> tuple[dict[float, int], int]:
    counts: dict[float, int] = {}
    for x in xs:
        counts[x] = counts.get(x, 0) + 1
    return counts, max(counts.values()) if counts else 0


def mode_sngl(xs: list[float]) -> float:
    """The most frequent number, the first in data order among equally frequent ones;
    ``#N/A`` when no number repeats."""
    counts, top = _counts(xs)
    if top < 2:
        raise XLFail(NA, "no repeated number")
    return next(x for x in xs if counts[x] == top)


def mode_mult(xs: list[float]) -> list[float]:
    counts, top = _counts(xs)
    if top < 2:
        raise XLFail(NA, "no repeated number")
    out: list[float] = []
    for x in xs:
        if counts[x] == top and x not in out:
            out.append(x)
    return out


def percentile_inc(xs: list[float], k: float) -> float:
    if not xs or k < 0 or k > 1:
        raise XLFail(NUM, "PERCENTILE needs data and 0 ≤ k ≤ 1")
    s = sorted(xs)
    rank = k * (len(s) - 1)
    lo = math.floor(rank)
    frac = rank - lo
    if lo + 1 >= len(s) or frac == 0:
        return s[lo]
    return s[lo] + frac * (s[lo + 1] - s[lo])


def percentile_exc(xs: list[float], k: float) -> float:
    n = len(xs)
    if not xs or k <= 0 or k >= 1:
        raise XLFail(NUM, "PERCENTILE.EXC needs data and 0 < k < 1")
    rank = k * (n + 1)
    if rank < 1 or rank > n:
        raise XLFail(NUM, "k outside 1/(n+1)‥n/(n+1)")
    s = sorted(xs)
    lo = math.floor(rank)
    frac = rank - lo
    if lo >= n or frac == 0:
        return s[lo - 1]
    return s[lo - 1] + frac * (s[lo] - s[lo - 1])


def quartile_inc(xs: list[float], quart: float) -> float:
    # -0.1 is #NUM! although it truncates to 0 (formulas_test 'STATISTICAL'!AL88)
    q = math.trunc(quart)
    if quart < 0 or not 0 <= q <= 4:
        raise XLFail(NUM, "quart outside 0‥4")
    return percentile_inc(xs, q / 4)


def quartile_exc(xs: list[float], quart: float) -> float:
    q = math.trunc(quart)
    if quart < 0 or not 1 <= q <= 3:
        raise XLFail(NUM, "quart outside 1‥3")
    return percentile_exc(xs, q / 4)


def kurt(xs: list[float]) -> float:
    n = len(xs)
    if n < 4:
        raise XLFail(DIV0, "KURT needs 4 numbers")
    m = mean(xs)
    s = stdev_s(xs)
    if s == 0:
        raise XLFail(DIV0, "no spread")
    q = sum(((x - m) / s) ** 4 for x in xs)
    return (n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * q
            - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def skew(xs: list[float]) -> float:
    n = len(xs)
    if n < 3:
        raise XLFail(DIV0, "SKEW needs 3 numbers")
    m = mean(xs)
    s = stdev_s(xs)
    if s == 0:
        raise XLFail(DIV0, "no spread")
    return n / ((n - 1) * (n - 2)) * sum(((x - m) / s) ** 3 for x in xs)


def skew_p(xs: list[float]) -> float:
    if not xs:
        raise XLFail(DIV0, "no numbers")
    m = mean(xs)
    s = stdev_p(xs)
    if s == 0:
        raise XLFail(DIV0, "no spread")
    return sum(((x - m) / s) ** 3 for x in xs) / len(xs)


def number_pairs(x: Any, y: Any) -> tuple[list[float], list[float]]:
    """The number pairs of two arrays of the same size (CORREL, SLOPE …): a pair counts
    only when both are numbers; different sizes are ``#N/A``.

    Pairs are read in order and the first error met is the result, the first array's
    element before the second's; but a pair whose first element is ``#NULL!`` is
    passed over without looking at the second (formulas_test
    'STATISTICAL'!AD26: ``COVARIANCE.P({#NULL!,#NUM!,#REF!}, {#REF!,,})`` is ``#NUM!``,
    while Y20 shows a logical first element does not hide an error in the second).
    """
    ax, ay = values_of(x), values_of(y)
    if ax.nrows * ax.ncols != ay.nrows * ay.ncols:
        raise XLFail(NA, "arrays of different sizes")
    xs, ys = [], []
    for a, b in zip(ax.flat(), ay.flat(), strict=True):
        if type(a) is ExcelError and a == "#NULL!":
            continue
        if type(a) is ExcelError:
            raise XLFail(a)
        if type(b) is ExcelError:
            raise XLFail(b)
        if type(a) is float and type(b) is float:
            xs.append(a)
            ys.append(b)
    return xs, ys


def data_numbers(v: Any) -> list[float]:
    """The numbers of a data-set argument (LARGE, PERCENTILE, RANK …): numbers in a
    range or array, a typed number (or text that reads as one)."""
    return numbers([v])


# --- counts -----------------------------------------------------------------------------


@xlfunction("COUNT", "any*")
def COUNT(*values: Any) -> float:
    """Counts how many numbers are in the list of arguments.

    Notes
    -----
    Numbers in ranges and arrays count; a typed argument counts when it is a number, a
    logical or text that reads as a number or date (``COUNT(TRUE, "26/08")``).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("COUNT", Array([[1.0, "2", True, None]]), "3", True, "x")
    3.0
    """
    n = 0
    for v, in_range in flat(values):
        t = type(v)
        typed_number = not in_range and (t is bool or (t is str and parse_number(v) is not None))
        if t is float or typed_number:
            n += 1
    return float(n)


@xlfunction("COUNTA", "any*")
def COUNTA(*values: Any) -> float:
    """Counts how many values are in the list of arguments (every non-empty cell,
    errors and ``""`` included)."""
    n = 0
    for v, in_range in flat(values):
        if v is not None or not in_range:
            n += 1
    return float(n)


@xlfunction("COUNTBLANK", "any")
def COUNTBLANK(range_: Any) -> float:
    """Counts the number of blank cells within a range (empty cells and ``""``)."""
    return float(sum(1 for v in values_of(range_).flat() if v is None or v == ""))


# --- averages and extremes --------------------------------------------------------------


@xlfunction("AVERAGE", "any*")
def AVERAGE(*values: Any) -> float:
    """Returns the average of its arguments (``#DIV/0!`` with no number).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("AVERAGE", Array([[10.0, 7.0, 9.0, 27.0, 2.0]])), xlcall("AVERAGE", "2", True)
    (11.0, 1.5)
    """
    return mean(numbers(values))


@xlfunction("AVERAGEA", "any*")
def AVERAGEA(*values: Any) -> float:
    """Returns the average of its arguments, including numbers, text, and logical values."""
    return mean(numbers_a(values))


@xlfunction("MAX", "any*")
def MAX(*values: Any) -> float:
    """Returns the maximum value in a list of arguments (0 with no number)."""
    xs = numbers(values)
    return max(xs) if xs else 0.0


@xlfunction("MIN", "any*")
def MIN(*values: Any) -> float:
    """Returns the minimum value in a list of arguments (0 with no number)."""
    xs = numbers(values)
    return min(xs) if xs else 0.0


@xlfunction("MAXA", "any*")
def MAXA(*values: Any) -> float:
    """Returns the maximum value in a list of arguments, including numbers, text, and
    logical values."""
    xs = numbers_a(values)
    return max(xs) if xs else 0.0


@xlfunction("MINA", "any*")
def MINA(*values: Any) -> float:
    """Returns the smallest value in a list of arguments, including numbers, text, and
    logical values."""
    xs = numbers_a(values)
    return min(xs) if xs else 0.0


@xlfunction("MEDIAN", "any*")
def MEDIAN(*values: Any) -> float:
    """Returns the median of the given numbers (``#NUM!`` with none)."""
    return median(numbers(values))


def _mode_numbers(values: tuple[Any, ...]) -> list[float]:
    # a typed "" is passed over (formulas_test 'STATISTICAL'!S69, S71)
    return numbers([v for v in values if v != "" or type(v) is not str])


@xlfunction("MODE.SNGL", "any*", aliases=("MODE",))
def MODE_SNGL(*values: Any) -> float:
    """Returns the most common value in a data set (also MODE).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("MODE.SNGL", Array([[5.6, 4.0, 4.0, 3.0, 2.0, 4.0]])), str(xlcall("MODE", 1.0, 2.0))
    (4.0, '#N/A')
    """
    return mode_sngl(_mode_numbers(values))


@xlfunction("MODE.MULT", "any*")
def MODE_MULT(*values: Any) -> list[list[float]]:
    """Returns a vertical array of the most frequently occurring values in a data set,
    in the order they first appear.

    Notes
    -----
    An argument left empty (``MODE.MULT(A1:A5,)``) is ``#VALUE!`` (formulas_test
    'STATISTICAL'!AG69).
    """
    from templates.recalc.registry import MISSING

    if any(v is None or v is MISSING for v in values):
        raise XLFail(VALUE, "an empty argument")
    return [[x] for x in mode_mult(_mode_numbers(values))]


def _check_k(k: float, n: int) -> None:
    if k < 1 or k > n:
        raise XLFail(NUM, "k outside 1‥n")


@xlfunction("LARGE", "any, number")
def LARGE(array: Any, k: float) -> float:
    """Returns the k-th largest value in a data set.

    Notes
    -----
    ``#NUM!`` unless 1 ≤ k ≤ n; a fractional k is rounded up (formulas_test
    'STATISTICAL'!AK57: k = 2.2 gives the 3rd largest, AJ57: k = 0.9 is ``#NUM!``).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> a = Array([[3.0, 5.0, 3.0, 5.0, 4.0], [4.0, 2.0, 4.0, 6.0, 7.0]])
    >>> xlcall("LARGE", a, 3.0), xlcall("LARGE", a, 7.0), str(xlcall("LARGE", a, 0.0))
    (5.0, 4.0, '#NUM!')
    """
    xs = data_numbers(array)
    _check_k(k, len(xs))
    return sorted(xs, reverse=True)[math.ceil(k) - 1]


@xlfunction("SMALL", "any, number")
def SMALL(array: Any, k: float) -> float:
    """Returns the k-th smallest value in a data set.

    Notes
    -----
    ``#NUM!`` unless 1 ≤ k ≤ n; a fractional k is rounded down (formulas_test
    'STATISTICAL'!AK95: k = 2.2 gives the 2nd smallest).
    """
    xs = data_numbers(array)
    _check_k(k, len(xs))
    return sorted(xs)[math.floor(k) - 1]


def _rank(number: float, ref: Any, order: float) -> tuple[int, int]:
    """(1-based rank of the first equal value, how many are equal)."""
    xs = data_numbers(ref)
    equal = sum(1 for x in xs if x == number)
    if not equal:
        raise XLFail(NA, "the number is not in the list")
    before = sum(1 for x in xs if (x < number if order else x > number))
    return before + 1, equal


@xlfunction("RANK.EQ", "number, any, number?", aliases=("RANK",))
def RANK_EQ(number: float, ref: Any, order: float = 0.0) -> float:
    """Returns the rank of a number in a list of numbers (ties share the top rank; also
    RANK).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> a = Array([[7.0], [3.5], [3.5], [1.0], [2.0]])
    >>> xlcall("RANK.EQ", 3.5, a, 1.0), xlcall("RANK", 7.0, a), str(xlcall("RANK", 9.0, a))
    (3.0, 1.0, '#N/A')
    """
    return float(_rank(number, ref, order)[0])


@xlfunction("RANK.AVG", "number, any, number?")
def RANK_AVG(number: float, ref: Any, order: float = 0.0) -> float:
    """Returns the rank of a number in a list of numbers (ties get their average rank).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("RANK.AVG", 94.0, Array([[89.0, 88.0, 92.0, 101.0, 94.0, 97.0, 95.0]]))
    4.0
    """
    first, equal = _rank(number, ref, order)
    return first + (equal - 1) / 2


@xlfunction("PERCENTILE.INC", "any, number", aliases=("PERCENTILE",))
def PERCENTILE_INC(array: Any, k: float) -> float:
    """Returns the k-th percentile of values in a range, 0 ≤ k ≤ 1 (also PERCENTILE).

    Notes
    -----
    Linear interpolation at rank ``k·(n - 1)`` of the sorted data.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("PERCENTILE.INC", Array([[1.0, 3.0, 2.0, 4.0]]), 0.3)
    1.9
    """
    return percentile_inc(data_numbers(array), k)


@xlfunction("PERCENTILE.EXC", "any, number")
def PERCENTILE_EXC(array: Any, k: float) -> float:
    """Returns the k-th percentile of values in a range, 0 < k < 1 exclusive.

    Notes
    -----
    Linear interpolation at rank ``k·(n + 1)``; ``#NUM!`` when that rank is below 1 or
    above n.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> a = Array([[1.0, 2.0, 3.0, 6.0, 6.0, 6.0, 7.0, 8.0, 9.0]])
    >>> xlcall("PERCENTILE.EXC", a, 0.25), str(xlcall("PERCENTILE.EXC", a, 0.01))
    (2.5, '#NUM!')
    """
    return percentile_exc(data_numbers(array), k)


@xlfunction("QUARTILE.INC", "any, number", aliases=("QUARTILE",))
def QUARTILE_INC(array: Any, quart: float) -> float:
    """Returns the quartile of a data set, quart 0‥4 (also QUARTILE)."""
    return quartile_inc(data_numbers(array), quart)


@xlfunction("QUARTILE.EXC", "any, number")
def QUARTILE_EXC(array: Any, quart: float) -> float:
    """Returns the quartile of the data set, quart 1‥3, exclusive."""
    return quartile_exc(data_numbers(array), quart)


def _percentrank(array: Any, x: float, significance: float, inclusive: bool) -> float:
    sig = math.trunc(significance)
    if sig < 1:
        raise XLFail(NUM, "significance below 1")
    s = sorted(data_numbers(array))
    n = len(s)
    if not n or x < s[0] or x > s[-1]:
        raise XLFail(NA, "x outside the data")
    if n == 1:
        r = 1.0
    else:
        below = sum(1 for v in s if v < x)
        if s[below] == x:
            r = below / (n - 1) if inclusive else (below + 1) / (n + 1)
        else:  # interpolate between the neighbours s[below-1] < x < s[below]
            lo, hi = s[below - 1], s[below]
            frac = (x - lo) / (hi - lo)
            r = ((below - 1 + frac) / (n - 1) if inclusive
                 else (below + frac) / (n + 1))
    scale = 10.0**sig
    return math.floor(float(f"{r * scale:.15g}")) / scale


@xlfunction("PERCENTRANK.INC", "any, number, number?", aliases=("PERCENTRANK",))
def PERCENTRANK_INC(array: Any, x: float, significance: float = 3.0) -> float:
    """Returns the rank of a value in a data set as a percentage (0..1, inclusive) of
    the data set (also PERCENTRANK).

    Notes
    -----
    ``(count of values below x) / (n - 1)``, interpolated between neighbours when x is
    not in the data, then truncated to ``significance`` digits; ``#N/A`` outside the
    data.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> a = Array([[13.0, 12.0, 11.0, 8.0, 4.0, 3.0, 2.0, 1.0, 1.0, 1.0]])
    >>> (xlcall("PERCENTRANK.INC", a, 2.0), xlcall("PERCENTRANK.INC", a, 4.0),
    ...  xlcall("PERCENTRANK.INC", a, 8.0))
    (0.333, 0.555, 0.666)
    >>> xlcall("PERCENTRANK.INC", a, 5.0)
    0.583
    """
    return _percentrank(array, x, significance, True)


@xlfunction("PERCENTRANK.EXC", "any, number, number?")
def PERCENTRANK_EXC(array: Any, x: float, significance: float = 3.0) -> float:
    """Returns the rank of a value in a data set as a percentage (0..1, exclusive) of
    the data set.

    Notes
    -----
    ``(count of values below x + 1) / (n + 1)``, interpolated, truncated to
    ``significance`` digits.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> a = Array([[1.0, 2.0, 3.0, 6.0, 6.0, 6.0, 7.0, 8.0, 9.0]])
    >>> (xlcall("PERCENTRANK.EXC", a, 7.0), xlcall("PERCENTRANK.EXC", a, 5.43),
    ...  xlcall("PERCENTRANK.EXC", a, 5.43, 1.0))
    (0.7, 0.381, 0.3)
    """
    return _percentrank(array, x, significance, False)


# --- spread -----------------------------------------------------------------------------


def _spread(name: str, fn: Callable[[list[float]], float], a_form: bool, doc: str) -> None:
    read = numbers_a if a_form else numbers

    def impl(*values: Any) -> float:
        return fn(read(values))

    impl.__doc__ = doc
    impl.__name__ = name.replace(".", "_")
    impl.__qualname__ = impl.__name__
    names = name.split("|")
    xlfunction(names[0], "any*", aliases=tuple(names[1:]))(impl)


_spread("STDEV.S|STDEV", stdev_s, False,
        "Estimates standard deviation based on a sample (also STDEV).")
_spread("STDEV.P|STDEVP", stdev_p, False,
        "Calculates standard deviation based on the entire population (also STDEVP).")
_spread("STDEVA", stdev_s, True,
        "Estimates standard deviation based on a sample, including numbers, text, and "
        "logical values.")
_spread("STDEVPA", stdev_p, True,
        "Calculates standard deviation based on the entire population, including numbers, "
        "text, and logical values.")
_spread("VAR.S|VAR", var_s, False, "Estimates variance based on a sample (also VAR).")
_spread("VAR.P|VARP", var_p, False,
        "Calculates variance based on the entire population (also VARP).")
_spread("VARA", var_s, True,
        "Estimates variance based on a sample, including numbers, text, and logical values.")
_spread("VARPA", var_p, True,
        "Calculates variance based on the entire population, including numbers, text, and "
        "logical values.")
_spread("AVEDEV", avedev, False,
        "Returns the average of the absolute deviations of data points from their mean.")
_spread("KURT", kurt, False, "Returns the kurtosis of a data set.")
_spread("SKEW", skew, False, "Returns the skewness of a distribution.")
_spread("SKEW.P", skew_p, False,
        "Returns the skewness of a distribution based on a population.")


@xlfunction("DEVSQ", "any*")
def DEVSQ(*values: Any) -> float:
    """Returns the sum of squares of deviations (``#NUM!`` with no number).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("DEVSQ", Array([[4.0, 5.0, 8.0, 7.0, 11.0, 4.0, 3.0]]))
    48.0
    """
    xs = numbers(values)
    if not xs:
        raise XLFail(NUM, "no numbers")
    return devsq(xs)


@xlfunction("GEOMEAN", "any*")
def GEOMEAN(*values: Any) -> float:
    """Returns the geometric mean (``#NUM!`` for a number ≤ 0 or no number).

    Notes
    -----
    ``exp(mean(ln x))``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("GEOMEAN", Array([[4.0, 5.0, 8.0, 7.0, 11.0, 4.0, 3.0]]))
    5.476986969656962
    """
    xs = numbers(values)
    if not xs or any(x <= 0 for x in xs):
        raise XLFail(NUM, "GEOMEAN needs positive numbers")
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


@xlfunction("HARMEAN", "any*")
def HARMEAN(*values: Any) -> float:
    """Returns the harmonic mean (``#NUM!`` for a number ≤ 0 or no number).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("HARMEAN", Array([[4.0, 5.0, 8.0, 7.0, 11.0, 4.0, 3.0]]))
    5.028375962061728
    """
    xs = numbers(values)
    if not xs or any(x <= 0 for x in xs):
        raise XLFail(NUM, "HARMEAN needs positive numbers")
    return len(xs) / sum(1 / x for x in xs)


@xlfunction("TRIMMEAN", "any, number")
def TRIMMEAN(array: Any, percent: float) -> float:
    """Returns the mean of the interior of a data set.

    Notes
    -----
    ``floor(n·percent / 2)`` points are dropped from each end (the number excluded is
    rounded down to an even number); ``#NUM!`` unless 0 ≤ percent < 1.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("TRIMMEAN", Array([[4.0, 5.0, 6.0, 7.0, 2.0, 3.0, 4.0, 5.0, 1.0, 2.0, 3.0]]), 0.2)
    3.7777777777777777
    """
    if percent < 0 or percent >= 1:
        raise XLFail(NUM, "percent outside 0‥1")
    xs = sorted(data_numbers(array))
    if not xs:
        raise XLFail(NUM, "no numbers")
    k = math.floor(float(f"{len(xs) * percent:.15g}") / 2)
    return mean(xs[k:len(xs) - k])


@xlfunction("STANDARDIZE", "number, number, number")
def STANDARDIZE(x: float, mean_: float, standard_dev: float) -> float:
    """Returns a normalized value, ``(x - mean) / standard_dev`` (``#NUM!`` for a
    standard deviation ≤ 0)."""
    if standard_dev <= 0:
        raise XLFail(NUM, "standard_dev ≤ 0")
    return (x - mean_) / standard_dev


# --- two data sets ----------------------------------------------------------------------


def _moments(x: Any, y: Any) -> tuple[int, float, float, float]:
    """(n, Sxx, Syy, Sxy) about the means."""
    xs, ys = number_pairs(x, y)
    n = len(xs)
    if not n:
        raise XLFail(DIV0, "no number pairs")
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = syy = sxy = 0.0
    for a, b in zip(xs, ys, strict=True):
        dx, dy = a - mx, b - my
        sxx += dx * dx
        syy += dy * dy
        sxy += dx * dy
    return n, sxx, syy, sxy


@xlfunction("CORREL", "any, any", aliases=("PEARSON",))
def CORREL(array1: Any, array2: Any) -> float:
    """Returns the correlation coefficient between two data sets (also PEARSON).

    Notes
    -----
    ``Sxy / sqrt(Sxx·Syy)``; ``#DIV/0!`` when either set has no spread, ``#N/A`` for
    sets of different sizes.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("CORREL", Array([[3.0, 2.0, 4.0, 5.0, 6.0]]), Array([[9.0, 7.0, 12.0, 15.0, 17.0]]))
    0.9970544855015815
    """
    _, sxx, syy, sxy = _moments(array1, array2)
    if sxx == 0 or syy == 0:
        raise XLFail(DIV0, "no spread")
    return sxy / math.sqrt(sxx * syy)


@xlfunction("RSQ", "any, any")
def RSQ(known_ys: Any, known_xs: Any) -> float:
    """Returns the square of the Pearson product moment correlation coefficient."""
    r = CORREL(known_ys, known_xs)
    return r * r


@xlfunction("COVARIANCE.P", "any, any", aliases=("COVAR",))
def COVARIANCE_P(array1: Any, array2: Any) -> float:
    """Returns covariance, the average of the products of paired deviations (also
    COVAR)."""
    n, _, _, sxy = _moments(array1, array2)
    return sxy / n


@xlfunction("COVARIANCE.S", "any, any")
def COVARIANCE_S(array1: Any, array2: Any) -> float:
    """Returns the sample covariance, ``Sxy / (n - 1)``."""
    n, _, _, sxy = _moments(array1, array2)
    if n < 2:
        raise XLFail(DIV0, "fewer than 2 pairs")
    return sxy / (n - 1)


# --- frequency, probability, Fisher -----------------------------------------------------


@xlfunction("FREQUENCY", "any, any")
def FREQUENCY(data_array: Any, bins_array: Any) -> list[list[float]]:
    """Returns a frequency distribution as a vertical array, one more element than
    bins.

    Notes
    -----
    Element i counts the data ≤ bin i and above the next smaller bin; the last counts
    the data above every bin. Bins need not be sorted; counts follow the bins' order
    (a repeated bin counts 0 after its first appearance). Bins with no number at all
    count as a single bin of 0.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> data = Array([[79.0, 85.0, 78.0, 85.0, 50.0, 81.0, 95.0, 88.0, 97.0]])
    >>> xlcall("FREQUENCY", data, Array([[70.0, 79.0, 89.0]]))
    Array([[1.0], [2.0], [4.0], [2.0]])
    """
    data = data_numbers(data_array)
    # with no number among the bins Excel counts against one bin of 0 (formulas_test
    # 'STATISTICAL'!W43: FREQUENCY(data, empty cell))
    bins = data_numbers(bins_array) or [0.0]
    order = sorted(range(len(bins)), key=lambda i: bins[i])
    counts = [0.0] * (len(bins) + 1)
    for x in data:
        for i in order:
            if x <= bins[i]:
                counts[i] += 1
                break
        else:
            counts[-1] += 1
    return [[c] for c in counts]


@xlfunction("PROB", "any, any, number, number?")
def PROB(x_range: Any, prob_range: Any, lower_limit: float,
         upper_limit: float | None = None) -> float:
    """Returns the probability that values in a range are between two limits (equal to
    the lower limit when the upper is omitted).

    Notes
    -----
    Every probability must be in 0‥1 and they must add up to 1 (``#NUM!`` otherwise);
    ranges of different sizes are ``#N/A``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xs, ps = Array([[0.0, 1.0, 2.0, 3.0]]), Array([[0.2, 0.3, 0.1, 0.4]])
    >>> xlcall("PROB", xs, ps, 2.0), xlcall("PROB", xs, ps, 1.0, 3.0)
    (0.1, 0.8)
    """
    ax, ap = values_of(x_range), values_of(prob_range)
    if ax.nrows * ax.ncols != ap.nrows * ap.ncols:
        raise XLFail(NA, "ranges of different sizes")
    total = 0.0
    pairs = []
    for x, p in zip(ax.flat(), ap.flat(), strict=True):
        for v in (x, p):
            if type(v) is ExcelError:
                raise XLFail(v)
        if type(p) is float:
            if p < 0 or p > 1:
                raise XLFail(NUM, "a probability outside 0‥1")
            total += p
            if type(x) is float:
                pairs.append((x, p))
        elif type(x) is float:
            raise XLFail(VALUE, "a value without a probability")
    if abs(total - 1) > 1e-7:
        raise XLFail(NUM, "probabilities do not add up to 1")
    hi = lower_limit if upper_limit is None else upper_limit
    return sum(p for x, p in pairs if lower_limit <= x <= hi)


@xlfunction("FISHER", "number")
def FISHER(x: float) -> float:
    """Returns the Fisher transformation, ``½ ln((1 + x)/(1 - x))`` (``#NUM!`` unless
    -1 < x < 1)."""
    if x <= -1 or x >= 1:
        raise XLFail(NUM, "FISHER needs -1 < x < 1")
    return 0.5 * math.log((1 + x) / (1 - x))


@xlfunction("FISHERINV", "number")
def FISHERINV(y: float) -> float:
    """Returns the inverse of the Fisher transformation, ``tanh(y)``."""
    return math.tanh(y)
