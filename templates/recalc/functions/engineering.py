"""Engineering functions: number bases, bit operations, DELTA/GESTEP, ERF, Bessel functions.

(CONVERT is in :mod:`.convert`, COMPLEX and the IM… functions in :mod:`.complex`.)

Most of these began in the Analysis ToolPak and read their arguments its way
(:mod:`._atp`): a logical is ``#VALUE!``, a multi-cell range is ``#VALUE!`` even in an
array formula, text that reads as a number is that number. The BIT… functions are
Excel 2013 built-ins and take numbers as any built-in function does.

Number bases follow Excel exactly: results are at most 10 digits, negative numbers are
10-digit two's complement (``DEC2BIN(-1)`` is ``"1111111111"``), and ``places`` pads a
non-negative result with zeros (it is ignored for a negative one).
"""

from __future__ import annotations

import math

from templates.recalc.functions._atp import atp, atp_number
from templates.recalc.registry import xlfunction
from templates.recalc.values import NUM, VALUE, XLFail, number_text

__all__: list[str] = []

# --- number bases -----------------------------------------------------------------------

_DIGITS = "0123456789ABCDEF"
_NAMES = {2: "BIN", 8: "OCT", 10: "DEC", 16: "HEX"}


def _places(places: float | None) -> int | None:
    """``places`` truncated; ``#NUM!`` outside 1‥10 (checked before the number is read,
    as Excel does: ``DEC2BIN("E",0)`` is ``#NUM!``, ``DEC2BIN("E",1)`` ``#VALUE!``)."""
    if places is None:
        return None
    p = math.trunc(places)
    if not 1 <= p <= 10:
        raise XLFail(NUM, f"places {places!r} is not between 1 and 10")
    return p


def _read_digits(v: object, base: int) -> int:
    """A BIN/OCT/HEX argument as an integer: text or a number (read as its digits), at most
    10 digits, the 10th digit's top bit the sign (two's complement)."""
    t = type(v)
    if t is bool:
        raise XLFail(VALUE, "a logical is not a number")
    if v is None:
        text = ""
    elif t is float:
        text = number_text(v)
    elif t is str:
        text = v
    else:
        raise XLFail(VALUE)
    if text == "":
        return 0
    if len(text) > 10:
        raise XLFail(NUM, f"{text!r} has more than 10 digits")
    valid = _DIGITS[:base]
    if any(ch.upper() not in valid for ch in text):
        raise XLFail(NUM, f"{text!r} is not a base-{base} number")
    n = int(text, base)
    full = base ** 10
    if len(text) == 10 and n >= full // 2:
        n -= full
    return n


def _write_digits(n: int, base: int, places: int | None) -> str:
    """``n`` in ``base``, Excel's way: ``#NUM!`` outside the 10-digit two's complement
    range, negatives as 10 digits, non-negatives padded to ``places``."""
    full = base ** 10
    if not -full // 2 <= n < full // 2:
        raise XLFail(NUM, f"{n} does not fit in 10 {_NAMES[base]} digits")
    if n < 0:
        n += full
        places = None  # Excel ignores places for a negative number
    digits = ""
    while True:
        n, d = divmod(n, base)
        digits = _DIGITS[d] + digits
        if n == 0:
            break
    if places is not None:
        if len(digits) > places:
            raise XLFail(NUM, f"{digits} needs more than {places} places")
        digits = digits.rjust(places, "0")
    return digits


def _from_decimal(v: object, base: int, places: float | None) -> str:
    p = _places(places)
    x = atp_number(v)
    if not math.isfinite(x) or abs(x) >= 2.0 ** 53:
        raise XLFail(NUM)
    return _write_digits(math.trunc(x), base, p)


def _convert(v: object, src: int, dst: int, places: float | None) -> str:
    p = _places(places)
    return _write_digits(_read_digits(v, src), dst, p)


