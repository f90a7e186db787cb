"""Complex numbers as Excel writes them: COMPLEX and the IM… functions.

A complex number is text, ``"3+4i"``, ``"-2.5j"``, ``"i"``, ``"7"``, or a plain number
(its real part); an empty cell or ``""`` is 0. Text that is not a complex number is
``#NUM!``, a logical ``#VALUE!``. The suffix is ``i`` or ``j`` (lower case); a result
keeps the suffix of its arguments, and mixing ``i`` with ``j`` is an error (``#VALUE!``
in IMSUM/IMPRODUCT, ``#NUM!`` in IMSUB/IMDIV).

Results are text: each part with Excel's 15 significant digits (:func:`number_text`),
the imaginary part 1 or -1 as just the sign (``"3-i"``), a zero part left out (``"4"``,
``"2j"``, ``"0"``).

Like the other Analysis ToolPak functions these refuse a multi-cell range where one
number is expected (``#VALUE!``); IMSUM and IMPRODUCT take ranges.
"""

from __future__ import annotations

import math
import re
from typing import Any

from templates.recalc.functions._args import flat
from templates.recalc.functions._atp import atp
from templates.recalc.registry import xlfunction
from templates.recalc.values import DIV0, NUM, VALUE, ExcelError, XLFail, number_text

__all__ = ["format_complex", "parse_complex"]

_NUM = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_WITH_REAL = re.compile(rf"([+-]?{_NUM})(?:([+-])({_NUM})?([ij]))?")
_IMAG_ONLY = re.compile(rf"([+-]?)({_NUM})?([ij])")


def parse_complex(v: Any) -> tuple[complex, str | None]:
    """A value as Excel reads an inumber: (the number, its suffix or None if it has no
    imaginary part written). Raises :class:`XLFail` (``#NUM!``, ``#VALUE!``).

    Examples
    --------
    >>> parse_complex("3-4j"), parse_complex("-i"), parse_complex(2.5), parse_complex(None)
    (((3-4j), 'j'), (-1j, 'i'), ((2.5+0j), None), (0j, None))
    """
    t = type(v)
    if t is ExcelError:
        raise XLFail(v)
    if t is bool:
        raise XLFail(VALUE, "a logical is not a complex number")
    if v is None:
        return 0j, None
    if t is float or t is int:
        return complex(v, 0.0), None
    if t is not str:
        raise XLFail(VALUE)
    if v == "":
        return 0j, None
    m = _WITH_REAL.fullmatch(v)
    if m:
        real = float(m.group(1))
        if m.group(4) is None:
            return complex(real, 0.0), None
        imag = float(m.group(3)) if m.group(3) else 1.0
        return complex(real, -imag if m.group(2) == "-" else imag), m.group(4)
    m = _IMAG_ONLY.fullmatch(v)
    if m:
        imag = float(m.group(2)) if m.group(2) else 1.0
        return complex(0.0, -imag if m.group(1) == "-" else imag), m.group(3)
    raise XLFail(NUM, f"{v!r} is not a complex number")


def format_complex(z: complex, suffix: str | None = "i") -> str:
    """A complex number as Excel's IM… functions write it.

    Examples
    --------
    >>> format_complex(3 + 4j), format_complex(99 - 1j, "j"), format_complex(3.6j, "j")
    ('3+4i', '99-j', '3.6j')
    >>> format_complex(complex(-1, 0)), format_complex(0j), format_complex(1 / 3 + 1j)
    ('-1', '0', '0.333333333333333+i')
    """
    re_, im = z.real, z.imag
    if not (math.isfinite(re_) and math.isfinite(im)):
        raise XLFail(NUM, "the result overflows")
    sfx = suffix or "i"
    im_text = number_text(im) if im != 0 else "0"
    if im_text == "0":
        return number_text(re_) if re_ != 0 else "0"
    if im_text == "1":
        im_text = ""
    elif im_text == "-1":
        im_text = "-"
    if re_ == 0 or number_text(re_) == "0":
        return im_text + sfx
    return number_text(re_) + ("+" if im > 0 else "") + im_text + sfx


def _suffix(suffixes: list[str | None], error: ExcelError) -> str | None:
    """The suffix shared by several arguments (``error`` if they mix ``i`` and ``j``)."""
    used = {s for s in suffixes if s}
    if len(used) > 1:
        raise XLFail(error, "the arguments mix the suffixes i and j")
    return used.pop() if used else None


# --- parts ------------------------------------------------------------------------------


