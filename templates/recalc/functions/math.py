"""Math and trigonometry functions: sums and products, rounding, powers and logarithms,
trigonometric and hyperbolic functions, combinatorics, number systems, random numbers.

(SUMIF/SUMIFS and the other conditional aggregates are in :mod:`.conditional`,
SUBTOTAL/AGGREGATE in :mod:`.aggregate`, MMULT/MINVERSE/MDETERM/MUNIT in
:mod:`.lookup`, SEQUENCE in :mod:`.arrays`.)

Excel's rules that shape these functions:

* Rounding works on the number's 15-significant-digit decimal form, as Excel shows it:
  ``ROUND(2.675, 2)`` is 2.68 although the double 2.675 lies just below 2.675, and
  ``CEILING(4.3, 0.1)`` is 4.3. The number of digits is truncated toward zero.
* SUM, PRODUCT and SUMSQ count numbers in ranges and arrays only, but read a typed
  argument as a number if they can (``SUM("3", TRUE)`` is 4).
* The Analysis ToolPak functions (MROUND, QUOTIENT, FACTDOUBLE, SQRTPI, MULTINOMIAL,
  SERIESSUM, RANDBETWEEN) refuse logicals and multi-cell ranges (:mod:`._atp`).
* SIN, COS, TAN and their reciprocals are ``#NUM!`` for an angle of 2^27 or more in
  magnitude, where Excel stops reducing the argument.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from templates.recalc.functions._args import flat, numbers, values_of
from templates.recalc.functions._atp import atp, atp_number
from templates.recalc.registry import xlfunction
from templates.recalc.values import (
    DIV0,
    NA,
    NUM,
    VALUE,
    Array,
    ExcelError,
    XLFail,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["excel_round", "snap15"]

_TRIG_LIMIT = 2.0**27


def snap15(x: float) -> float:
    """``x`` as its 15-significant-digit decimal form (how Excel sees a quotient before
    taking its floor or ceiling: ``4.3/0.1`` is 42.99999999999999 but counts as 43)."""
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.15g}")


def _digits(n: float) -> int:
    return int(max(-400.0, min(400.0, math.trunc(n))))


def excel_round(x: float, digits: float, rounding: str = ROUND_HALF_UP) -> float:
    """``x`` rounded to ``digits`` decimals (negative: to tens, hundreds …) as Excel's
    ROUND does, on the 15-significant-digit decimal form; ``rounding`` is a
    :mod:`decimal` mode (ROUNDUP is ``ROUND_UP``, ROUNDDOWN ``ROUND_DOWN``).

    Examples
    --------
    >>> excel_round(2.675, 2), excel_round(1.005, 2), excel_round(-2.5, 0)
    (2.68, 1.01, -3.0)
    >>> excel_round(1234.5, -2), excel_round(2.55, 1.9)
    (1200.0, 2.6)
    """
    n = _digits(digits)
    if x == 0 or not math.isfinite(x):
        return x
    if n >= 0 and abs(x) < 1e15 and x == math.floor(x):
        return x  # a whole number (exact below 10^15) has no digits to round
    if n == 0 and rounding == ROUND_HALF_UP and abs(x) < 1e15:
        # Half away from zero on the 15-digit form, in floats: y is that decimal's
        # nearest double, exact at a half; below 10^15 the error of y and of y + 0.5
        # is under half the decimal's last digit, so no other value crosses a whole
        # number (a fifth of ROUND's time in a long model went to Decimal).
        a = abs(x)
        if abs(a - math.floor(a) - 0.5) > 1e-13 * max(a, 1.0):
            # the 15-digit form moves x by under 5e-15 of itself: not across the half
            return math.copysign(math.floor(a + 0.5), x)
        y = float(f"{x:.15g}")
        return math.copysign(math.floor(abs(y) + 0.5), x)
    d = Decimal(f"{x:.15g}")
    exp = d.as_tuple().exponent
    if isinstance(exp, int) and exp >= -n:
        return float(d)
    return float(d.quantize(Decimal(1).scaleb(-n), rounding=rounding))


@xlfunction("ROUND", "number, number")
def ROUND(number: float, num_digits: float) -> float:
    """Rounds a number to a specified number of digits.

    Notes
    -----
    Halves round away from zero, on the 15-significant-digit decimal form of ``number``
    (:func:`excel_round`); ``num_digits`` is truncated.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("ROUND", 2.15, 1.0), xlcall("ROUND", -1.475, 2.0), xlcall("ROUND", 21.5, -1.0)
    (2.2, -1.48, 20.0)
    """
    return excel_round(number, num_digits, ROUND_HALF_UP)


@xlfunction("ROUNDDOWN", "number, number")
def ROUNDDOWN(number: float, num_digits: float) -> float:
    """Rounds a number down, toward zero.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("ROUNDDOWN", 3.14159, 3.0), xlcall("ROUNDDOWN", -3.14159, 1.0)
    (3.141, -3.1)
    """
    return excel_round(number, num_digits, ROUND_DOWN)


@xlfunction("ROUNDUP", "number, number")
def ROUNDUP(number: float, num_digits: float) -> float:
    """Rounds a number up, away from zero.

    Notes
    -----
    Excel rounds toward zero and then adds one unit of the last digit kept, in binary
    arithmetic: ``ROUNDUP(0.234, 1)`` is 0.2 + 0.1 = 0.30000000000000004 (formulas_test
    'MATH & TRIG'!V61), not the double nearest 0.3.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("ROUNDUP", 3.2, 0.0), xlcall("ROUNDUP", -3.14159, 1.0),
    ...  xlcall("ROUNDUP", 31415.92654, -2.0))
    (4.0, -3.2, 31500.0)
    """
    n = _digits(num_digits)
    down = excel_round(number, n, ROUND_DOWN)
    if number == 0 or not math.isfinite(number):
        return number
    if Decimal(f"{number:.15g}") == Decimal(repr(down)):
        return down
    unit = float(Decimal(1).scaleb(-n))
    return down + unit if number > 0 else down - unit


@xlfunction("TRUNC", "number, number?")
def TRUNC(number: float, num_digits: float = 0.0) -> float:
    """Truncates a number to an integer (or to ``num_digits`` decimals).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("TRUNC", 8.9), xlcall("TRUNC", -8.9), xlcall("TRUNC", 0.45, 1.0)
    (8.0, -8.0, 0.4)
    """
    return excel_round(number, num_digits, ROUND_DOWN)


@xlfunction("INT", "number")
def INT(number: float) -> float:
    """Rounds a number down to the nearest integer.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("INT", 8.9), xlcall("INT", -8.9)
    (8.0, -9.0)
    """
    return float(math.floor(number))


def _to_multiple(x: float, step: float, mode: str) -> float:
    """``x`` rounded to a multiple of ``step`` (> 0) by a :mod:`decimal` mode, the
    quotient first taken to 15 significant digits."""
    q = Decimal(repr(snap15(x / step)))
    k = float(q.to_integral_value(rounding=mode))
    return k * step


@xlfunction("CEILING", "number, number")
def CEILING(number: float, significance: float) -> float:
    """Rounds a number up to the nearest multiple of significance.

    Notes
    -----
    A positive number with a negative significance is ``#NUM!``; a negative number with
    a positive significance rounds toward zero, with a negative one away from zero;
    significance 0 gives 0.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("CEILING", 2.5, 1.0), xlcall("CEILING", -2.5, -2.0), xlcall("CEILING", -2.5, 2.0)
    (3.0, -4.0, -2.0)
    >>> (xlcall("CEILING", 1.5, 0.1), xlcall("CEILING", 0.234, 0.01),
    ...  str(xlcall("CEILING", 1.5, -1.0)))
    (1.5, 0.24, '#NUM!')
    """
    if number == 0 or significance == 0:
        return 0.0
    if number > 0 and significance < 0:
        raise XLFail(NUM, "a positive number with a negative significance")
    if significance < 0:
        return -_to_multiple(-number, -significance, ROUND_CEILING)
    return _to_multiple(number, significance, ROUND_CEILING)


@xlfunction("FLOOR", "number, number")
def FLOOR(number: float, significance: float) -> float:
    """Rounds a number down, toward zero, to the nearest multiple of significance.

    Notes
    -----
    A positive number with a negative significance is ``#NUM!``; significance 0 is
    ``#DIV/0!`` (0 for the number 0); a negative number with a positive significance
    rounds away from zero, with a negative one toward zero.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("FLOOR", 3.7, 2.0), xlcall("FLOOR", -2.5, -2.0), xlcall("FLOOR", -2.5, 2.0)
    (2.0, -2.0, -4.0)
    >>> (str(xlcall("FLOOR", 2.5, -2.0)), xlcall("FLOOR", 0.234, 0.01),
    ...  str(xlcall("FLOOR", 1.0, 0.0)))
    ('#NUM!', 0.23, '#DIV/0!')
    """
    if number == 0:
        return 0.0
    if significance == 0:
        raise XLFail(DIV0, "significance 0")
    if number > 0 and significance < 0:
        raise XLFail(NUM, "a positive number with a negative significance")
    if significance < 0:
        return -_to_multiple(-number, -significance, ROUND_FLOOR)
    return _to_multiple(number, significance, ROUND_FLOOR)


@xlfunction("CEILING.MATH", "number, number?, number?")
def CEILING_MATH(number: float, significance: float = 1.0, mode: float = 0.0) -> float:
    """Rounds a number up to the nearest integer or multiple of significance.

    Notes
    -----
    The sign of ``significance`` is ignored; a negative number rounds toward zero unless
    ``mode`` is non-zero (then away from zero).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("CEILING.MATH", 24.3, 5.0), xlcall("CEILING.MATH", -8.1, 2.0),
    ...  xlcall("CEILING.MATH", -5.5, 2.0, -1.0))
    (25.0, -8.0, -6.0)
    """
    s = abs(significance)
    if s == 0 or number == 0:
        return 0.0
    if number < 0 and mode != 0:
        return -_to_multiple(-number, s, ROUND_CEILING)
    return _to_multiple(number, s, ROUND_CEILING)


@xlfunction("FLOOR.MATH", "number, number?, number?")
def FLOOR_MATH(number: float, significance: float = 1.0, mode: float = 0.0) -> float:
    """Rounds a number down to the nearest integer or multiple of significance.

    Notes
    -----
    The sign of ``significance`` is ignored; a negative number rounds away from zero
    unless ``mode`` is non-zero (then toward zero).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("FLOOR.MATH", 24.3, 5.0), xlcall("FLOOR.MATH", -8.1, 2.0),
    ...  xlcall("FLOOR.MATH", -5.5, 2.0, -1.0))
    (20.0, -10.0, -4.0)
    """
    s = abs(significance)
    if s == 0 or number == 0:
        return 0.0
    if number < 0 and mode != 0:
        return -_to_multiple(-number, s, ROUND_FLOOR)
    return _to_multiple(number, s, ROUND_FLOOR)


@xlfunction("CEILING.PRECISE", "number, number?", aliases=("ISO.CEILING",))
def CEILING_PRECISE(number: float, significance: float = 1.0) -> float:
    """Rounds a number up (toward +∞) to the nearest multiple of |significance|
    (also ISO.CEILING).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("CEILING.PRECISE", 4.3), xlcall("CEILING.PRECISE", -4.3, 2.0),
    ...  xlcall("ISO.CEILING", 4.3, -2.0))
    (5.0, -4.0, 6.0)
    """
    return CEILING_MATH(number, significance, 0.0)


@xlfunction("FLOOR.PRECISE", "number, number?")
def FLOOR_PRECISE(number: float, significance: float = 1.0) -> float:
    """Rounds a number down (toward -∞) to the nearest multiple of |significance|.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("FLOOR.PRECISE", -3.2, -1.0), xlcall("FLOOR.PRECISE", 3.2, -1.0)
    (-4.0, 3.0)
    """
    return FLOOR_MATH(number, significance, 0.0)


@xlfunction("MROUND", "any, any")
@atp("n, n")
def MROUND(number: float, multiple: float) -> float:
    """Returns a number rounded to the desired multiple.

    Notes
    -----
    Halves round away from zero; a number and multiple of different signs are ``#NUM!``;
    multiple 0 gives 0.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("MROUND", 10.0, 3.0), xlcall("MROUND", -10.0, -3.0), xlcall("MROUND", 7.5, 3.0)
    (9.0, -9.0, 9.0)
    >>> str(xlcall("MROUND", 5.0, -2.0))
    '#NUM!'
    """
    if multiple == 0 or number == 0:
        return 0.0
    if (number > 0) != (multiple > 0):
        raise XLFail(NUM, "number and multiple have different signs")
    return _to_multiple(number, multiple, ROUND_HALF_UP)


@xlfunction("EVEN", "number")
def EVEN(number: float) -> float:
    """Rounds a number up (away from zero) to the nearest even integer.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("EVEN", 1.5), xlcall("EVEN", 3.0), xlcall("EVEN", -1.0), xlcall("EVEN", 0.0)
    (2.0, 4.0, -2.0, 0.0)
    """
    k = math.ceil(snap15(abs(number)) / 2) * 2
    return float(-k if number < 0 else k)


@xlfunction("ODD", "number")
def ODD(number: float) -> float:
    """Rounds a number up (away from zero) to the nearest odd integer.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("ODD", 1.5), xlcall("ODD", 3.0), xlcall("ODD", -1.0), xlcall("ODD", 0.0)
    (3.0, 3.0, -1.0, 1.0)
    """
    a = math.ceil(snap15(abs(number)))
    if a % 2 == 0:
        a += 1
    return float(-a if number < 0 else a)


@xlfunction("MOD", "number, number")
def MOD(number: float, divisor: float) -> float:
    """Returns the remainder from division; the result has the divisor's sign.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("MOD", 3.0, 2.0), xlcall("MOD", -3.0, 2.0), xlcall("MOD", 3.0, -2.0),
    ...  str(xlcall("MOD", 1.0, 0.0)))
    (1.0, 1.0, -1.0, '#DIV/0!')
    """
    if divisor == 0:
        raise XLFail(DIV0, "MOD by 0")
    q = number / divisor
    # Excel sees the quotient at 15 significant digits, which moves it by under 5e-15
    # of itself: only a quotient that close to a whole number can become one
    if abs(q - round(q)) <= 1e-13 * max(abs(q), 1.0) and snap15(q) == math.floor(snap15(q)):
        return 0.0
    r = math.fmod(number, divisor)
    if r != 0 and (r < 0) != (divisor < 0):
        r += divisor
    return r


@xlfunction("QUOTIENT", "any, any")
@atp("n, n")
def QUOTIENT(numerator: float, denominator: float) -> float:
    """Returns the integer portion of a division (truncated toward zero).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("QUOTIENT", 5.0, 2.0), xlcall("QUOTIENT", -10.0, 3.0),
    ...  str(xlcall("QUOTIENT", 1.0, 0.0)))
    (2.0, -3.0, '#DIV/0!')
    """
    if denominator == 0:
        raise XLFail(DIV0, "QUOTIENT by 0")
    return float(math.trunc(snap15(numerator / denominator)))


@xlfunction("ABS", "number")
def ABS(number: float) -> float:
    """Returns the absolute value of a number."""
    return abs(number)


@xlfunction("SIGN", "number")
def SIGN(number: float) -> float:
    """Returns the sign of a number: 1, 0 or -1."""
    return 1.0 if number > 0 else -1.0 if number < 0 else 0.0


@xlfunction("SQRT", "number")
def SQRT(number: float) -> float:
    """Returns a positive square root (``#NUM!`` for a negative number)."""
    return math.sqrt(number)


@xlfunction("SQRTPI", "any")
@atp("n")
def SQRTPI(number: float) -> float:
    """Returns the square root of (number * pi).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("SQRTPI", 2.0), str(xlcall("SQRTPI", True))
    (2.5066282746310002, '#VALUE!')
    """
    return math.sqrt(number * math.pi)


@xlfunction("PI")
def PI() -> float:
    """Returns the value of pi."""
    return math.pi


@xlfunction("POWER", "number, number")
def POWER(number: float, power: float) -> float:
    """Returns the result of a number raised to a power.

    Notes
    -----
    ``0^0`` is ``#NUM!``, 0 to a negative power ``#DIV/0!``, a negative number to a
    non-integer power ``#NUM!``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("POWER", 5.0, 2.0), xlcall("POWER", 98.6, 3.2), str(xlcall("POWER", 0.0, 0.0))
    (25.0, 2401077.2220695773, '#NUM!')
    """
    return power_(number, power)


def power_(x: float, y: float) -> float:
    """``x ^ y`` with Excel's errors (the ``^`` operator and POWER)."""
    if x == 0:
        if y == 0:
            raise XLFail(NUM, "0^0")
        if y < 0:
            raise XLFail(DIV0, "0 to a negative power")
        return 0.0
    return math.pow(x, y)


@xlfunction("EXP", "number")
def EXP(number: float) -> float:
    """Returns e raised to the power of a given number."""
    return math.exp(number)


@xlfunction("LN", "number")
def LN(number: float) -> float:
    """Returns the natural logarithm of a number (``#NUM!`` for 0 or less)."""
    return math.log(number)


@xlfunction("LOG10", "number")
def LOG10(number: float) -> float:
    """Returns the base-10 logarithm of a number."""
    return math.log10(number)


@xlfunction("LOG", "number, number?")
def LOG(number: float, base: float = 10.0) -> float:
    """Returns the logarithm of a number to a specified base (10 by default).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("LOG", 8.0, 2.0), xlcall("LOG", 86.0, 2.7182818), str(xlcall("LOG", 8.0, 1.0))
    (3.0, 4.454347342888286, '#DIV/0!')
    """
    if number <= 0 or base <= 0:
        raise XLFail(NUM, "logarithm of a number ≤ 0")
    if base == 1:
        raise XLFail(DIV0, "logarithm to base 1")
    if base == 10:
        return math.log10(number)
    if base == 2:
        return math.log2(number)
    return math.log(number) / math.log(base)


# --- trigonometry -----------------------------------------------------------------------


def _angle(x: float) -> float:
    if abs(x) >= _TRIG_LIMIT:
        raise XLFail(NUM, "angle of 2^27 or more")
    return x


@xlfunction("SIN", "number")
def SIN(number: float) -> float:
    """Returns the sine of the given angle (radians)."""
    return math.sin(_angle(number))


@xlfunction("COS", "number")
def COS(number: float) -> float:
    """Returns the cosine of a number (radians)."""
    return math.cos(_angle(number))


@xlfunction("TAN", "number")
def TAN(number: float) -> float:
    """Returns the tangent of a number (radians)."""
    return math.tan(_angle(number))


@xlfunction("SEC", "number")
def SEC(number: float) -> float:
    """Returns the secant of an angle."""
    return 1.0 / math.cos(_angle(number))


@xlfunction("CSC", "number")
def CSC(number: float) -> float:
    """Returns the cosecant of an angle (``#DIV/0!`` at 0)."""
    return 1.0 / math.sin(_angle(number))


@xlfunction("COT", "number")
def COT(number: float) -> float:
    """Returns the cotangent of an angle (``#DIV/0!`` at 0)."""
    return 1.0 / math.tan(_angle(number))


@xlfunction("ASIN", "number")
def ASIN(number: float) -> float:
    """Returns the arcsine of a number."""
    return math.asin(number)


@xlfunction("ACOS", "number")
def ACOS(number: float) -> float:
    """Returns the arccosine of a number."""
    return math.acos(number)


@xlfunction("ATAN", "number")
def ATAN(number: float) -> float:
    """Returns the arctangent of a number."""
    return math.atan(number)


@xlfunction("ATAN2", "number, number")
def ATAN2(x_num: float, y_num: float) -> float:
    """Returns the arctangent from x- and y-coordinates (Excel's order: x first).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("ATAN2", 1.0, 1.0), xlcall("ATAN2", -1.0, -1.0), str(xlcall("ATAN2", 0.0, 0.0))
    (0.7853981633974483, -2.356194490192345, '#DIV/0!')
    """
    if x_num == 0 and y_num == 0:
        raise XLFail(DIV0, "ATAN2(0, 0)")
    return math.atan2(y_num, x_num)


@xlfunction("ACOT", "number")
def ACOT(number: float) -> float:
    """Returns the arccotangent of a number, in 0‥pi."""
    return math.pi / 2 - math.atan(number)


@xlfunction("SINH", "number")
def SINH(number: float) -> float:
    """Returns the hyperbolic sine of a number."""
    return math.sinh(number)


@xlfunction("COSH", "number")
def COSH(number: float) -> float:
    """Returns the hyperbolic cosine of a number."""
    return math.cosh(number)


@xlfunction("TANH", "number")
def TANH(number: float) -> float:
    """Returns the hyperbolic tangent of a number."""
    return math.tanh(number)


@xlfunction("SECH", "number")
def SECH(number: float) -> float:
    """Returns the hyperbolic secant of an angle."""
    if abs(number) > 710:
        return 0.0
    return 1.0 / math.cosh(number)


@xlfunction("CSCH", "number")
def CSCH(number: float) -> float:
    """Returns the hyperbolic cosecant of an angle (``#DIV/0!`` at 0)."""
    if abs(number) > 710:
        return 0.0
    return 1.0 / math.sinh(number)


@xlfunction("COTH", "number")
def COTH(number: float) -> float:
    """Returns the hyperbolic cotangent of a number (``#DIV/0!`` at 0)."""
    return 1.0 / math.tanh(number)


@xlfunction("ASINH", "number")
def ASINH(number: float) -> float:
    """Returns the inverse hyperbolic sine of a number."""
    return math.asinh(number)


@xlfunction("ACOSH", "number")
def ACOSH(number: float) -> float:
    """Returns the inverse hyperbolic cosine of a number (``#NUM!`` below 1)."""
    return math.acosh(number)


@xlfunction("ATANH", "number")
def ATANH(number: float) -> float:
    """Returns the inverse hyperbolic tangent of a number (``#NUM!`` outside -1‥1)."""
    return math.atanh(number)


@xlfunction("ACOTH", "number")
def ACOTH(number: float) -> float:
    """Returns the hyperbolic arccotangent of a number (``#NUM!`` for |x| ≤ 1).

    Notes
    -----
    ``ACOTH(x) = ½ ln((x + 1) / (x - 1))``.
    """
    if abs(number) <= 1:
        raise XLFail(NUM, "ACOTH of |x| ≤ 1")
    return 0.5 * math.log((number + 1) / (number - 1))


@xlfunction("DEGREES", "number")
def DEGREES(angle: float) -> float:
    """Converts radians to degrees."""
    return angle * (180.0 / math.pi)


@xlfunction("RADIANS", "number")
def RADIANS(angle: float) -> float:
    """Converts degrees to radians."""
    return angle * (math.pi / 180.0)


# --- sums and products ------------------------------------------------------------------


@xlfunction("SUM", "any*")
def SUM(*numbers_: Any) -> float:
    """Adds its arguments.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("SUM", 1.0, "2", True, Array([[3.0, "4", True, None]]))
    7.0
    """
    total = 0.0
    for x in numbers(numbers_):
        total += x
    return total


@xlfunction("SUMSQ", "any*")
def SUMSQ(*numbers_: Any) -> float:
    """Returns the sum of the squares of the arguments."""
    total = 0.0
    for x in numbers(numbers_):
        total += x * x
    return total


@xlfunction("PRODUCT", "any*")
def PRODUCT(*numbers_: Any) -> float:
    """Multiplies its arguments (0 when there is no number).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("PRODUCT", 2.0, "3", True), xlcall("PRODUCT", Array([["x"]]))
    (6.0, 0.0)
    """
    xs = numbers(numbers_)
    if not xs:
        return 0.0
    p = 1.0
    for x in xs:
        p *= x
    return p


@xlfunction("SUMPRODUCT", "array*")
def SUMPRODUCT(*arrays: Any) -> float:
    """Returns the sum of the products of corresponding array components.

    Notes
    -----
    Every array must have the same shape (``#VALUE!`` otherwise); an element that is not
    a number (text, a logical, an empty cell) counts as 0; the first error (in reading
    order, array by array) is the result, before the shapes are compared (formulas_test
    'MATH & TRIG'!AE75).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> a, b = Array([[3.0, 4.0], [8.0, 6.0]]), Array([[2.0, 7.0], [6.0, "x"]])
    >>> xlcall("SUMPRODUCT", a, b), str(xlcall("SUMPRODUCT", a, Array([[1.0, 2.0]])))
    (82.0, '#VALUE!')
    """
    if not arrays:
        raise XLFail(VALUE)
    arrs = [values_of(a) for a in arrays]
    for a in arrs:  # an error is the result even when the shapes differ
        for v in a.flat():
            if type(v) is ExcelError:
                raise XLFail(v)
    shape = arrs[0].shape
    if any(a.shape != shape for a in arrs):
        raise XLFail(VALUE, "arrays of different shapes")
    cols = [[v if type(v) is float else 0.0 for v in a.flat()] for a in arrs]
    total = 0.0
    for vals in zip(*cols, strict=True):
        p = 1.0
        for v in vals:
            p *= v
        total += p
    return total


def _pairs(x: Any, y: Any) -> list[tuple[float, float]]:
    """Number pairs of two same-size arrays (both must be numbers); errors propagate,
    different sizes are ``#N/A``."""
    ax, ay = values_of(x), values_of(y)
    if ax.nrows * ax.ncols != ay.nrows * ay.ncols:
        raise XLFail(NA, "arrays of different sizes")
    out = []
    for a, b in zip(ax.flat(), ay.flat(), strict=True):
        if type(a) is ExcelError:
            raise XLFail(a)
        if type(b) is ExcelError:
            raise XLFail(b)
        if type(a) is float and type(b) is float:
            out.append((a, b))
    return out


@xlfunction("SUMX2MY2", "any, any")
def SUMX2MY2(array_x: Any, array_y: Any) -> float:
    """Returns the sum of the difference of squares of corresponding values."""
    return sum(a * a - b * b for a, b in _pairs(array_x, array_y))


@xlfunction("SUMX2PY2", "any, any")
def SUMX2PY2(array_x: Any, array_y: Any) -> float:
    """Returns the sum of the sum of squares of corresponding values."""
    return sum(a * a + b * b for a, b in _pairs(array_x, array_y))


@xlfunction("SUMXMY2", "any, any")
def SUMXMY2(array_x: Any, array_y: Any) -> float:
    """Returns the sum of squares of differences of corresponding values."""
    return sum((a - b) ** 2 for a, b in _pairs(array_x, array_y))


@xlfunction("SERIESSUM", "any, any, any, any")
@atp("n, n, n, raw")
def SERIESSUM(x: float, n: float, m: float, coefficients: Any) -> float:
    """Returns the sum of a power series ``Σ a_i · x^(n + i·m)``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("SERIESSUM", 2.0, 1.0, 2.0, Array([[1.0, 2.0, 3.0]]))  # 2 + 2·2³ + 3·2⁵
    114.0
    """
    total = 0.0
    for i, (a, _) in enumerate(flat([coefficients])):
        if type(a) is ExcelError:
            raise XLFail(a)
        if type(a) is not float:
            raise XLFail(VALUE, "a coefficient is not a number")
        total += a * power_(x, n + i * m)
    return total


@xlfunction("PERCENTOF", "any, any")
def PERCENTOF(data_subset: Any, data_all: Any) -> float:
    """Returns the percentage that a subset makes up of all the data: SUM(subset) /
    SUM(all).

    Notes
    -----
    An error in either range is ``#NUM!`` (not the error itself: formulas_test
    'MATH & TRIG'!Y49, AA49).
    """
    try:
        part, whole = SUM(data_subset), SUM(data_all)
    except XLFail:
        raise XLFail(NUM, "an error in the data") from None
    return part / whole


# --- combinatorics ----------------------------------------------------------------------


def _whole(x: float) -> int:
    if not math.isfinite(x):
        raise XLFail(NUM)
    return math.trunc(x)


def _big(n: int) -> float:
    try:
        return float(n)
    except OverflowError:
        raise XLFail(NUM, "result too large") from None


@xlfunction("FACT", "number")
def FACT(number: float) -> float:
    """Returns the factorial of a number (truncated; ``#NUM!`` below 0 or above 170).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("FACT", 5.0), xlcall("FACT", 1.9), str(xlcall("FACT", -1.0))
    (120.0, 1.0, '#NUM!')
    """
    if number < 0:
        raise XLFail(NUM, "factorial of a negative number")
    n = _whole(number)
    if n > 170:
        raise XLFail(NUM, "factorial too large")
    return float(math.factorial(n))


@xlfunction("FACTDOUBLE", "any")
@atp("n")
def FACTDOUBLE(number: float) -> float:
    """Returns the double factorial of a number, ``n·(n-2)·(n-4)…``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("FACTDOUBLE", 6.0), xlcall("FACTDOUBLE", 7.0), xlcall("FACTDOUBLE", -1.0)
    (48.0, 105.0, 1.0)
    """
    if number < -1:
        raise XLFail(NUM, "double factorial below -1")
    n = _whole(number)
    if n > 300:
        raise XLFail(NUM, "double factorial too large")
    p = 1
    while n > 1:
        p *= n
        n -= 2
    return _big(p)


@xlfunction("COMBIN", "number, number")
def COMBIN(number: float, number_chosen: float) -> float:
    """Returns the number of combinations for a given number of objects.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("COMBIN", 8.0, 2.0), xlcall("COMBIN", 8.9, 2.9), str(xlcall("COMBIN", 2.0, 3.0))
    (28.0, 28.0, '#NUM!')
    """
    n, k = _whole(number), _whole(number_chosen)
    if n < 0 or k < 0 or k > n:
        raise XLFail(NUM, "COMBIN needs 0 ≤ k ≤ n")
    if n > 2**31:
        return _gamma_combin(n, k)
    return _big(math.comb(n, k))


def _gamma_combin(n: int, k: int) -> float:
    k = min(k, n - k)
    if k > 10_000:
        return math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1))
    return _big(math.comb(n, k))


