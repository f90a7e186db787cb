"""Text functions: LEN, MID, FIND, SUBSTITUTE, TEXT, TEXTJOIN, TEXTSPLIT, REGEX… .

Excel's rules shared by the family
----------------------------------
* Arguments are converted to text as ``&`` converts them (numbers in general form,
  TRUE/FALSE in capitals, an empty cell as ``""``); an error argument is the result.
* Positions and counts are truncated toward zero; a negative count or a start before 1
  is ``#VALUE!``.
* A result longer than 32,767 characters (a cell's limit) is ``#VALUE!``.
* The ``…B`` byte variants (LENB, MIDB …) count bytes only in double-byte locales (East
  Asian); in single-byte locales — the ones this engine follows — they are the plain
  functions (Excel's answers in formulas_test.xlsx 'TEXT' agree: ``LENB("山田太郎ciao")``
  is 8). ASC, DBCS and JIS likewise return their text unchanged.
* CHAR and CODE use the Windows code page 1252 (Excel for Windows, en-US); Excel for Mac
  uses Mac Roman, so ``CHAR(157)`` is ``ù`` there and U+009D here.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from templates.recalc.functions._args import _wildcard, flat
from templates.recalc.functions._numfmt import format_value
from templates.recalc.registry import MISSING, xlfunction
from templates.recalc.values import (
    NA,
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
    number_text,
    parse_number,
    to_bool,
    to_number,
    to_text,
)

__all__: list[str] = []

MAX_LEN = 32767
_CTX = Context(prec=400)


def _limit(s: str) -> str:
    if len(s) > MAX_LEN:
        raise XLFail(VALUE, f"text longer than {MAX_LEN} characters")
    return s


def _count(n: float, what: str = "count") -> int:
    if n < 0:
        raise XLFail(VALUE, f"negative {what}")
    return int(n)


def _start(n: float) -> int:
    if n < 1:
        raise XLFail(VALUE, "start position before 1")
    return int(n)


# --- length and pieces --------------------------------------------------------------


@xlfunction("LEN", "text", aliases=("LENB",))
def LEN(text: str) -> int:
    """Returns the number of characters in a text string."""
    return len(text)


@xlfunction("LEFT", "text, number?", aliases=("LEFTB",))
def LEFT(text: str, num_chars: float = 1.0) -> str:
    """Returns the leftmost characters from a text value."""
    return text[:_count(num_chars)]


@xlfunction("RIGHT", "text, number?", aliases=("RIGHTB",))
def RIGHT(text: str, num_chars: float = 1.0) -> str:
    """Returns the rightmost characters from a text value."""
    n = _count(num_chars)
    return text[len(text) - n:] if n else ""


@xlfunction("MID", "text, number, number", aliases=("MIDB",))
def MID(text: str, start_num: float, num_chars: float) -> str:
    """Returns a specific number of characters from a text string starting at the
    position you specify."""
    s = _start(start_num)
    n = _count(num_chars)
    return text[s - 1:s - 1 + n]


@xlfunction("REPLACE", "text, number, number, text", aliases=("REPLACEB",))
def REPLACE(old_text: str, start_num: float, num_chars: float, new_text: str) -> str:
    """Replaces characters within text."""
    s = _start(start_num)
    n = _count(num_chars)
    return _limit(old_text[:s - 1] + new_text + old_text[s - 1 + n:])


@xlfunction("SUBSTITUTE", "text, text, text, scalar?")
def SUBSTITUTE(text: str, old_text: str, new_text: str, instance_num: Any = MISSING) -> str:
    """Substitutes new text for old text in a text string (every occurrence, or only
    the ``instance_num``-th).

    Notes
    -----
    ``instance_num`` must be a number: TRUE is ``#VALUE!`` here although other text
    functions read it as 1 (Excel's answer in formulas_test.xlsx 'CORE'!AB14).

    Examples
    --------
    >>> SUBSTITUTE("a-b-c", "-", "+"), SUBSTITUTE("a-b-c", "-", "+", 2.0)
    ('a+b+c', 'a-b+c')
    """
    if instance_num is MISSING:
        if not old_text:
            return text
        return _limit(text.replace(old_text, new_text))
    if isinstance(instance_num, bool):
        raise XLFail(VALUE, "instance_num is a logical")
    k = int(to_number(instance_num))
    if not old_text:
        if k < 1:
            raise XLFail(VALUE, "instance_num below 1")
        return text
    if k < 1:
        raise XLFail(VALUE, "instance_num below 1")
    pos = -1
    for _ in range(k):
        pos = text.find(old_text, pos + 1 if pos >= 0 else 0)
        if pos < 0:
            return text
        if _ < k - 1:
            pos += len(old_text) - 1
    return _limit(text[:pos] + new_text + text[pos + len(old_text):])


@xlfunction("REPT", "text, number")
def REPT(text: str, number_times: float) -> str:
    """Repeats text a given number of times."""
    n = _count(number_times, "number of times")
    if len(text) * n > MAX_LEN:
        raise XLFail(VALUE, f"text longer than {MAX_LEN} characters")
    return text * n


# --- finding ----------------------------------------------------------------------------


def _find_start(within: str, start_num: float) -> int:
    s = int(start_num)
    if start_num < 1 or s > len(within) + 1:
        raise XLFail(VALUE, "start_num outside the text")
    return s


@xlfunction("FIND", "text, text, number?", aliases=("FINDB",))
def FIND(find_text: str, within_text: str, start_num: float = 1.0) -> int:
    """Finds one text value within another (case-sensitive)."""
    s = _find_start(within_text, start_num)
    i = within_text.find(find_text, s - 1)
    if i < 0:
        raise XLFail(VALUE, f"{find_text!r} not found")
    return i + 1


@xlfunction("SEARCH", "text, text, number?", aliases=("SEARCHB",))
def SEARCH(find_text: str, within_text: str, start_num: float = 1.0) -> int:
    """Finds one text value within another (not case-sensitive; ``?`` and ``*``
    wildcards, ``~`` escapes them).

    Examples
    --------
    >>> SEARCH("b?d", "ABCBAD"), SEARCH("~*", "a*b"), SEARCH("", "abc", 2.0)
    (4, 2, 2)
    """
    s = int(start_num)
    if (start_num < 1 or s > len(within_text)) and not (
            find_text == "" and s == len(within_text) + 1 and s >= 1):
        raise XLFail(VALUE, "start_num outside the text")
    rx = _wildcard(find_text).pattern[1:-1]  # the same wildcards, unanchored
    m = re.compile(rx, re.I | re.S).search(within_text, s - 1)
    if m is None:
        raise XLFail(VALUE, f"{find_text!r} not found")
    return m.start() + 1


# --- case and cleaning --------------------------------------------------------------


def _same_length(s: str, fn: Any) -> str:
    # Excel maps character by character: "ß" stays "ß" in UPPER (Python makes "SS")
    return "".join(c2 if len(c2 := fn(c)) == 1 else c for c in s)


@xlfunction("UPPER", "text")
def UPPER(text: str) -> str:
    """Converts text to uppercase."""
    return _same_length(text, str.upper)


@xlfunction("LOWER", "text")
def LOWER(text: str) -> str:
    """Converts text to lowercase."""
    return _same_length(text, str.lower)


@xlfunction("PROPER", "text")
def PROPER(text: str) -> str:
    """Capitalizes the first letter in each word of a text value.

    Notes
    -----
    A letter is capitalised when the character before it is not a letter (so digits and
    apostrophes start words: ``PROPER("76budget don't")`` is ``76Budget Don'T``, as in
    Excel); every other letter is lowercased.
    """
    out = []
    prev_letter = False
    for c in text:
        if c.isalpha():
            out.append(_same_length(c, str.lower if prev_letter else str.upper))
            prev_letter = True
        else:
            out.append(c)
            prev_letter = False
    return "".join(out)


_SPACES = re.compile(" +")


@xlfunction("TRIM", "text")
def TRIM(text: str) -> str:
    """Removes spaces from text: leading and trailing ones, and all but one between words.

    Only the space character (32) is removed; non-breaking spaces (160) stay, as in Excel.
    """
    return _SPACES.sub(" ", text.strip(" "))


_CONTROL = re.compile("[\x00-\x1f]")


@xlfunction("CLEAN", "text")
def CLEAN(text: str) -> str:
    """Removes all nonprintable characters from text (codes 0 to 31)."""
    return _CONTROL.sub("", text)


@xlfunction("ASC", "text", aliases=("DBCS", "JIS"))
def ASC(text: str) -> str:
    """Changes full-width (double-byte) characters within a character string to
    half-width (single-byte) characters; DBCS and JIS do the reverse.

    Notes
    -----
    The conversion happens only when a double-byte language is Excel's editing language;
    otherwise (this engine's en-US) the text is returned unchanged, which is Excel's
    answer in formulas_test.xlsx 'TEXT' row 5.
    """
    return text


@xlfunction("EXACT", "text, text")
def EXACT(text1: str, text2: str) -> bool:
    """Checks to see if two text values are identical (case-sensitive)."""
    return text1 == text2


# --- characters ---------------------------------------------------------------------

_CODEPAGE = "cp1252"


def _codepage(ctx: Any) -> str:
    """The workbook's character set for CHAR and CODE: Windows-1252 unless the workbook
    says otherwise (``book.codepage = "mac_roman"`` for a file saved by Excel for Mac,
    whose docProps/app.xml names "Microsoft Macintosh Excel")."""
    return getattr(getattr(ctx, "book", None), "codepage", None) or _CODEPAGE


@xlfunction("CHAR", "number", context=True)
def CHAR(ctx: Any, number: float) -> str:
    """Returns the character specified by the code number (1–255 in the workbook's
    character set, Windows-1252 by default)."""
    n = int(number)
    if not 1 <= n <= 255:
        raise XLFail(VALUE, "CHAR takes a code from 1 to 255")
    try:
        return bytes([n]).decode(_codepage(ctx))
    except UnicodeDecodeError:  # the five codes cp1252 leaves undefined map to C1 controls
        return chr(n)


@xlfunction("CODE", "text", context=True)
def CODE(ctx: Any, text: str) -> int:
    """Returns a numeric code for the first character in a text string (in the
    workbook's character set; characters outside it are 63, ``?``, as in Excel)."""
    if not text:
        raise XLFail(VALUE, "CODE of empty text")
    c = text[0]
    try:
        b = c.encode(_codepage(ctx))
    except UnicodeEncodeError:
        return ord(c) if ord(c) < 128 else 63
    return b[0]


@xlfunction("UNICHAR", "number")
def UNICHAR(number: float) -> str:
    """Returns the Unicode character that is referenced by the given numeric value."""
    n = int(number)
    if not 1 <= n <= 0x10FFFF:
        raise XLFail(VALUE, "UNICHAR takes a code from 1 to 1114111")
    if 0xD800 <= n <= 0xDFFF:
        raise XLFail(NA, "a lone surrogate is not a character")
    return chr(n)


@xlfunction("UNICODE", "text")
def UNICODE(text: str) -> int:
    """Returns the number (code point) that corresponds to the first character of the
    text."""
    if not text:
        raise XLFail(VALUE, "UNICODE of empty text")
    return ord(text[0])


# --- joining --------------------------------------------------------------------------


def _texts(args: tuple[Any, ...]) -> list[str]:
    """Every value of the arguments as text (ranges row by row); the first error is
    the result."""
    out = []
    for v, _ in flat(args):
        if v is MISSING:
            v = None
        if type(v) is ExcelError:
            raise XLFail(v)
        out.append(to_text(v))
    return out


@xlfunction("CONCAT", "any*")
def CONCAT(*texts: Any) -> str:
    """Combines the text from multiple ranges and/or strings."""
    return _limit("".join(_texts(texts)))


@xlfunction("CONCATENATE", "text*")
def CONCATENATE(*texts: str) -> str:
    """Joins several text items into one text item (ranges are taken element by element,
    unlike CONCAT)."""
    return _limit("".join(texts))


@xlfunction("TEXTJOIN", "any, bool, any*")
def TEXTJOIN(delimiter: Any, ignore_empty: bool, *texts: Any) -> str:
    """Combines the text from multiple ranges and/or strings with a delimiter between
    them; several delimiters are used in turn.

    Examples
    --------
    >>> TEXTJOIN(Array([["-", "+"]]), True, Array([["a", "", "b", None, "c"]]))
    'a-b+c'
    """
    delims = _texts((delimiter,))
    if not delims:
        delims = [""]
    items = _texts(texts)
    if ignore_empty:
        items = [s for s in items if s != ""]
    out = []
    for i, s in enumerate(items):
        if i:
            out.append(delims[(i - 1) % len(delims)])
        out.append(s)
    return _limit("".join(out))


# --- numbers as text ----------------------------------------------------------------


@xlfunction("TEXT", "scalar, text")
def TEXT(value: Any, format_text: str) -> str:
    """Formats a number and converts it to text.

    Text that reads as a number (or a date) is formatted as that number; other text goes
    to the format's text section (or through unchanged); TRUE/FALSE stay as text.
    See :mod:`templates.recalc.functions._numfmt` for the format codes.

    Examples
    --------
    >>> TEXT(1234.5, "$#,##0.00"), TEXT(45322.0, "yyyy-mm-dd"), TEXT("0.5", "0%")
    ('$1,234.50', '2024-01-31', '50%')
    """
    if isinstance(value, str):
        x = parse_number(value)
        if x is not None:
            value = x
    return format_value(value, format_text)


def _rounded(number: float, decimals: int) -> Decimal:
    d = Decimal(f"{number:.15g}") if number else Decimal(0)
    if d == 0:
        return Decimal(0)
    if decimals >= 0:
        return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_CTX)
    if -decimals > d.adjusted() + 1:
        return Decimal(0)
    return d.scaleb(decimals).quantize(Decimal(1), rounding=ROUND_HALF_UP,
                                       context=_CTX).scaleb(-decimals)


def _decimals(decimals: float) -> int:
    n = int(decimals)
    if n > 127:
        raise XLFail(VALUE, "more than 127 decimals")
    return n


@xlfunction("FIXED", "number, number?, bool?")
def FIXED(number: float, decimals: float = 2.0, no_commas: bool = False) -> str:
    """Formats a number as text with a fixed number of decimals.

    Examples
    --------
    >>> FIXED(1234.567, 1.0), FIXED(1234.567, -1.0), FIXED(-1234.567, -1.0, True)
    ('1,234.6', '1,230', '-1230')
    """
    n = _decimals(decimals)
    r = _rounded(number, n)
    if r == 0:
        r = abs(r)
    places = max(n, 0)
    return format(r, f"{'' if no_commas else ','}.{places}f")


@xlfunction("DOLLAR", "number, number?")
def DOLLAR(number: float, decimals: float = 2.0) -> str:
    """Converts a number to text, using the $ (dollar) currency format (negative numbers
    in parentheses, as Excel's en-US currency format shows them).

    Examples
    --------
    >>> DOLLAR(1234.567), DOLLAR(-1234.567, -2.0), DOLLAR(-0.123, 4.0)
    ('$1,234.57', '($1,200)', '($0.1230)')
    """
    n = _decimals(decimals)
    r = _rounded(number, n)
    s = format(abs(r), f",.{max(n, 0)}f")
    return f"(${s})" if r < 0 else f"${s}"


@xlfunction("VALUE", "scalar")
def VALUE_(text: Any) -> float:
    """Converts a text argument to a number (numbers, percentages, currency, dates and
    times as Excel's en-US locale reads them)."""
    if text is None:
        return 0.0
    if isinstance(text, bool):
        raise XLFail(VALUE, "VALUE of a logical")
    if isinstance(text, float):
        return text
    x = parse_number(text)
    if x is None:
        raise XLFail(VALUE, f"{text!r} is not a number")
    return x


@xlfunction("NUMBERVALUE", "text, text?, text?")
def NUMBERVALUE(text: str, decimal_separator: Any = None, group_separator: Any = None) -> float:
    """Converts text to number in a locale-independent manner.

    Notes
    -----
    Spaces are removed anywhere; group separators may appear anywhere before the decimal
    separator; trailing ``%`` signs (inside and outside accounting parentheses) divide by
    100 each; a sign may lead the number but not sit inside parentheses. Only the first
    character of each separator counts; an empty separator is ``#VALUE!``, as is the same
    character given for both.

    Examples
    --------
    >>> NUMBERVALUE("2.500,27", ",", "."), NUMBERVALUE("(2,500.27%)%", ".", ","),
    (2500.27, -0.250027)
    """
    dec = "." if decimal_separator is None else decimal_separator
    grp = "," if group_separator is None else group_separator
    if dec == "" or grp == "":
        raise XLFail(VALUE, "empty separator")
    dec, grp = dec[0], grp[0]
    if dec == grp:
        if decimal_separator is not None and group_separator is not None:
            raise XLFail(VALUE, "the same separator for decimals and groups")
        grp = ""
    s = re.sub(r"\s+", "", text)
    if s == "":
        return 0.0
    pct = 0
    while s.endswith("%"):
        pct += 1
        s = s[:-1]
    neg = False
    if s.startswith("(") and s.endswith(")"):
        neg = True
        s = s[1:-1]
        while s.endswith("%"):
            pct += 1
            s = s[:-1]
        if s[:1] in ("+", "-"):
            raise XLFail(VALUE, "a sign inside parentheses")
    elif s[:1] in ("+", "-"):
        neg = s[0] == "-"
        s = s[1:]
    mant, exp = s, ""
    m = re.search(r"[eE]", s)
    if m:
        mant, exp = s[:m.start()], s[m.end():]
        if not re.fullmatch(r"[+-]?\d+", exp):
            raise XLFail(VALUE, "bad exponent")
    ip, _, fp = mant.partition(dec)
    if grp:
        ip = ip.replace(grp, "")
    if not re.fullmatch(r"\d*", ip) or not re.fullmatch(r"\d*", fp) or (ip + fp) == "":
        raise XLFail(VALUE, f"{text!r} is not a number")
    x = float(f"{ip or 0}.{fp or 0}e{exp or 0}")
    x /= 100.0 ** pct
    return -x if neg else x


@xlfunction("T", "any")
def T(value: Any) -> Any:
    """Converts its arguments to text: text stays, anything else is empty text (a range
    gives its first cell)."""
    if isinstance(value, MultiRef):
        value = value.areas[0]
    if isinstance(value, Ref):
        value = value.value()
    if isinstance(value, Array):
        return value.map(_t1)
    return _t1(value)


def _t1(v: Any) -> Any:
    if type(v) is ExcelError:
        return v
    return v if isinstance(v, str) else ""


# --- VALUETOTEXT / ARRAYTOTEXT ------------------------------------------------------


def _format_flag(fmt: float) -> int:
    f = int(fmt)
    if f not in (0, 1):
        raise XLFail(VALUE, "format must be 0 (concise) or 1 (strict)")
    return f


def _as_text(v: Any, strict: bool) -> str:
    if type(v) is ExcelError:
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"' if strict else v
    if v is None or v is MISSING:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return number_text(float(v))


@xlfunction("VALUETOTEXT", "scalar_e, number?")
def VALUETOTEXT(value: Any, fmt: float = 0.0) -> str:
    """Returns text from any specified value (errors as their text; format 1 quotes
    text)."""
    return _as_text(value, _format_flag(fmt) == 1)


@xlfunction("ARRAYTOTEXT", "array, number?")
def ARRAYTOTEXT(array: Array, fmt: float = 0.0) -> str:
    """Returns an array of text values from any specified range: ``a, b`` (concise) or
    ``{"a",1;TRUE,#N/A}`` (strict, format 1)."""
    strict = _format_flag(fmt) == 1
    if not strict:
        return _limit(", ".join(_as_text(v, False) for v in array.flat()))
    if array.shape == (1, 1) and array.rows[0][0] is None:
        # Excel's answer for a single empty cell (formulas_test.xlsx 'TEXT'!V4)
        raise XLFail(VALUE, "ARRAYTOTEXT of an empty cell")
    rows = [",".join(_as_text(v, True) for v in row) for row in array.rows]
    return _limit("{" + ";".join(rows) + "}")


# --- TEXTBEFORE / TEXTAFTER / TEXTSPLIT -----------------------------------------------


def _delimiters(arg: Any) -> list[str]:
    if arg is None or arg is MISSING:
        return []
    arr = arg if isinstance(arg, Array) else Array([[arg]])
    out = []
    for v in arr.flat():
        if type(v) is ExcelError:
            raise XLFail(v)
        out.append(to_text(v))
    return out


def _occurrences(text: str, delims: list[str], ci: bool) -> list[tuple[int, int]]:
    hay = text.lower() if ci else text
    ds = [d.lower() if ci else d for d in delims]
    out = []
    i = 0
    while i <= len(hay):
        hit = None
        for d in ds:
            if hay.startswith(d, i) and (hit is None or len(d) > hit):
                hit = len(d)
        if hit is not None:
            out.append((i, hit))
            i += max(hit, 1)
        else:
            i += 1
    return out


def _text_around(text: str, delimiter: Any, instance_num: float, match_mode: float,
                 match_end: Any, if_not_found: Any, after: bool) -> Any:
    n = int(instance_num)
    if n == 0 or abs(n) > len(text):
        raise XLFail(VALUE, "instance_num is 0 or longer than the text")
    mode = int(match_mode)
    if mode not in (0, 1):
        raise XLFail(VALUE, "match_mode must be 0 or 1")
    end = to_bool(match_end) if match_end is not None else False
    delims = _delimiters(delimiter)
    if not delims:
        raise XLFail(VALUE, "no delimiter")
    if any(d == "" for d in delims):
        occ = [(0, 0)] if n > 0 else [(len(text), 0)]
        pos, ln = occ[0]
        return text[pos + ln:] if after else text[:pos]
    occ = _occurrences(text, delims, mode == 1)
    if end:
        occ = [*occ, (len(text), 0)] if n > 0 else [(0, 0), *occ]
    if abs(n) > len(occ):
        if if_not_found is not None and if_not_found is not MISSING:
            return if_not_found
        raise XLFail(NA, "delimiter not found")
    pos, ln = occ[n - 1] if n > 0 else occ[n]
    return text[pos + ln:] if after else text[:pos]


@xlfunction("TEXTBEFORE", "text, array, number?, number?, scalar?, scalar_e?")
def TEXTBEFORE(text: str, delimiter: Array, instance_num: float = 1.0,
               match_mode: float = 0.0, match_end: Any = None,
               if_not_found: Any = None) -> Any:
    """Returns text that occurs before a given character or string.

    Examples
    --------
    >>> TEXTBEFORE("a-b-c", Array([["-"]])), TEXTBEFORE("a-b-c", Array([["-"]]), -1.0)
    ('a', 'a-b')
    """
    return _text_around(text, delimiter, instance_num, match_mode, match_end,
                        if_not_found, after=False)


@xlfunction("TEXTAFTER", "text, array, number?, number?, scalar?, scalar_e?")
def TEXTAFTER(text: str, delimiter: Array, instance_num: float = 1.0,
              match_mode: float = 0.0, match_end: Any = None,
              if_not_found: Any = None) -> Any:
    """Returns text that occurs after a given character or string.

    Examples
    --------
    >>> TEXTAFTER("a-b-c", Array([["-"]])), TEXTAFTER("a-b-c", Array([["x"]]), 1.0, 0.0, None, "?")
    ('b-c', '?')
    """
    return _text_around(text, delimiter, instance_num, match_mode, match_end,
                        if_not_found, after=True)


def _split(text: str, delims: list[str], ci: bool) -> list[str]:
    if not delims:
        return [text]
    rx = re.compile("|".join(re.escape(d) for d in sorted(delims, key=len, reverse=True)),
                    re.I if ci else 0)
    return rx.split(text)


@xlfunction("TEXTSPLIT", "text, any, any?, bool?, number?, scalar_e?")
def TEXTSPLIT(text: str, col_delimiter: Any, row_delimiter: Any = None,
              ignore_empty: bool = False, match_mode: float = 0.0,
              pad_with: Any = None) -> Array:
    """Splits text strings by using column and row delimiters; short rows are padded
    with ``pad_with`` (``#N/A`` by default).

    Examples
    --------
    >>> TEXTSPLIT("a,b;c", ",", ";")
    Array([['a', 'b'], ['c', ExcelError('#N/A')]])
    """
    cols = _delimiters(_values(col_delimiter))
    rows_d = _delimiters(_values(row_delimiter))
    if not cols and not rows_d:
        raise XLFail(VALUE, "no delimiter")
    if any(d == "" for d in cols + rows_d):
        raise XLFail(VALUE, "empty delimiter")
    if text == "":
        raise XLFail(VALUE, "TEXTSPLIT of empty text")
    mode = int(match_mode)
    if mode not in (0, 1):
        raise XLFail(VALUE, "match_mode must be 0 or 1")
    ci = mode == 1
    lines = _split(text, rows_d, ci)
    if ignore_empty:
        lines = [r for r in lines if r != ""]
    table = []
    for line in lines:
        cells = _split(line, cols, ci)
        if ignore_empty:
            cells = [c for c in cells if c != ""]
        table.append(cells)
    table = [r for r in table if r] or [[""]]
    width = max(len(r) for r in table)
    pad = NA if pad_with is None or pad_with is MISSING else pad_with
    return Array([r + [pad] * (width - len(r)) for r in table])


def _values(v: Any) -> Any:
    if isinstance(v, Ref):
        return v.array()
    if isinstance(v, MultiRef):
        raise XLFail(VALUE)
    return v


# --- regular expressions ----------------------------------------------------------------


def _regex(pattern: str, case_sensitivity: float) -> re.Pattern[str]:
    cs = int(case_sensitivity)
    if cs not in (0, 1):
        raise XLFail(VALUE, "case_sensitivity must be 0 or 1")
    # PCRE2's (?<name>…) is Python's (?P<name>…)
    py = re.sub(r"\(\?<(?![=!])", "(?P<", pattern)
    try:
        return re.compile(py, re.I if cs == 1 else 0)
    except re.error as exc:
        raise XLFail(VALUE, f"bad regular expression: {exc}") from None


@xlfunction("REGEXTEST", "text, text, number?")
def REGEXTEST(text: str, pattern: str, case_sensitivity: float = 0.0) -> bool:
    """Determines whether any part of text matches the pattern.

    Notes
    -----
    Excel uses PCRE2; Python's ``re`` agrees on the common syntax (classes, quantifiers,
    anchors, groups, look-arounds, ``(?i)``; ``(?<name>…)`` is translated). Not available
    here: ``\\p{…}`` Unicode properties, ``\\K``, ``\\h``/``\\R``, recursion and
    ``(*VERB)``s — such patterns give ``#VALUE!``.
    """
    return _regex(pattern, case_sensitivity).search(text) is not None


@xlfunction("REGEXEXTRACT", "text, text, number?, number?")
def REGEXEXTRACT(text: str, pattern: str, return_mode: float = 0.0,
                 case_sensitivity: float = 0.0) -> Any:
    """Extracts strings within the provided text that match the pattern: the first match
    (mode 0), all matches (1) or the first match's capturing groups (2), as a row.

    Notes
    -----
    Mode 2 without capturing groups is ``#VALUE!``; a group that took no part in the
    match is ``#N/A`` (formulas_test.xlsx 'EXTRA'!K3, O3).
    """
    rx = _regex(pattern, case_sensitivity)
    mode = int(return_mode)
    if mode not in (0, 1, 2):
        raise XLFail(VALUE, "return_mode must be 0, 1 or 2")
    if mode == 1:
        found = [m.group(0) for m in rx.finditer(text)]
        if not found:
            raise XLFail(NA, "no match")
        return Array([found])
    m = rx.search(text)
    if m is None:
        raise XLFail(NA, "no match")
    if mode == 0:
        return m.group(0)
    groups = m.groups()
    if not groups:
        raise XLFail(VALUE, "the pattern has no capturing groups")
    return Array([[g if g is not None else NA for g in groups]])


def _replacement(rep: str) -> str:
    """PCRE2-style ``$1`` / ``${name}`` / ``$$`` to Python's template syntax."""
    out = []
    i = 0
    while i < len(rep):
        c = rep[i]
        if c == "\\":
            out.append("\\\\")
        elif c == "$" and i + 1 < len(rep):
            m = re.match(r"\$(\d+)|\$\{(\w+)\}|\$\$", rep[i:])
            if m:
                if m.group(0) == "$$":
                    out.append("$")
                else:
                    out.append(f"\\g<{m.group(1) or m.group(2)}>")
                i += m.end()
                continue
            out.append(c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


@xlfunction("REGEXREPLACE", "text, text, text, number?, number?")
def REGEXREPLACE(text: str, pattern: str, replacement: str, occurrence: float = 0.0,
                 case_sensitivity: float = 0.0) -> str:
    """Replaces strings within the provided text that match the pattern with
    replacement (all of them, or only the n-th, counted from the end when negative).

    Examples
    --------
    >>> REGEXREPLACE("a1b22c333", "[0-9]+", "#"), REGEXREPLACE("a1b22c333", "[0-9]+", "#", -1.0)
    ('a#b#c#', 'a1b22c#')
    >>> REGEXREPLACE("John Smith", "(\\\\w+) (\\\\w+)", "$2, $1")
    'Smith, John'
    """
    rx = _regex(pattern, case_sensitivity)
    tmpl = _replacement(replacement)
    n = int(occurrence)
    try:
        if n == 0:
            return _limit(rx.sub(tmpl, text))
        ms = list(rx.finditer(text))
        if abs(n) > len(ms):
            return text
        m = ms[n - 1] if n > 0 else ms[n]
        return _limit(text[:m.start()] + m.expand(tmpl) + text[m.end():])
    except (re.error, IndexError) as exc:
        raise XLFail(VALUE, f"bad replacement: {exc}") from None


# --- BAHTTEXT ---------------------------------------------------------------------------

_TH_DIGITS = ["ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า"]
_TH_PLACES = ["", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน"]


def _th_group(n: int, after_higher: bool) -> str:
    """Thai words for 0 < n < 1,000,000; ``after_higher``: digits precede this group."""
    s = str(n)
    out = []
    for i, ch in enumerate(s):
        d = int(ch)
        place = len(s) - 1 - i
        if d == 0:
            continue
        if place == 1:
            out.append("สิบ" if d == 1 else "ยี่สิบ" if d == 2 else _TH_DIGITS[d] + "สิบ")
        elif place == 0:
            out.append("เอ็ด" if d == 1 and (len(s) > 1 or after_higher) else _TH_DIGITS[d])
        else:
            out.append(_TH_DIGITS[d] + _TH_PLACES[place])
    return "".join(out)


def _th_number(n: int) -> str:
    if n < 1_000_000:
        return _th_group(n, False)
    hi, lo = divmod(n, 1_000_000)
    return _th_number(hi) + "ล้าน" + (_th_group(lo, True) if lo else "")


@xlfunction("BAHTTEXT", "number")
def BAHTTEXT(number: float) -> str:
    """Converts a number to Thai text and adds a suffix of "Baht".

    Notes
    -----
    The number is rounded to satang (hundredths). Thai counts in groups of six digits
    (ล้าน, a million, repeats); 1 in the tens is สิบ, 2 in the tens ยี่สิบ, and 1 in the
    units after other digits เอ็ด. Whole amounts end in ถ้วน ("exactly").

    Examples
    --------
    >>> BAHTTEXT(1234.0), BAHTTEXT(21.25), BAHTTEXT(0.5)
    ('หนึ่งพันสองร้อยสามสิบสี่บาทถ้วน', 'ยี่สิบเอ็ดบาทยี่สิบห้าสตางค์', 'ห้าสิบสตางค์')
    """
    r = _rounded(number, 2)
    neg = r < 0
    r = abs(r)
    baht = int(r)
    satang = int((r - baht) * 100)
    if baht == 0 and satang == 0:
        return "ศูนย์บาทถ้วน"
    out = "ลบ" if neg else ""
    if baht:
        out += _th_number(baht) + "บาท"
    out += "ถ้วน" if satang == 0 else _th_group(satang, False) + "สตางค์"
    return out