@xlfunction("COMPLEX", "any, any, any?")
@atp("n, n, v")
def COMPLEX(real_num: float, i_num: float, suffix: Any = None) -> str:
    """Converts real and imaginary coefficients into a complex number.

    Notes
    -----
    ``suffix`` is ``"i"`` (the default) or ``"j"``; anything else, upper case included,
    is ``#VALUE!``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("COMPLEX", 3.0, 4.0), xlcall("COMPLEX", 99.0, -1.0, "j")
    ('3+4i', '99-j')
    >>> xlcall("COMPLEX", 0.0, 1.0), str(xlcall("COMPLEX", 1.0, 2.0, "I"))
    ('i', '#VALUE!')
    """
    if suffix is None or suffix == "":
        suffix = "i"
    if suffix not in ("i", "j"):
        raise XLFail(VALUE, f"suffix {suffix!r} is not i or j")
    return format_complex(complex(real_num, i_num), suffix)


@xlfunction("IMREAL", "any")
@atp("v")
def IMREAL(inumber: Any) -> float:
    """Returns the real coefficient of a complex number."""
    return parse_complex(inumber)[0].real


@xlfunction("IMAGINARY", "any")
@atp("v")
def IMAGINARY(inumber: Any) -> float:
    """Returns the imaginary coefficient of a complex number."""
    return parse_complex(inumber)[0].imag


@xlfunction("IMABS", "any")
@atp("v")
def IMABS(inumber: Any) -> float:
    """Returns the absolute value (modulus) of a complex number, √(x² + y²)."""
    z = parse_complex(inumber)[0]
    return math.hypot(z.real, z.imag)


@xlfunction("IMARGUMENT", "any")
@atp("v")
def IMARGUMENT(inumber: Any) -> float:
    """Returns the argument theta, an angle expressed in radians (``#DIV/0!`` for 0)."""
    z = parse_complex(inumber)[0]
    if z == 0:
        raise XLFail(DIV0, "the argument of 0 is undefined")
    return math.atan2(z.imag, z.real)


@xlfunction("IMCONJUGATE", "any")
@atp("v")
def IMCONJUGATE(inumber: Any) -> str:
    """Returns the complex conjugate of a complex number."""
    z, s = parse_complex(inumber)
    return format_complex(z.conjugate(), s)


# --- arithmetic -------------------------------------------------------------------------


def _div(a: complex, b: complex) -> complex:
    """a / b by the textbook formula ((ac+bd) + (bc−ad)i) / (c²+d²); ``#NUM!`` for b = 0."""
    c, d = b.real, b.imag
    den = c * c + d * d
    if den == 0:
        raise XLFail(NUM, "division by complex 0")
    return complex((a.real * c + a.imag * d) / den, (a.imag * c - a.real * d) / den)


def _mul(a: complex, b: complex) -> complex:
    return complex(a.real * b.real - a.imag * b.imag, a.real * b.imag + a.imag * b.real)


def _operands(args: tuple[Any, ...]) -> tuple[list[complex], str | None]:
    """IMSUM/IMPRODUCT's numbers: every argument, ranges and arrays cell by cell (an empty
    cell is 0); the first bad value is the result."""
    zs: list[complex] = []
    suffixes: list[str | None] = []
    for v, _in_range in flat(args):
        z, s = parse_complex(v)
        zs.append(z)
        suffixes.append(s)
        _suffix(suffixes, VALUE)
    return zs, _suffix(suffixes, VALUE)


@xlfunction("IMSUM", "any*")
def IMSUM(*inumbers: Any) -> str:
    """Returns the sum of complex numbers.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("IMSUM", "3+4i", "5-3i"), str(xlcall("IMSUM", "1+i", "1+j"))
    ('8+i', '#VALUE!')
    """
    zs, s = _operands(inumbers)
    total = 0j
    for z in zs:
        total += z
    return format_complex(total, s)


@xlfunction("IMPRODUCT", "any*")
def IMPRODUCT(*inumbers: Any) -> str:
    """Returns the product of from 1 to 255 complex numbers.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("IMPRODUCT", "3+4i", "5-3i"), xlcall("IMPRODUCT", "1+2i", 30.0)
    ('27+11i', '30+60i')
    """
    zs, s = _operands(inumbers)
    prod = complex(1.0, 0.0)
    for z in zs:
        prod = _mul(prod, z)
    return format_complex(prod, s)


def _pair(a: Any, b: Any) -> tuple[complex, complex, str | None]:
    za, sa = parse_complex(a)
    zb, sb = parse_complex(b)
    return za, zb, _suffix([sa, sb], NUM)


@xlfunction("IMSUB", "any, any")
@atp("v, v")
def IMSUB(inumber1: Any, inumber2: Any) -> str:
    """Returns the difference between two complex numbers.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("IMSUB", "13+4i", "5+3i")
    '8+i'
    """
    a, b, s = _pair(inumber1, inumber2)
    return format_complex(a - b, s)