@xlfunction("COMBINA", "number, number")
def COMBINA(number: float, number_chosen: float) -> float:
    """Returns the number of combinations with repetitions: COMBIN(n + k - 1, k).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("COMBINA", 4.0, 3.0), xlcall("COMBINA", 10.0, 3.0), xlcall("COMBINA", 0.0, 0.0)
    (20.0, 220.0, 1.0)
    """
    n, k = _whole(number), _whole(number_chosen)
    if n < 0 or k < 0 or (n < 1 and k > 0):
        raise XLFail(NUM, "COMBINA needs n, k ≥ 0")
    if k == 0:
        return 1.0
    return _big(math.comb(n + k - 1, k))


@xlfunction("PERMUT", "number, number")
def PERMUT(number: float, number_chosen: float) -> float:
    """Returns the number of permutations for a given number of objects.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("PERMUT", 100.0, 3.0), xlcall("PERMUT", 3.0, 2.0), str(xlcall("PERMUT", 2.0, 3.0))
    (970200.0, 6.0, '#NUM!')
    """
    n, k = _whole(number), _whole(number_chosen)
    if n < 0 or k < 0 or k > n:
        raise XLFail(NUM, "PERMUT needs 0 ≤ k ≤ n")
    if k > 5000:
        return math.exp(math.lgamma(n + 1) - math.lgamma(n - k + 1))
    return _big(math.perm(n, k))