@xlfunction("DEC2BIN", "any, any?")
@atp("v, n")
def DEC2BIN(number: object, places: float | None = None) -> str:
    """Converts a decimal number to binary.

    Notes
    -----
    ``number`` is truncated and must be in -512‥511 (``#NUM!`` otherwise); a negative
    number is 10-digit two's complement.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("DEC2BIN", 9.0, 4.0), xlcall("DEC2BIN", -100.0)
    ('1001', '1110011100')
    """
    return _from_decimal(number, 2, places)


@xlfunction("DEC2OCT", "any, any?")
@atp("v, n")
def DEC2OCT(number: object, places: float | None = None) -> str:
    """Converts a decimal number to octal (``number`` in -536870912‥536870911).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("DEC2OCT", 58.0, 3.0), xlcall("DEC2OCT", -100.0)
    ('072', '7777777634')
    """
    return _from_decimal(number, 8, places)


@xlfunction("DEC2HEX", "any, any?")
@atp("v, n")
def DEC2HEX(number: object, places: float | None = None) -> str:
    """Converts a decimal number to hexadecimal (``number`` in -549755813888‥549755813887).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("DEC2HEX", 100.0, 4.0), xlcall("DEC2HEX", -54.0)
    ('0064', 'FFFFFFFFCA')
    """
    return _from_decimal(number, 16, places)


@xlfunction("BIN2DEC", "any")
@atp("v")
def BIN2DEC(number: object) -> float:
    """Converts a binary number to decimal.

    Notes
    -----
    ``number`` is text or a number of at most 10 binary digits (``#NUM!`` otherwise); the
    10th digit is the sign. An empty cell or ``""`` is 0.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("BIN2DEC", 1100100.0), xlcall("BIN2DEC", "1111111111")
    (100.0, -1.0)
    """
    return float(_read_digits(number, 2))


@xlfunction("BIN2OCT", "any, any?")
@atp("v, n")
def BIN2OCT(number: object, places: float | None = None) -> str:
    """Converts a binary number to octal."""
    return _convert(number, 2, 8, places)


@xlfunction("BIN2HEX", "any, any?")
@atp("v, n")
def BIN2HEX(number: object, places: float | None = None) -> str:
    """Converts a binary number to hexadecimal."""
    return _convert(number, 2, 16, places)


@xlfunction("OCT2BIN", "any, any?")
@atp("v, n")
def OCT2BIN(number: object, places: float | None = None) -> str:
    """Converts an octal number to binary (``#NUM!`` outside -512‥511)."""
    return _convert(number, 8, 2, places)


@xlfunction("OCT2DEC", "any")
@atp("v")
def OCT2DEC(number: object) -> float:
    """Converts an octal number to decimal (at most 10 octal digits, the 10th the sign)."""
    return float(_read_digits(number, 8))


@xlfunction("OCT2HEX", "any, any?")
@atp("v, n")
def OCT2HEX(number: object, places: float | None = None) -> str:
    """Converts an octal number to hexadecimal."""
    return _convert(number, 8, 16, places)


@xlfunction("HEX2BIN", "any, any?")
@atp("v, n")
def HEX2BIN(number: object, places: float | None = None) -> str:
    """Converts a hexadecimal number to binary (``#NUM!`` outside -512‥511)."""
    return _convert(number, 16, 2, places)


@xlfunction("HEX2DEC", "any")
@atp("v")
def HEX2DEC(number: object) -> float:
    """Converts a hexadecimal number to decimal.

    Notes
    -----
    Upper- or lower-case digits; text that is not hexadecimal is ``#NUM!``. A number
    argument is read as its decimal digits (``HEX2DEC(10)`` is 16).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("HEX2DEC", "A5"), xlcall("HEX2DEC", "FFFFFFFF5B"), str(xlcall("HEX2DEC", "xyz"))
    (165.0, -165.0, '#NUM!')
    """
    return float(_read_digits(number, 16))