@xlfunction("IMDIV", "any, any")
@atp("v, v")
def IMDIV(inumber1: Any, inumber2: Any) -> str:
    """Returns the quotient of two complex numbers (``#NUM!`` when dividing by 0).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("IMDIV", "-238+240i", "10+24i")
    '5+12i'
    """
    a, b, s = _pair(inumber1, inumber2)
    return format_complex(_div(a, b), s)


@xlfunction("IMPOWER", "any, any")
@atp("v, n")
def IMPOWER(inumber: Any, number: float) -> str:
    """Returns a complex number raised to a power.

    Notes
    -----
    De Moivre: rⁿ(cos nθ + i sin nθ) with r = |z|, θ = arg z; 0 to a positive power is 0,
    to a power ≤ 0 ``#NUM!``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("IMPOWER", "2+3i", 3.0)
    '-46+9.00000000000001i'
    """
    z, s = parse_complex(inumber)
    if z == 0:
        if number > 0:
            return "0"
        raise XLFail(NUM, "0 to a power of 0 or less")
    r = math.hypot(z.real, z.imag) ** number
    t = math.atan2(z.imag, z.real) * number
    return format_complex(complex(r * math.cos(t), r * math.sin(t)), s)


@xlfunction("IMSQRT", "any")
@atp("v")
def IMSQRT(inumber: Any) -> str:
    """Returns the square root of a complex number, √r (cos θ/2 + i sin θ/2)."""
    z, s = parse_complex(inumber)
    if z == 0:
        return "0"
    r = math.sqrt(math.hypot(z.real, z.imag))
    t = math.atan2(z.imag, z.real) / 2.0
    return format_complex(complex(r * math.cos(t), r * math.sin(t)), s)


# --- exponential and logarithms ---------------------------------------------------------


@xlfunction("IMEXP", "any")
@atp("v")
def IMEXP(inumber: Any) -> str:
    """Returns the exponential of a complex number, eˣ(cos y + i sin y)."""
    z, s = parse_complex(inumber)
    e = math.exp(z.real)
    return format_complex(complex(e * math.cos(z.imag), e * math.sin(z.imag)), s)


def _ln(z: complex) -> complex:
    if z == 0:
        raise XLFail(NUM, "the logarithm of 0")
    return complex(math.log(math.hypot(z.real, z.imag)), math.atan2(z.imag, z.real))


@xlfunction("IMLN", "any")
@atp("v")
def IMLN(inumber: Any) -> str:
    """Returns the natural logarithm of a complex number, ln r + iθ (``#NUM!`` for 0)."""
    z, s = parse_complex(inumber)
    return format_complex(_ln(z), s)


@xlfunction("IMLOG10", "any")
@atp("v")
def IMLOG10(inumber: Any) -> str:
    """Returns the base-10 logarithm of a complex number, ln z / ln 10."""
    z, s = parse_complex(inumber)
    w = _ln(z)
    return format_complex(complex(w.real / math.log(10.0), w.imag / math.log(10.0)), s)


@xlfunction("IMLOG2", "any")
@atp("v")
def IMLOG2(inumber: Any) -> str:
    """Returns the base-2 logarithm of a complex number, ln z / ln 2."""
    z, s = parse_complex(inumber)
    w = _ln(z)
    return format_complex(complex(w.real / math.log(2.0), w.imag / math.log(2.0)), s)


# --- trigonometric and hyperbolic -------------------------------------------------------


def _sin(z: complex) -> complex:
    x, y = z.real, z.imag
    return complex(math.sin(x) * math.cosh(y), math.cos(x) * math.sinh(y))


def _cos(z: complex) -> complex:
    x, y = z.real, z.imag
    return complex(math.cos(x) * math.cosh(y), -math.sin(x) * math.sinh(y))


def _sinh(z: complex) -> complex:
    x, y = z.real, z.imag
    return complex(math.sinh(x) * math.cos(y), math.cosh(x) * math.sin(y))


def _cosh(z: complex) -> complex:
    x, y = z.real, z.imag
    return complex(math.cosh(x) * math.cos(y), math.sinh(x) * math.sin(y))


def _unary(inumber: Any, fn: Any) -> str:
    z, s = parse_complex(inumber)
    return format_complex(fn(z), s)


@xlfunction("IMSIN", "any")
@atp("v")
def IMSIN(inumber: Any) -> str:
    """Returns the sine of a complex number, sin x cosh y + i cos x sinh y."""
    return _unary(inumber, _sin)