@xlfunction("PERMUTATIONA", "number, number")
def PERMUTATIONA(number: float, number_chosen: float) -> float:
    """Returns the number of permutations with repetitions, ``n^k``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("PERMUTATIONA", 3.0, 2.0), xlcall("PERMUTATIONA", 2.0, 2.0)
    (9.0, 4.0)
    """
    n, k = _whole(number), _whole(number_chosen)
    if n < 0 or k < 0:
        raise XLFail(NUM, "PERMUTATIONA needs n, k ≥ 0")
    return math.pow(n, k)


@xlfunction("MULTINOMIAL", "any*")
def MULTINOMIAL(*numbers_: Any) -> float:
    """Returns the multinomial of a set of numbers, ``(Σa)! / Πa!``.

    Notes
    -----
    An Analysis ToolPak function: a logical argument is ``#VALUE!``; numbers are
    truncated, a negative one is ``#NUM!``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("MULTINOMIAL", 2.0, 3.0, 4.0)
    1260.0
    """
    ks = []
    for v, in_range in flat(numbers_):
        if type(v) is ExcelError:
            raise XLFail(v)
        if in_range and type(v) is not float:
            if v is None:
                continue
            raise XLFail(VALUE, "a non-number in the range")
        x = atp_number(v)
        if x < 0:
            raise XLFail(NUM, "a negative number")
        ks.append(_whole(x))
    total = sum(ks)
    if total > 170:
        raise XLFail(NUM, "result too large")
    r = math.factorial(total)
    for k in ks:
        r //= math.factorial(k)
    return _big(r)