@xlfunction("HEX2OCT", "any, any?")
@atp("v, n")
def HEX2OCT(number: object, places: float | None = None) -> str:
    """Converts a hexadecimal number to octal (``#NUM!`` outside -536870912‥536870911)."""
    return _convert(number, 16, 8, places)


# --- bit operations ----------------------------------------------------------------------

_BIT_LIMIT = 2 ** 48


def _bits(x: float) -> int:
    """A BIT… operand: a whole number in 0‥2^48-1, ``#NUM!`` otherwise."""
    if not (0 <= x < _BIT_LIMIT) or x != math.floor(x):
        raise XLFail(NUM, f"{x!r} is not a whole number in 0..2^48-1")
    return int(x)


@xlfunction("BITAND", "number, number")
def BITAND(a: float, b: float) -> float:
    """Returns a 'Bitwise And' of two numbers (whole numbers in 0‥2^48-1, else ``#NUM!``).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("BITAND", 13.0, 25.0), str(xlcall("BITAND", 2.5, 1.0))
    (9.0, '#NUM!')
    """
    return float(_bits(a) & _bits(b))


@xlfunction("BITOR", "number, number")
def BITOR(a: float, b: float) -> float:
    """Returns a bitwise OR of two numbers."""
    return float(_bits(a) | _bits(b))


@xlfunction("BITXOR", "number, number")
def BITXOR(a: float, b: float) -> float:
    """Returns a bitwise 'Exclusive Or' of two numbers."""
    return float(_bits(a) ^ _bits(b))


def _shift(number: float, shift: float) -> float:
    n = _bits(number)
    s = math.trunc(shift)
    if abs(s) > 53:
        raise XLFail(NUM, f"shift {shift!r} is more than 53")
    r = n << s if s >= 0 else n >> -s
    if r >= _BIT_LIMIT:
        raise XLFail(NUM, "the result is 2^48 or more")
    return float(r)


@xlfunction("BITLSHIFT", "number, number")
def BITLSHIFT(number: float, shift_amount: float) -> float:
    """Returns a value number shifted left by shift_amount bits.

    Notes
    -----
    ``shift_amount`` is truncated, negative shifts right, ``#NUM!`` beyond ±53 or when the
    result reaches 2^48.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("BITLSHIFT", 4.0, 2.0), xlcall("BITLSHIFT", 99.0, -1.0)
    (16.0, 49.0)
    """
    return _shift(number, shift_amount)


@xlfunction("BITRSHIFT", "number, number")
def BITRSHIFT(number: float, shift_amount: float) -> float:
    """Returns a value number shifted right by shift_amount bits."""
    return _shift(number, -math.trunc(shift_amount))


# --- DELTA, GESTEP, ERF ------------------------------------------------------------------


@xlfunction("DELTA", "any, any?")
@atp("n, n")
def DELTA(number1: float, number2: float = 0.0) -> float:
    """Tests whether two values are equal (1 if they are, else 0)."""
    return 1.0 if number1 == number2 else 0.0


@xlfunction("GESTEP", "any, any?")
@atp("n, n")
def GESTEP(number: float, step: float = 0.0) -> float:
    """Tests whether a number is greater than or equal to a threshold value (1 or 0)."""
    return 1.0 if number >= step else 0.0


@xlfunction("ERF", "any, any?")
@atp("n, n")
def ERF(lower_limit: float, upper_limit: float | None = None) -> float:
    """Returns the error function (integrated from 0, or between two limits).

    Notes
    -----
    ``ERF(a)`` is erf(a) = 2/√π ∫₀ᵃ e^(−t²) dt; ``ERF(a, b)`` is erf(b) − erf(a).
    Negative limits are allowed (Excel 2010 and later).
    """
    if upper_limit is None:
        return math.erf(lower_limit)
    return math.erf(upper_limit) - math.erf(lower_limit)


@xlfunction("ERF.PRECISE", "any")
@atp("n")
def ERF_PRECISE(x: float) -> float:
    """Returns the error function."""
    return math.erf(x)