@xlfunction("IMCOS", "any")
@atp("v")
def IMCOS(inumber: Any) -> str:
    """Returns the cosine of a complex number, cos x cosh y − i sin x sinh y."""
    return _unary(inumber, _cos)


@xlfunction("IMTAN", "any")
@atp("v")
def IMTAN(inumber: Any) -> str:
    """Returns the tangent of a complex number.

    Notes
    -----
    (sin 2x + i sinh 2y) / (cos 2x + cosh 2y), which keeps the tiny real part of
    ``IMTAN("7+25i")`` exact where sin z / cos z would cancel it away.
    """
    def tan(z: complex) -> complex:
        x2, y2 = 2.0 * z.real, 2.0 * z.imag
        den = math.cos(x2) + math.cosh(y2)
        if den == 0:
            raise XLFail(NUM)
        return complex(math.sin(x2) / den, math.sinh(y2) / den)

    return _unary(inumber, tan)


@xlfunction("IMCOT", "any")
@atp("v")
def IMCOT(inumber: Any) -> str:
    """Returns the cotangent of a complex number (``#NUM!`` for 0).

    Notes
    -----
    (sin 2x − i sinh 2y) / (cosh 2y − cos 2x).
    """
    def cot(z: complex) -> complex:
        x2, y2 = 2.0 * z.real, 2.0 * z.imag
        den = math.cosh(y2) - math.cos(x2)
        if den == 0:
            raise XLFail(NUM, "the cotangent of 0")
        return complex(math.sin(x2) / den, -math.sinh(y2) / den)

    return _unary(inumber, cot)


def _ratio(num_re: float, num_im: float, den: float) -> complex:
    if den == 0:
        raise XLFail(NUM, "a pole of the function")
    return complex(num_re / den, num_im / den)


@xlfunction("IMSEC", "any")
@atp("v")
def IMSEC(inumber: Any) -> str:
    """Returns the secant of a complex number.

    Notes
    -----
    1 / cos z written as (2 cos x cosh y + 2i sin x sinh y) / (cos 2x + cosh 2y), the
    form whose last digits agree with Excel's (as for IMCSC, IMSECH, IMCSCH).
    """
    def sec(z: complex) -> complex:
        x, y = z.real, z.imag
        return _ratio(2 * math.cos(x) * math.cosh(y), 2 * math.sin(x) * math.sinh(y),
                           math.cos(2 * x) + math.cosh(2 * y))

    return _unary(inumber, sec)


@xlfunction("IMCSC", "any")
@atp("v")
def IMCSC(inumber: Any) -> str:
    """Returns the cosecant of a complex number (``#NUM!`` for 0).

    Notes
    -----
    (2 sin x cosh y − 2i cos x sinh y) / (cosh 2y − cos 2x).
    """
    def csc(z: complex) -> complex:
        x, y = z.real, z.imag
        return _ratio(2 * math.sin(x) * math.cosh(y), -2 * math.cos(x) * math.sinh(y),
                           math.cosh(2 * y) - math.cos(2 * x))

    return _unary(inumber, csc)


@xlfunction("IMSINH", "any")
@atp("v")
def IMSINH(inumber: Any) -> str:
    """Returns the hyperbolic sine of a complex number, sinh x cos y + i cosh x sin y."""
    return _unary(inumber, _sinh)


@xlfunction("IMCOSH", "any")
@atp("v")
def IMCOSH(inumber: Any) -> str:
    """Returns the hyperbolic cosine of a complex number, cosh x cos y + i sinh x sin y."""
    return _unary(inumber, _cosh)


@xlfunction("IMSECH", "any")
@atp("v")
def IMSECH(inumber: Any) -> str:
    """Returns the hyperbolic secant of a complex number.

    Notes
    -----
    (2 cosh x cos y − 2i sinh x sin y) / (cosh 2x + cos 2y).
    """
    def sech(z: complex) -> complex:
        x, y = z.real, z.imag
        return _ratio(2 * math.cosh(x) * math.cos(y), -2 * math.sinh(x) * math.sin(y),
                           math.cosh(2 * x) + math.cos(2 * y))

    return _unary(inumber, sech)


@xlfunction("IMCSCH", "any")
@atp("v")
def IMCSCH(inumber: Any) -> str:
    """Returns the hyperbolic cosecant of a complex number (``#NUM!`` for 0).

    Notes
    -----
    (2 sinh x cos y − 2i cosh x sin y) / (cosh 2x − cos 2y).
    """
    def csch(z: complex) -> complex:
        x, y = z.real, z.imag
        return _ratio(2 * math.sinh(x) * math.cos(y), -2 * math.cosh(x) * math.sin(y),
                           math.cosh(2 * x) - math.cos(2 * y))

    return _unary(inumber, csch)