def _integers(args: tuple[Any, ...]) -> list[int]:
    """GCD/LCM arguments as integers (truncated).

    Every argument is first checked for type: an error is the result, a logical, text
    that is not a number or an empty cell is ``#VALUE!``; only then is a number below 0
    or at 2^53 and above ``#NUM!`` (Excel: ``GCD(-0.4, TRUE)`` is ``#VALUE!``, formulas_test
    'MATH & TRIG'!Y34, while ``GCD(-0.4)`` is ``#NUM!``).
    """
    xs = []
    for v, in_range in flat(args):
        t = type(v)
        if t is ExcelError:
            raise XLFail(v)
        if t is bool or v is None or (t is str and in_range):
            raise XLFail(VALUE, "not a number")
        xs.append(atp_number(v))
    for x in xs:
        if x < 0 or x >= 2.0**53:
            raise XLFail(NUM, "outside 0‥2^53")
    return [math.trunc(x) for x in xs]


@xlfunction("GCD", "any*")
def GCD(*numbers_: Any) -> float:
    """Returns the greatest common divisor.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("GCD", 24.0, 36.0), xlcall("GCD", 7.0, 1.0), str(xlcall("GCD", 5.0, -1.0))
    (12.0, 1.0, '#NUM!')
    """
    return float(math.gcd(*_integers(numbers_)))