@xlfunction("ERFC", "any")
@atp("n")
def ERFC(x: float) -> float:
    """Returns the complementary error function, 1 − erf(x)."""
    return math.erfc(x)


@xlfunction("ERFC.PRECISE", "any")
@atp("n")
def ERFC_PRECISE(x: float) -> float:
    """Returns the complementary ERF function integrated between x and infinity."""
    return math.erfc(x)


# --- Bessel functions --------------------------------------------------------------------
#
# Excel's values agree with the classic polynomial and rational approximations (Abramowitz
# & Stegun 9.4, 9.8; Hart's rational forms for J0, J1, Y0, Y1) combined by recurrence:
# Miller's downward recurrence for I_n and for J_n when n > x, upward recurrence otherwise.
# Reproducing them gives Excel's results to the last digit (``BESSELJ(1,0)`` is
# 0.7651976837548592 where the exact value is 0.76519768655796…), so they are used here
# rather than scipy's exact functions.

_TWO_OVER_PI = 0.636619772


def _poly(x: float, coeffs: tuple[float, ...]) -> float:
    r = 0.0
    for c in reversed(coeffs):
        r = r * x + c
    return r


_J0_P = (57568490574.0, -13362590354.0, 651619640.7, -11214424.18, 77392.33017,
         -184.9052456)
_J0_Q = (57568490411.0, 1029532985.0, 9494680.718, 59272.64853, 267.8532712, 1.0)
_J1_P = (72362614232.0, -7895059235.0, 242396853.1, -2972611.439, 15704.48260,
         -30.16036606)
_J1_Q = (144725228442.0, 2300535178.0, 18583304.74, 99447.43394, 376.9991397, 1.0)
_Y0_P = (-2957821389.0, 7062834065.0, -512359803.6, 10879881.29, -86327.92757,
         228.4622733)
_Y0_Q = (40076544269.0, 745249964.8, 7189466.438, 47447.26470, 226.1030244, 1.0)
_Y1_P = (-0.4900604943e13, 0.1275274390e13, -0.5153438139e11, 0.7349264551e9,
         -0.4237922726e7, 0.8511937935e4)
_Y1_Q = (0.2499580570e14, 0.4244419664e12, 0.3733650367e10, 0.2245904002e8,
         0.1020426050e6, 0.3549632885e3, 1.0)
# asymptotic amplitude/phase series for x >= 8 (order 0 and 1)
_A0_P = (1.0, -0.1098628627e-2, 0.2734510407e-4, -0.2073370639e-5, 0.2093887211e-6)
_A0_Q = (-0.1562499995e-1, 0.1430488765e-3, -0.6911147651e-5, 0.7621095161e-6,
         -0.934935152e-7)
_A1_P = (1.0, 0.183105e-2, -0.3516396496e-4, 0.2457520174e-5, -0.240337019e-6)
_A1_Q = (0.04687499995, -0.2002690873e-3, 0.8449199096e-5, -0.88228987e-6,
         0.105787412e-6)


def _asym(ax: float, order: int) -> tuple[float, float, float]:
    """(8/x, P, Q) of the large-x forms of J and Y of order 0 or 1."""
    z = 8.0 / ax
    y = z * z
    p, q = (_A0_P, _A0_Q) if order == 0 else (_A1_P, _A1_Q)
    return z, _poly(y, p), _poly(y, q)


def _j0(x: float) -> float:
    ax = abs(x)
    if ax < 8.0:
        y = x * x
        return _poly(y, _J0_P) / _poly(y, _J0_Q)
    z, p, q = _asym(ax, 0)
    xx = ax - 0.785398164
    return math.sqrt(_TWO_OVER_PI / ax) * (math.cos(xx) * p - z * math.sin(xx) * q)


def _j1(x: float) -> float:
    ax = abs(x)
    if ax < 8.0:
        y = x * x
        return x * _poly(y, _J1_P) / _poly(y, _J1_Q)
    z, p, q = _asym(ax, 1)
    xx = ax - 2.356194491
    r = math.sqrt(_TWO_OVER_PI / ax) * (math.cos(xx) * p - z * math.sin(xx) * q)
    return -r if x < 0 else r


