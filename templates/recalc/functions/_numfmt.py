"""Excel number-format codes: how a value looks in a cell and what ``TEXT`` returns.

A format code has up to four ``;``-separated sections — positive; negative; zero; text —
and each section is a sequence of

* digit placeholders ``0`` (always a digit), ``#`` (only significant digits) and ``?``
  (a space for an insignificant digit), a decimal point ``.``, ``,`` as thousands separator
  (between placeholders) or as scaling by 1000 (after the last placeholder), ``%``
  (times 100), ``E+``/``E-`` scientific notation, ``?/?`` fractions;
* date and time codes ``yy yyyy m mm mmm mmmm mmmmm d dd ddd dddd h hh m mm s ss``,
  ``AM/PM`` ``A/P``, elapsed ``[h] [m] [s]`` and fractional seconds ``ss.000``
  (``m`` is minutes after an hour or before seconds, months otherwise);
* ``@`` (the text itself, text section only), ``General``;
* literals: ``"quoted text"``, ``\\x``, ``_x`` (a space as wide as ``x``), ``*x`` (fill:
  dropped, as ``TEXT`` drops it), and characters without a meaning (``$ - + ( ) : space``
  and letters that are not codes);
* bracketed ``[Red]``/``[ColorN]`` colours, ``[>=100]`` conditions, ``[$€-407]`` currency
  and locale tags (the symbol is kept, the locale ignored).

Excel's rules that are easy to get wrong, all checked against Excel's own results
(pycel_text.xlsx, formulas_test.xlsx):

* With one numeric section a negative number gets a leading ``-``; the second section
  shows the absolute value (``'w;x'`` shows ``x`` for -1, ``'w'`` shows ``-w``).
* The section holding ``@`` is the text section; it must be the last one and must not
  hold number or date codes; a fourth section is the text section even without ``@``;
  with no text section text is returned unchanged.
* Digits left over for the integer part go to the leftmost placeholder with the
  thousands separators already in them (``'#x,0,#'`` shows 890123 as ``890,1x,23``);
  a comma right after a placeholder but not between two is dropped; a comma after a
  literal is a literal; only the first ``.`` is the decimal point.
* Number and date codes in one section are an error (``#VALUE!`` from ``TEXT``); so is a
  date or time of a negative number or after 9999-12-31, except elapsed-time codes alone.

Rounding is half away from zero on the number's 15 significant digits (Excel's
precision), so ``TEXT(2.675, "0.00")`` is ``2.68`` as in Excel.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

from templates.recalc.values import VALUE, ExcelError, XLFail

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["color_of", "format_value", "general_text", "is_date_format"]

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_COLORS = {"black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"}
_COND_RE = re.compile(r"^(<=|>=|<>|<|>|=)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$")
_ELAPSED_RE = re.compile(r"^(h+|m+|s+)$", re.I)
_MAX_SERIAL = 2958466  # first serial after 9999-12-31
_CTX = Context(prec=400)


class _Invalid(Exception):  # noqa: N818 - a refused code, not a failure of ours
    """The format code is not one Excel accepts (TEXT answers #VALUE!)."""


# --- parsing --------------------------------------------------------------------------


def _split_sections(code: str) -> list[str]:
    out, cur, i, n = [], [], 0, len(code)
    while i < n:
        ch = code[i]
        if ch == '"':
            j = code.find('"', i + 1)
            j = n - 1 if j < 0 else j
            cur.append(code[i:j + 1])
            i = j + 1
        elif ch in "\\_*" and i + 1 < n:
            cur.append(code[i:i + 2])
            i += 2
        elif ch == "[":
            j = code.find("]", i)
            j = n - 1 if j < 0 else j
            cur.append(code[i:j + 1])
            i = j + 1
        elif ch == ";":
            out.append("".join(cur))
            cur = []
            i += 1
        else:
            cur.append(ch)
            i += 1
    out.append("".join(cur))
    return out


class _Section:
    __slots__ = ("color", "cond", "kind", "plan", "tokens")

    def __init__(self) -> None:
        self.tokens: list[tuple] = []
        self.cond: tuple[str, float] | None = None
        self.color: str | None = None
        self.kind = "literal"  # literal | number | date | text | general
        self.plan: Any = None


def _scan(text: str, sec: _Section) -> None:
    toks: list[tuple] = []

    def lit(s: str) -> None:
        if toks and toks[-1][0] == "lit":
            toks[-1] = ("lit", toks[-1][1] + s)
        else:
            toks.append(("lit", s))

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        lo = ch.lower()
        if ch == '"':
            j = text.find('"', i + 1)
            if j < 0:
                raise _Invalid("unterminated quote")
            lit(text[i + 1:j])
            i = j + 1
        elif ch == "\\":
            if i + 1 >= n:
                raise _Invalid("\\ at the end")
            lit(text[i + 1])
            i += 2
        elif ch == "_":
            if i + 1 >= n:
                raise _Invalid("_ at the end")
            lit(" ")
            i += 2
        elif ch == "*":
            if i + 1 >= n:
                raise _Invalid("* at the end")
            i += 2  # a fill character: TEXT has no cell width to fill
        elif ch == "[":
            j = text.find("]", i)
            if j < 0:
                raise _Invalid("unterminated [")
            body = text[i + 1:j]
            i = j + 1
            if _ELAPSED_RE.match(body):
                toks.append(("elapsed", body[0].lower(), len(body)))
            elif body.startswith("$"):
                sym = body[1:].split("-", 1)[0]
                if sym:
                    lit(sym)
            elif body.lower() in _COLORS or re.fullmatch(r"(?i)color\s*\d{1,2}", body):
                sec.color = body
            else:
                m = _COND_RE.match(body.strip())
                if m:
                    sec.cond = (m.group(1), float(m.group(2)))
                # other tags ([DBNum1], [natnum1] …) change digits in other locales only
        elif text[i:i + 7].lower() == "general":
            toks.append(("general",))
            i += 7
        elif ch in "0#?":
            toks.append(("digit", ch))
            i += 1
        elif ch == ".":
            toks.append(("point",))
            i += 1
        elif ch == ",":
            toks.append(("comma",))
            i += 1
        elif ch == "%":
            toks.append(("pct",))
            i += 1
        elif lo == "e" and i + 1 < n and text[i + 1] in "+-":
            toks.append(("exp", text[i + 1]))
            i += 2
        elif ch == "/":
            toks.append(("slash",))
            i += 1
        elif ch == "@":
            toks.append(("at",))
            i += 1
        elif text[i:i + 5].lower() == "am/pm":
            toks.append(("ampm", "AM", "PM"))
            i += 5
        elif text[i:i + 3].lower() == "a/p":
            toks.append(("ampm", text[i], text[i + 2]))
            i += 3
        elif lo in "ymdhs":
            j = i
            while j < n and text[j].lower() == lo:
                j += 1
            toks.append(("date", lo, j - i))
            i = j
        else:
            lit(ch)
            i += 1
    sec.tokens = toks


def _is_date_tok(t: tuple) -> bool:
    return t[0] in ("date", "elapsed", "ampm")


def _classify(sec: _Section) -> None:
    toks = sec.tokens
    has_at = any(t[0] == "at" for t in toks)
    has_date = any(_is_date_tok(t) for t in toks)
    if has_date:
        toks = _date_tokens(toks)
        sec.tokens = toks
    has_digit = any(t[0] == "digit" for t in toks)
    has_general = any(t[0] == "general" for t in toks)
    if has_at:
        if has_digit or has_date:
            raise _Invalid("@ with number or date codes")
        sec.kind = "text"
    elif has_date:
        if has_digit:
            raise _Invalid("date and number codes in one section")
        sec.kind = "date"
    elif has_digit:
        sec.kind = "number"
        sec.plan = _number_plan(toks)
    elif has_general:
        sec.kind = "general"
    else:
        sec.kind = "literal"


def _date_tokens(toks: list[tuple]) -> list[tuple]:
    """Resolve a date section: minutes vs months, fractional seconds, literal punctuation."""
    out: list[tuple] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t[0] == "point":
            prev = next((x for x in reversed(out) if _is_date_tok(x)), None)
            j = i + 1
            while j < len(toks) and toks[j] == ("digit", "0"):
                j += 1
            if (j > i + 1 and prev is not None
                    and (prev[:2] == ("date", "s") or prev[:2] == ("elapsed", "s"))):
                out.append(("subsec", j - i - 1))
                i = j
                continue
            out.append(("lit", "."))
        elif t[0] == "comma":
            out.append(("lit", ","))
        elif t[0] == "pct":
            out.append(("lit", "%"))
        elif t[0] == "slash":
            out.append(("lit", "/"))
        elif t[0] == "exp":
            out.append(("lit", "E" + t[1]))
        else:
            out.append(t)
        i += 1
    # m / mm next to hours or seconds are minutes
    dates = [k for k, t in enumerate(out) if _is_date_tok(t)]
    for pos, k in enumerate(dates):
        t = out[k]
        if t[0] == "date" and t[1] == "m" and t[2] <= 2:
            prev = out[dates[pos - 1]] if pos > 0 else None
            nxt = out[dates[pos + 1]] if pos + 1 < len(dates) else None
            if (prev is not None and prev[0] in ("date", "elapsed") and prev[1] == "h") or (
                    nxt is not None and nxt[0] in ("date", "elapsed") and nxt[1] == "s"):
                out[k] = ("minute", t[2])
    return out


class _Plan:
    __slots__ = ("den", "den_fixed", "exp_sign", "exp_toks", "frac_toks", "group",
                 "int_toks", "kind", "num_toks", "pct", "point", "scale")


def _number_plan(toks: list[tuple]) -> _Plan:
    toks = list(toks)
    p = _Plan()
    p.pct = sum(1 for t in toks if t[0] == "pct")
    p.kind = "plain"
    # fraction: a slash after a digit placeholder
    for k, t in enumerate(toks):
        if t[0] == "slash" and k > 0 and toks[k - 1][0] == "digit":
            after = toks[k + 1:]
            den = []
            j = 0
            while j < len(after) and after[j][0] == "digit":
                den.append(after[j][1])
                j += 1
            fixed = None
            if not den and j < len(after) and after[j][0] == "lit":
                m = re.match(r"\d+", after[j][1])
                if m:
                    fixed = int(m.group(0))
                    rest = after[j][1][m.end():]
                    after = list(after)
                    after[j] = ("lit", rest)
            if den or fixed:
                return _fraction_plan(p, toks[:k], den, fixed, after[j:])
    group = False
    scale = 0
    cleaned: list[tuple] = []
    n = len(toks)
    region_end = next((k for k, t in enumerate(toks) if t[0] in ("point", "exp")), n)
    for k, t in enumerate(toks):
        if t[0] != "comma":
            if t[0] == "slash":
                cleaned.append(("lit", "/"))
            else:
                cleaned.append(t)
            continue
        prev = toks[k - 1] if k > 0 else None
        if prev is None or prev[0] not in ("digit", "numcomma"):
            cleaned.append(("lit", ","))
            continue
        toks[k] = ("numcomma",)  # for the next comma's look-back
        in_int = k < region_end
        end = region_end if in_int else next(
            (m for m in range(k + 1, n) if toks[m][0] == "exp"), n)
        later_digit = any(toks[m][0] == "digit" for m in range(k + 1, end))
        if not later_digit:
            scale += 1
        elif in_int and k + 1 < n and toks[k + 1][0] == "digit":
            group = True
    toks = cleaned
    p.group, p.scale = group, scale
    point = next((k for k, t in enumerate(toks) if t[0] == "point"), None)
    exp = next((k for k, t in enumerate(toks) if t[0] == "exp"), None)
    if exp is not None:
        after = toks[exp + 1:]
        if any(t[0] == "point" for t in after) or (
                after and after[0][0] == "lit" and after[0][1][:1].isdigit()):
            raise _Invalid("a decimal point or literal digits in the exponent")
        p.kind = "sci"
        p.exp_sign = toks[exp][1]
        p.exp_toks = toks[exp + 1:]
        body = toks[:exp]
    else:
        body = toks
    if point is not None and (exp is None or point < exp):
        p.point = True
        p.int_toks = body[:point]
        p.frac_toks = [("lit", ".") if t[0] == "point" else t for t in body[point + 1:]]
    else:
        p.point = False
        p.int_toks = [("lit", ".") if t[0] == "point" else t for t in body]
        p.frac_toks = []
    return p


def _fraction_plan(p: _Plan, before: list[tuple], den: list[str], fixed: int | None,
                   after: list[tuple]) -> _Plan:
    p.kind = "fraction"
    k = len(before)
    while k > 0 and before[k - 1][0] == "digit":
        k -= 1
    p.num_toks = before[k:]
    p.int_toks = [t for t in before[:k] if t[0] != "comma"]
    if not any(t[0] == "digit" for t in p.int_toks):
        # no integer part: literals before the numerator stay, the number is improper
        p.int_toks = [t for t in p.int_toks if t[0] != "digit"]
        p.point = False
    else:
        p.point = True  # "has an integer part"
    p.den = den
    p.den_fixed = fixed
    p.frac_toks = after
    p.group = False
    p.scale = 0
    return p


@lru_cache(maxsize=1024)
def _parse(code: str) -> tuple[_Section, ...] | None:
    """The sections of ``code``, or None when Excel would not accept it."""
    try:
        secs = []
        for text in _split_sections(code):
            s = _Section()
            _scan(text, s)
            _classify(s)
            secs.append(s)
        texts = [k for k, s in enumerate(secs) if s.kind == "text"]
        if len(texts) > 1 or (texts and texts[0] != len(secs) - 1) or len(secs) > 4:
            return None
        return tuple(secs)
    except _Invalid:
        return None


# --- numbers ----------------------------------------------------------------------------


def _dec(x: float) -> Decimal:
    """``x`` to Excel's 15 significant digits, exactly as a Decimal."""
    return Decimal(f"{x:.15g}") if x else Decimal(0)


def _round(d: Decimal, places: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_CTX)


def _digits_text(d: Decimal) -> str:
    s = format(d, "f")
    return s.lstrip("-")


def _fill_int(toks: list[tuple], digits: str, group: bool, insert_at_point: bool) -> str:
    """Place integer digits in their placeholders, from the right; the leftmost
    placeholder takes the digits left over."""
    slots = [k for k, t in enumerate(toks) if t[0] == "digit"]
    n = len(slots)
    pads = []
    if len(digits) < n:
        for j in range(n - len(digits)):  # placeholders beyond the digits, right to left
            ch = toks[slots[n - len(digits) - 1 - j]][1]
            pads.append("0" if ch == "0" else " " if ch == "?" else "")
    # units right to left: real digits, then pads
    units = list(reversed(digits)) + pads
    if group:
        # a separator every three positions (placeholders without a digit count too),
        # written after the higher-order digit: '#,##00000,  ,00 , 0###' puts it after
        # the "00" (formulas_test.xlsx 'EXTRA'!A23)
        units = [u + "," if pos % 3 == 0 and pos and u.isdigit() else u
                 for pos, u in enumerate(units)]
    out = [t[1] if t[0] == "lit" else "%" if t[0] == "pct" else "" for t in toks]
    if n == 0:
        if insert_at_point:
            return "".join(out) + "".join(reversed(units))
        return "".join(out)
    for j in range(n - 1):  # all placeholders but the leftmost take one unit
        out[slots[n - 1 - j]] = units[j] if j < len(units) else ""
    out[slots[0]] = "".join(reversed(units[n - 1:]))
    return "".join(out)


def _fill_frac(toks: list[tuple], digits: str) -> str:
    out = []
    it = iter(digits)
    for t in toks:
        if t[0] == "digit":
            c = next(it, None)
            out.append(c if c is not None else "0" if t[1] == "0" else " " if t[1] == "?" else "")
        elif t[0] == "lit":
            out.append(t[1])
        elif t[0] == "pct":
            out.append("%")
        elif t[0] == "general":
            out.append("")
    return "".join(out)


def _n_digits(toks: list[tuple]) -> int:
    return sum(1 for t in toks if t[0] == "digit")


def _format_plain(d: Decimal, p: _Plan) -> str:
    nfrac = _n_digits(p.frac_toks)
    r = _round(d, nfrac)
    s = _digits_text(r)
    ip, _, fp = s.partition(".")
    ip = ip.lstrip("0")
    fp = fp.rstrip("0")
    left = _fill_int(p.int_toks, ip, p.group, p.point)
    if not p.point:
        return left
    return left + "." + _fill_frac(p.frac_toks, fp)


def _format_sci(d: Decimal, p: _Plan) -> str:
    n_int = _n_digits(p.int_toks)
    nfrac = _n_digits(p.frac_toks)
    eng = n_int > 1 and any(t[0] == "digit" and t[1] != "0" for t in p.int_toks)
    if d == 0:
        e, m = 0, Decimal(0)
    else:
        e0 = d.adjusted()
        step = n_int if eng else 1
        e = (e0 // n_int) * n_int if eng else (e0 - (n_int - 1) if n_int else e0 + 1)
        for _ in range(3):
            m = _round(d.scaleb(-e), nfrac)
            top = Decimal(10) ** (n_int if n_int else 0)
            if m >= top:
                e += step
                continue
            break
    s = _digits_text(m)
    ip, _, fp = s.partition(".")
    ip = ip.lstrip("0")
    fp = fp.rstrip("0")
    left = _fill_int(p.int_toks, ip, p.group, p.point)
    if p.point:
        left += "." + _fill_frac(p.frac_toks, fp)
    sign = "-" if e < 0 else ("+" if p.exp_sign == "+" else "")
    exp_digits = str(abs(e))
    return left + "E" + sign + _fill_int(p.exp_toks, exp_digits, False, False)


def _format_fraction(x: float, p: _Plan) -> str:
    has_int = p.point
    if has_int:
        ip = math.floor(x)
        fp = x - ip
    else:
        ip, fp = 0, x
    if p.den_fixed:
        den = p.den_fixed
        num = int(_round(_dec(fp * den), 0))
    else:
        maxden = 10 ** len(p.den) - 1
        from fractions import Fraction  # only fraction formats (# ?/?) need it

        f = Fraction(fp).limit_denominator(maxden)
        num, den = f.numerator, f.denominator
    if has_int and num == den:
        ip, num = ip + 1, 0
    width = len(p.num_toks) + 1 + (len(p.den) if p.den else len(str(p.den_fixed)))
    int_txt = _fill_int(p.int_toks, str(ip) if ip else "", False, False) if has_int else \
        _fill_int(p.int_toks, "", False, False)
    if num == 0 and has_int:
        if ip == 0 and not any(t[0] == "digit" and t[1] == "0" for t in p.int_toks):
            int_txt = _fill_int(p.int_toks, "0", False, False)
        return int_txt + " " * width + _fill_frac(p.frac_toks, "")
    num_txt = _fill_int(p.num_toks, str(num), False, False)
    if p.den:
        ds = str(den)
        pad = "".join(" " if c == "?" else "0" if c == "0" else "" for c in p.den[len(ds):])
        den_txt = ds + pad
    else:
        den_txt = str(den)
    return int_txt + num_txt + "/" + den_txt + _fill_frac(p.frac_toks, "")


def _format_number(x: float, sec: _Section) -> str:
    """``x`` ≥ 0 in a number section."""
    p: _Plan = sec.plan
    if p.kind == "fraction":
        return _format_fraction(x * 100 ** p.pct, p)
    d = _dec(x)
    if p.pct:
        d = d * Decimal(100) ** p.pct
    if p.scale:
        d = d / Decimal(1000) ** p.scale
    if p.kind == "sci":
        return _format_sci(d, p)
    return _format_plain(d, p)


def general_text(x: float) -> str:
    """A number in Excel's General format: at most 11 characters of digits, scientific
    notation from 1E+11 up and below 1E-4.

    Examples
    --------
    >>> general_text(1 / 3), general_text(123456789012.0), general_text(0.00001)
    ('0.333333333', '1.23457E+11', '1E-05')
    >>> general_text(-1234.5), general_text(1e15), general_text(0.0001234)
    ('-1234.5', '1E+15', '0.0001234')
    """
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return "#NUM!"
    sign = "-" if x < 0 else ""
    d = _dec(abs(x))
    e = d.adjusted()
    if -5 < e < 11:
        places = max(0, 10 - max(e + 1, 1))
        r = _round(d, places)
        if r.adjusted() < 11:
            s = format(r, "f")
            if "." in s:
                s = s.rstrip("0").rstrip(".")
            if s != "0":
                return sign + s
    m = _round(d.scaleb(-e), 5)
    if m >= 10:
        e += 1
        m = _round(d.scaleb(-e), 5)
    ms = format(m, "f").rstrip("0").rstrip(".")
    return f"{sign}{ms}E{'+' if e >= 0 else '-'}{abs(e):02d}"


# --- dates ------------------------------------------------------------------------------


def _format_date(x: float, sec: _Section, negative_ok: bool) -> str:
    from templates.recalc.dates import serial_to_date

    toks = sec.tokens
    sub = max((t[1] for t in toks if t[0] == "subsec"), default=0)
    sub = min(sub, 3)
    elapsed_only = all(t[0] in ("elapsed", "lit") for t in toks)
    if x < 0 and not (negative_ok and elapsed_only):
        raise XLFail(VALUE, "a negative number has no date or time")
    neg = x < 0
    x = abs(x)
    unit = 10 ** sub
    total = round(x * 86400 * unit)  # in 1/unit seconds
    day, rem = divmod(total, 86400 * unit)
    needs_calendar = any(t[0] in ("date", "minute", "ampm", "subsec") for t in toks)
    if needs_calendar and day >= _MAX_SERIAL:
        raise XLFail(VALUE, "after 9999-12-31")
    secs_all, frac = divmod(total, unit)
    hh, rem_s = divmod(rem // unit, 3600)
    mi, ss = divmod(rem_s, 60)
    ampm = any(t[0] == "ampm" for t in toks)
    y = mo = dd = 0
    if any(t[0] == "date" and t[1] in "ymd" for t in toks):
        y, mo, dd = serial_to_date(day)
    out = []
    for t in toks:
        k = t[0]
        if k == "lit":
            out.append(t[1])
        elif k == "date":
            c, n = t[1], t[2]
            if c == "y":
                out.append(f"{y % 100:02d}" if n <= 2 else f"{y:04d}")
            elif c == "m":
                out.append(str(mo) if n == 1 else f"{mo:02d}" if n == 2 else
                           _MONTHS[mo - 1][:3] if n == 3 else
                           _MONTHS[mo - 1][0] if n == 5 else _MONTHS[mo - 1])
            elif c == "d":
                if n <= 2:
                    out.append(str(dd) if n == 1 else f"{dd:02d}")
                else:
                    name = _DAYS[(day + 6) % 7]  # serial 1 is a Sunday in Excel's calendar
                    out.append(name[:3] if n == 3 else name)
            elif c == "h":
                h = (hh % 12 or 12) if ampm else hh
                out.append(str(h) if n == 1 else f"{h:02d}")
            elif c == "s":
                out.append(str(ss) if n == 1 else f"{ss:02d}")
        elif k == "minute":
            out.append(str(mi) if t[1] == 1 else f"{mi:02d}")
        elif k == "elapsed":
            c, n = t[1], t[2]
            v = secs_all // 3600 if c == "h" else secs_all // 60 if c == "m" else secs_all
            s = f"{v:0{n}d}"
            out.append(("-" if neg else "") + s)
        elif k == "ampm":
            out.append(t[1] if hh < 12 else t[2])
        elif k == "subsec":
            out.append("." + f"{frac:0{sub}d}"[:t[1]] if sub else ".")
        elif k == "general":
            out.append(general_text(x))
    return "".join(out)


# --- the whole format -------------------------------------------------------------------


def _matches(cond: tuple[str, float], x: float) -> bool:
    op, v = cond
    return {"<": x < v, "<=": x <= v, ">": x > v, ">=": x >= v, "=": x == v,
            "<>": x != v}[op]


def _pick(secs: tuple[_Section, ...], x: float) -> tuple[_Section | None, bool]:
    """The section for number ``x`` and whether to show its absolute value without sign."""
    nums = [s for s in secs if s.kind != "text"]
    if len(secs) == 4:
        nums = list(secs[:3])
    if not nums:
        return None, False
    if nums[0].cond is not None or (len(nums) > 1 and nums[1].cond is not None):
        c0 = nums[0].cond or (">=", 0.0)
        if _matches(c0, x):
            return nums[0], False
        if len(nums) > 1:
            if nums[1].cond is None or _matches(nums[1].cond, x):
                s = nums[1]
                implied_neg = s.cond is not None and s.cond[0] in ("<", "<=") and s.cond[1] <= 0
                return s, implied_neg
            if len(nums) > 2:
                return nums[2], False
        return nums[-1], False
    if len(nums) == 1:
        return nums[0], False
    if x < 0:
        return nums[1], True
    if x == 0 and len(nums) > 2:
        return nums[2], False
    return nums[0], False


def _format_text(s: str, secs: tuple[_Section, ...]) -> str:
    tsec = None
    if secs and secs[-1].kind == "text":
        tsec = secs[-1]
    elif len(secs) == 4:
        tsec = secs[3]
    if tsec is None:
        return s
    out = []
    for t in tsec.tokens:
        if t[0] == "lit":
            out.append(t[1])
        elif t[0] == "at":
            out.append(s)
        elif t[0] == "pct":
            out.append("%")
        elif t[0] == "comma":
            out.append(",")
        elif t[0] == "point":
            out.append(".")
        elif t[0] == "slash":
            out.append("/")
    return "".join(out)


def _literal(sec: _Section) -> str:
    out = []
    for t in sec.tokens:
        if t[0] == "lit":
            out.append(t[1])
        elif t[0] in ("pct", "comma", "point", "slash"):
            out.append({"pct": "%", "comma": ",", "point": ".", "slash": "/"}[t[0]])
        elif t[0] == "exp":
            out.append("E" + t[1])
    return "".join(out)


def format_value(value: Any, code: str) -> str:
    """``value`` shown with number-format ``code``, as Excel's ``TEXT`` returns it.

    Numbers (and dates, which are numbers) use the numeric sections, text the text
    section, logicals show as ``TRUE``/``FALSE`` text, an empty cell as 0. Raises
    :class:`~templates.recalc.values.XLFail` (``#VALUE!``) for a code Excel refuses and
    for dates it cannot show.

    Examples
    --------
    >>> format_value(1234.567, "#,##0.00"), format_value(0.25, "0%"), format_value(-1, "0;(0)")
    ('1,234.57', '25%', '(1)')
    >>> format_value(45322.75, "dddd d mmm yyyy h:mm AM/PM")
    'Wednesday 31 Jan 2024 6:00 PM'
    >>> format_value(1.5, "# ?/?"), format_value(12345.0, "0.00E+00"), format_value("x", '"<"@">"')
    ('1 1/2', '1.23E+04', '<x>')
    """
    if type(value) is ExcelError:
        raise XLFail(value)
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    if value is None:
        value = 0.0
    if code.strip().lower() == "general" or code == "":
        if isinstance(value, str):
            return value
        x = float(value)
        if code == "":
            return "-" if x < 0 else ""
        return general_text(x)
    secs = _parse(code)
    if secs is None:
        raise XLFail(VALUE, f"number format {code!r} is not valid")
    if isinstance(value, str):
        return _format_text(value, secs)
    x = float(value)
    if not math.isfinite(x):
        raise XLFail(VALUE)
    sec, absolute = _pick(secs, x)
    if sec is None:
        return general_text(x)
    sign = "-" if x < 0 and not absolute else ""
    if sec.kind == "date":
        if absolute:
            return _format_date(abs(x), sec, negative_ok=False)
        return _format_date(x, sec, negative_ok=True)
    ax = abs(x)
    if sec.kind == "number":
        return sign + _format_number(ax, sec)
    if sec.kind == "general":
        out = []
        for t in sec.tokens:
            out.append(general_text(ax) if t[0] == "general" else _literal_tok(t))
        return sign + "".join(out)
    return sign + _literal(sec)


def _literal_tok(t: tuple) -> str:
    if t[0] == "lit":
        return t[1]
    return {"pct": "%", "comma": ",", "point": ".", "slash": "/"}.get(t[0], "")


def color_of(value: Any, code: str) -> str | None:
    """The ``[Color]`` of the section that shows ``value`` (``"Red"``), or None."""
    secs = _parse(code)
    if not secs:
        return None
    if isinstance(value, str):
        return secs[-1].color if secs[-1].kind == "text" else None
    try:
        x = float(value or 0)
    except (TypeError, ValueError):
        return None
    sec, _ = _pick(secs, x)
    return sec.color if sec is not None else None


def is_date_format(code: str) -> bool:
    """Whether ``code`` shows numbers as dates or times (its first section has date or
    time codes), which is how Excel tells a date cell from a number cell.

    Examples
    --------
    >>> is_date_format("yyyy-mm-dd"), is_date_format("[h]:mm:ss"), is_date_format("0.00E+00")
    (True, True, False)
    >>> is_date_format('"d"0'), is_date_format("General"), is_date_format("[$-409]mmmm d")
    (False, False, True)
    """
    if not code or code.strip().lower() == "general":
        return False
    secs = _parse(code)
    if not secs:
        return False
    return secs[0].kind == "date"