@xlfunction("LCM", "any*")
def LCM(*numbers_: Any) -> float:
    """Returns the least common multiple (0 if any number is 0).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("LCM", 5.0, 2.0), xlcall("LCM", 24.0, 36.0)
    (10.0, 72.0)
    """
    ks = _integers(numbers_)
    if not ks:
        raise XLFail(VALUE)
    r = math.lcm(*ks)
    if r >= 2**53:
        raise XLFail(NUM, "result too large")
    return float(r)


# --- number systems ---------------------------------------------------------------------

_ROMAN_CHARS = "MDCLXVI"
_ROMAN_VALUES = (1000, 500, 100, 50, 10, 5, 1)


def _roman(n: int, form: int) -> str:
    """Roman numerals in Excel's forms 0 (classic) to 4 (most simplified); LibreOffice's
    ScRoman algorithm, which reproduces Excel's forms digit for digit."""
    out = []
    for i in range(4):
        idx = 2 * i
        digit = n // _ROMAN_VALUES[idx]
        if digit % 5 == 4:
            idx2 = idx - 1 if digit == 4 else idx - 2
            steps = 0
            while steps < form and idx < 6:
                steps += 1
                if _ROMAN_VALUES[idx2] - _ROMAN_VALUES[idx + 1] <= n:
                    idx += 1
                else:
                    steps = form
            out.append(_ROMAN_CHARS[idx] + _ROMAN_CHARS[idx2])
            n += _ROMAN_VALUES[idx] - _ROMAN_VALUES[idx2]
        else:
            if digit > 4:
                out.append(_ROMAN_CHARS[idx - 1])
            out.append(_ROMAN_CHARS[idx] * (digit % 5))
            n %= _ROMAN_VALUES[idx]
    return "".join(out)