def _y0(x: float) -> float:
    if x < 8.0:
        y = x * x
        return _poly(y, _Y0_P) / _poly(y, _Y0_Q) + _TWO_OVER_PI * _j0(x) * math.log(x)
    z, p, q = _asym(x, 0)
    xx = x - 0.785398164
    return math.sqrt(_TWO_OVER_PI / x) * (math.sin(xx) * p + z * math.cos(xx) * q)


def _y1(x: float) -> float:
    if x < 8.0:
        y = x * x
        return (x * _poly(y, _Y1_P) / _poly(y, _Y1_Q)
                + _TWO_OVER_PI * (_j1(x) * math.log(x) - 1.0 / x))
    z, p, q = _asym(x, 1)
    xx = x - 2.356194491
    return math.sqrt(_TWO_OVER_PI / x) * (math.sin(xx) * p + z * math.cos(xx) * q)


_I0_SMALL = (1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2)
_I0_LARGE = (0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2,
             -0.2057706e-1, 0.2635537e-1, -0.1647633e-1, 0.392377e-2)
_I1_SMALL = (0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2,
             0.32411e-3)
_I1_LARGE = (0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1,
             0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2)
_K0_SMALL = (-0.57721566, 0.42278420, 0.23069756, 0.3488590e-1, 0.262698e-2, 0.10750e-3,
             0.74e-5)
_K0_LARGE = (1.25331414, -0.7832358e-1, 0.2189568e-1, -0.1062446e-1, 0.587872e-2,
             -0.251540e-2, 0.53208e-3)
_K1_SMALL = (1.0, 0.15443144, -0.67278579, -0.18156897, -0.1919402e-1, -0.110404e-2,
             -0.4686e-4)
_K1_LARGE = (1.25331414, 0.23498619, -0.3655620e-1, 0.1504268e-1, -0.780353e-2,
             0.325614e-2, -0.68245e-3)


def _i0(x: float) -> float:
    ax = abs(x)
    if ax < 3.75:
        return _poly((x / 3.75) ** 2, _I0_SMALL)
    return math.exp(ax) / math.sqrt(ax) * _poly(3.75 / ax, _I0_LARGE)


def _i1(x: float) -> float:
    ax = abs(x)
    if ax < 3.75:
        r = ax * _poly((x / 3.75) ** 2, _I1_SMALL)
    else:
        r = math.exp(ax) / math.sqrt(ax) * _poly(3.75 / ax, _I1_LARGE)
    return -r if x < 0 else r


def _k0(x: float) -> float:
    if x <= 2.0:
        return -math.log(x / 2.0) * _i0(x) + _poly(x * x / 4.0, _K0_SMALL)
    return math.exp(-x) / math.sqrt(x) * _poly(2.0 / x, _K0_LARGE)


def _k1(x: float) -> float:
    if x <= 2.0:
        return math.log(x / 2.0) * _i1(x) + (1.0 / x) * _poly(x * x / 4.0, _K1_SMALL)
    return math.exp(-x) / math.sqrt(x) * _poly(2.0 / x, _K1_LARGE)


_ACC = 40.0  # Miller recurrence start: n + sqrt(ACC * n) terms above n
_BIG = 1.0e10
_SMALL = 1.0e-10


def _underflows(x: float, n: int) -> bool:
    """Whether |J_n(x)|, I_n(x) ≤ (|x|/2)^n / n! · e^(x²/4) is far below the smallest
    double, so that recurring over millions of terms would only compute 0."""
    ax = abs(x)
    if ax == 0.0:
        return True
    log_bound = n * math.log(ax / 2.0) - math.lgamma(n + 1.0) + ax * ax / 4.0
    return n > 1000 and log_bound < -800.0