@xlfunction("ROMAN", "number, scalar?")
def ROMAN(number: float, form: Any = 0.0) -> str:
    """Converts an arabic numeral to roman, as text.

    Notes
    -----
    ``number`` is truncated and must be in 0‥3999 (0 gives ``""``); ``form`` 0 is
    classic, 1‥3 more and more concise, 4 simplified; TRUE is 0 and FALSE 4.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> [xlcall("ROMAN", 499.0, float(f)) for f in range(5)]
    ['CDXCIX', 'LDVLIV', 'XDIX', 'VDIV', 'ID']
    >>> xlcall("ROMAN", 999.9), xlcall("ROMAN", 0.0), str(xlcall("ROMAN", 4000.0))
    ('CMXCIX', '', '#VALUE!')
    """
    if form is None:
        f = 0
    elif type(form) is bool:
        f = 0 if form else 4
    else:
        from templates.recalc.values import to_number

        f = math.trunc(to_number(form))
    if not 0 <= f <= 4:
        raise XLFail(VALUE, "form outside 0‥4")
    n = math.trunc(number)
    if not 0 <= n <= 3999:
        raise XLFail(VALUE, "number outside 0‥3999")
    return _roman(n, f)


_ARABIC = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


@xlfunction("ARABIC", "scalar")
def ARABIC(text: Any) -> float:
    """Converts a Roman numeral to an Arabic numeral.

    Notes
    -----
    Case is ignored, surrounding spaces are trimmed and a leading ``-`` negates. Read
    from the right, a numeral smaller than the largest seen so far is subtracted, so any
    string of numerals has a value: ``"IM"`` is 999, ``"IIIIIIV"`` is -1 (formulas_test
    'MATH & TRIG'!T9). A number (not text) or another character is ``#VALUE!``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> (xlcall("ARABIC", "LVII"), xlcall("ARABIC", "mcmxii"), xlcall("ARABIC", "-IM"),
    ...  xlcall("ARABIC", ""))
    (57.0, 1912.0, -999.0, 0.0)
    """
    if text is None:
        return 0.0
    if type(text) is not str:
        raise XLFail(VALUE, "ARABIC takes text")
    s = text.strip().upper()
    sign = 1.0
    if s.startswith("-"):
        sign, s = -1.0, s[1:]
    if len(s) > 255 or any(ch not in _ARABIC for ch in s):
        raise XLFail(VALUE, f"{text!r} is not a Roman numeral")
    total = 0
    biggest = 0
    for ch in reversed(s):  # a numeral below the largest one to its right is subtracted
        v = _ARABIC[ch]
        if v < biggest:
            total -= v
        else:
            total += v
            biggest = v
    return sign * total


_BASE_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@xlfunction("BASE", "number, number, number?")
def BASE(number: float, radix: float, min_length: float = 0.0) -> str:
    """Converts a number into a text representation with the given radix (base).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("BASE", 7.0, 2.0), xlcall("BASE", 100.0, 16.0), xlcall("BASE", 15.0, 2.0, 10.0)
    ('111', '64', '0000001111')
    """
    n, r, m = math.trunc(number), math.trunc(radix), math.trunc(min_length)
    if n < 0 or number >= 2.0**53 or not 2 <= r <= 36 or not 0 <= m <= 255:
        raise XLFail(NUM, "BASE argument out of range")
    digits = []
    while n:
        n, d = divmod(n, r)
        digits.append(_BASE_DIGITS[d])
    s = "".join(reversed(digits)) or "0"
    return s.rjust(m, "0")


@xlfunction("DECIMAL", "text, number")
def DECIMAL(text: str, radix: float) -> float:
    """Converts a text representation of a number in a given base into a decimal number.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("DECIMAL", "FF", 16.0), xlcall("DECIMAL", "111", 2.0), xlcall("DECIMAL", "zap", 36.0)
    (255.0, 7.0, 45745.0)
    """
    r = math.trunc(radix)
    if not 2 <= r <= 36:
        raise XLFail(NUM, "radix outside 2‥36")
    s = text.strip()
    if len(s) > 255:
        raise XLFail(VALUE, "text longer than 255 characters")
    total = 0
    for ch in s.upper():
        d = _BASE_DIGITS.find(ch)
        if d < 0 or d >= r:
            raise XLFail(NUM, f"{ch!r} is not a base-{r} digit")
        total = total * r + d
    if total >= 2**53:
        raise XLFail(NUM, "result too large")
    return float(total)