def _jn(x: float, n: int) -> float:
    if n == 0:
        return _j0(x)
    if n == 1:
        return _j1(x)
    ax = abs(x)
    if ax == 0.0 or _underflows(x, n):
        return 0.0
    tox = 2.0 / ax
    if ax > n:
        bjm, bj = _j0(ax), _j1(ax)
        for j in range(1, n):
            bjm, bj = bj, j * tox * bj - bjm
        ans = bj
    else:
        m = 2 * ((n + int(math.sqrt(_ACC * n))) // 2)
        even = False
        bjp = ans = total = 0.0
        bj = 1.0
        for j in range(m, 0, -1):
            bjm = j * tox * bj - bjp
            bjp, bj = bj, bjm
            if abs(bj) > _BIG:
                bj *= _SMALL
                bjp *= _SMALL
                ans *= _SMALL
                total *= _SMALL
            if even:
                total += bj
            even = not even
            if j == n:
                ans = bjp
        total = 2.0 * total - bj
        ans /= total
    return -ans if x < 0 and n & 1 else ans


def _in(x: float, n: int) -> float:
    if n == 0:
        return _i0(x)
    if n == 1:
        return _i1(x)
    if x == 0.0 or _underflows(x, n):
        return 0.0
    tox = 2.0 / abs(x)
    bip = ans = 0.0
    bi = 1.0
    for j in range(2 * (n + int(math.sqrt(_ACC * n))), 0, -1):
        bim = bip + j * tox * bi
        bip, bi = bi, bim
        if abs(bi) > _BIG:
            ans *= _SMALL
            bi *= _SMALL
            bip *= _SMALL
        if j == n:
            ans = bip
    ans *= _i0(x) / bi
    return -ans if x < 0 and n & 1 else ans


def _kn(x: float, n: int) -> float:
    bkm, bk = _k0(x), _k1(x)
    if n == 0:
        return bkm
    tox = 2.0 / x
    for j in range(1, n):
        bkm, bk = bk, bkm + j * tox * bk
        if math.isinf(bk):
            raise XLFail(NUM, "BESSELK overflows")
    return bk


def _yn(x: float, n: int) -> float:
    bym, by = _y0(x), _y1(x)
    if n == 0:
        return bym
    tox = 2.0 / x
    for j in range(1, n):
        bym, by = by, j * tox * by - bym
        if math.isinf(by):
            raise XLFail(NUM, "BESSELY overflows")
    return by


def _order(n: float) -> int:
    k = math.trunc(n)
    if k < 0:
        raise XLFail(NUM, f"order {n!r} is negative")
    return k


@xlfunction("BESSELI", "any, any")
@atp("n, n")
def BESSELI(x: float, n: float) -> float:
    """Returns the modified Bessel function In(x).

    Notes
    -----
    ``n`` is truncated; ``#NUM!`` for a negative order or when the value overflows.
    Computed as Excel does (polynomial approximations of I0, I1 and Miller's recurrence,
    about 8 significant digits of the exact function).
    """
    return _in(x, _order(n))


@xlfunction("BESSELJ", "any, any")
@atp("n, n")
def BESSELJ(x: float, n: float) -> float:
    """Returns the Bessel function Jn(x) (``n`` truncated, ``#NUM!`` if negative)."""
    return _jn(x, _order(n))


@xlfunction("BESSELK", "any, any")
@atp("n, n")
def BESSELK(x: float, n: float) -> float:
    """Returns the modified Bessel function Kn(x) (``#NUM!`` for x ≤ 0 or n < 0)."""
    k = _order(n)
    if x <= 0:
        raise XLFail(NUM, "BESSELK needs x > 0")
    return _kn(x, k)


@xlfunction("BESSELY", "any, any")
@atp("n, n")
def BESSELY(x: float, n: float) -> float:
    """Returns the Bessel function Yn(x) (``#NUM!`` for x ≤ 0 or n < 0)."""
    k = _order(n)
    if x <= 0:
        raise XLFail(NUM, "BESSELY needs x > 0")
    return _yn(x, k)