# --- random numbers ---------------------------------------------------------------------


@xlfunction("RAND", volatile=True)
def RAND() -> float:
    """Returns a random number between 0 and 1 (volatile)."""
    import random  # here: its import is a millisecond of every run, most never call it

    return random.random()


@xlfunction("RANDBETWEEN", "any, any", volatile=True)
@atp("n, n")
def RANDBETWEEN(bottom: float, top: float) -> float:
    """Returns a random integer between the numbers you specify (volatile).

    Notes
    -----
    ``bottom`` is rounded up and ``top`` down to integers; ``#NUM!`` if then
    bottom > top.
    """
    lo, hi = math.ceil(bottom), math.floor(top)
    if lo > hi:
        raise XLFail(NUM, "bottom greater than top")
    import random

    return float(random.randint(lo, hi))


@xlfunction("RANDARRAY", "number?, number?, number?, number?, bool?", volatile=True)
def RANDARRAY(rows: float | None = None, columns: float | None = None,
              min_: float | None = None, max_: float | None = None,
              whole_number: bool | None = None) -> Array:
    """Returns an array of random numbers between 0 and 1, or between min and max
    (integers with ``whole_number`` TRUE) (volatile).

    Notes
    -----
    An omitted (or empty) argument takes its default: 1 row, 1 column, 0‥1. Rows or
    columns below 1 are ``#CALC!`` in Excel (``#VALUE!`` for 0 here when the argument is
    an empty cell); min > max is ``#VALUE!``.
    """
    nr = 1 if not rows else math.trunc(rows)
    nc = 1 if not columns else math.trunc(columns)
    lo = 0.0 if min_ is None else min_
    hi = 1.0 if max_ is None else max_
    if nr < 1 or nc < 1 or lo > hi:
        raise XLFail(VALUE, "RANDARRAY size or bounds")
    import random

    if whole_number:
        a, b = math.ceil(lo), math.floor(hi)
        if a > b:
            raise XLFail(VALUE, "no integer between min and max")
        return Array([[float(random.randint(a, b)) for _ in range(nc)] for _ in range(nr)])
    return Array([[lo + (hi - lo) * random.random() for _ in range(nc)] for _ in range(nr)])


# --- gamma ------------------------------------------------------------------------------


@xlfunction("GAMMA", "number")
def GAMMA(number: float) -> float:
    """Returns the Gamma function value (``#NUM!`` at 0 and negative integers).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("GAMMA", 2.5), xlcall("GAMMA", -3.75), str(xlcall("GAMMA", 0.0))
    (1.3293403881791372, 0.2678661288614166, '#NUM!')
    """
    if number <= 0 and number == math.floor(number):
        raise XLFail(NUM, "GAMMA at a pole")
    return math.gamma(number)


@xlfunction("GAMMALN", "number", aliases=("GAMMALN.PRECISE",))
def GAMMALN(x: float) -> float:
    """Returns the natural logarithm of the gamma function, Γ(x) (``#NUM!`` for x ≤ 0).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("GAMMALN", 4.5), xlcall("GAMMALN.PRECISE", 4.0)
    (2.453736570842443, 1.7917594692280554)
    """
    if x <= 0:
        raise XLFail(NUM, "GAMMALN of x ≤ 0")
    return math.lgamma(x)
