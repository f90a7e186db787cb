"""What a cell can hold while the engine computes, and Excel's rules for converting it.

A value is one of:

* ``float`` — every number (integers are stored as floats, as Excel does);
* ``str`` — text;
* ``bool`` — TRUE / FALSE (checked before numbers: ``bool`` is an ``int`` in Python);
* ``None`` — an empty cell (a formula that shows an empty cell shows 0);
* :class:`~udfs.excel_errors.ExcelError` — an error value (a ``str`` subclass, so always
  test :func:`is_error` before treating a value as text);
* :class:`Array` — a 2-D array of scalars (an array constant or a computed array);
* :class:`Ref` — a reference to cells (what ``A1:B3`` or ``OFFSET(…)`` evaluates to);
  functions that want values get an :class:`Array` of the cells' values from it.

Coercion follows Excel: in arithmetic, text that reads as a number (``"3"``, ``"1e3"``,
``"50%"``, ``"$1,000"``, ``"2024-01-31"``, ``"12:30"``) is that number, TRUE is 1, an empty
cell is 0, other text is ``#VALUE!``. Comparison orders numbers < text < booleans, text
case-insensitively.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator

from udfs.excel_errors import (
    BY_TEXT,
    CALC,
    DIV0,
    GETTING_DATA,
    NA,
    NAME,
    NULL,
    NUM,
    REF,
    SPILL,
    VALUE,
    ExcelError,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "BY_TEXT", "CALC", "DIV0", "GETTING_DATA", "NA", "NAME", "NULL", "NUM", "REF", "SPILL",
    "VALUE", "Array", "ExcelError", "Ref", "XLFail", "compare", "is_error", "number_text",
    "parse_number", "to_bool", "to_number", "to_text",
]

Scalar = float | str | bool | None  # or ExcelError


class XLFail(Exception):  # noqa: N818 - it carries an Excel error value, not a failure of ours
    """Raised inside a function to return an Excel error: ``raise XLFail(NUM)``.

    The registry turns it into the error value, so deep helpers need not thread errors
    through every return.
    """

    def __init__(self, error: ExcelError, reason: str = "") -> None:
        super().__init__(str(error))
        self.error = error
        self.reason = reason


def is_error(v: Any) -> bool:
    """True for an Excel error value."""
    return type(v) is ExcelError


class Array:
    """A 2-D array of scalar values, row-major: ``Array([[1.0, 2.0], [3.0, 4.0]])``."""

    __slots__ = ("columns", "rows")

    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows
        #: Set (to a dict) on an array that stays as it is for the whole calculation (a
        #: range of constants, shared by every formula that reads it): :meth:`column_values`
        #: then extracts each column once, not once per lookup.
        self.columns: dict[int, list[Any]] | None = None

    def column_values(self, j: int) -> list[Any]:
        """Column ``j`` (0-based) as a list; shared, not to be changed, when the array
        is shared (:attr:`columns`)."""
        cols = self.columns
        if cols is None:
            return [r[j] for r in self.rows]
        col = cols.get(j)
        if col is None:
            col = cols[j] = [r[j] for r in self.rows]
        return col

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @property
    def ncols(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), (len(self.rows[0]) if self.rows else 0)

    def flat(self) -> Iterator[Any]:
        """Values row by row (Excel's order for SUM, COUNT, MATCH on a 2-D range)."""
        for row in self.rows:
            yield from row

    def get(self, r: int, c: int) -> Any:
        """Element ``(r, c)`` (0-based) with Excel's broadcasting of a single row or
        column; ``#N/A`` outside (what Excel shows where a smaller array is stretched)."""
        rows = self.rows
        nr = len(rows)
        nc = len(rows[0]) if nr else 0
        if nr == 1:
            r = 0
        if nc == 1:
            c = 0
        if r >= nr or c >= nc:
            return NA
        return rows[r][c]

    def map(self, fn: Callable[[Any], Any]) -> Array:
        return Array([[fn(v) for v in row] for row in self.rows])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Array) and other.rows == self.rows

    def __repr__(self) -> str:
        return f"Array({self.rows!r})"

    @classmethod
    def scalar(cls, v: Any) -> Array:
        return cls([[v]])

    @classmethod
    def column(cls, values: list[Any]) -> Array:
        return cls([[v] for v in values])


class Ref:
    """A reference to a rectangle of cells on one sheet (1-based, inclusive bounds).

    ``book`` answers ``book.cell_value(sheet, row, col)`` and
    ``book.range_rows(sheet, r1, c1, r2, c2)``; the engine's workbook does.
    """

    __slots__ = ("book", "c1", "c2", "r1", "r2", "sheet")

    def __init__(self, book: Any, sheet: str, r1: int, c1: int, r2: int, c2: int) -> None:
        self.book = book
        self.sheet = sheet
        self.r1, self.c1, self.r2, self.c2 = r1, c1, r2, c2

    @property
    def nrows(self) -> int:
        return self.r2 - self.r1 + 1

    @property
    def ncols(self) -> int:
        return self.c2 - self.c1 + 1

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    @property
    def is_cell(self) -> bool:
        return self.r1 == self.r2 and self.c1 == self.c2

    def value(self) -> Any:
        """The top-left cell's value."""
        return self.book.cell_value(self.sheet, self.r1, self.c1)

    def array(self) -> Array:
        """The cells' values (``None`` for empty cells)."""
        shared = getattr(self.book, "range_array", None)
        if shared is not None:
            return shared(self.sheet, self.r1, self.c1, self.r2, self.c2)
        return Array(self.book.range_rows(self.sheet, self.r1, self.c1, self.r2, self.c2))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Ref) and other.sheet == self.sheet
                and (other.r1, other.c1, other.r2, other.c2)
                == (self.r1, self.c1, self.r2, self.c2))

    def __hash__(self) -> int:
        return hash((self.sheet, self.r1, self.c1, self.r2, self.c2))

    def __repr__(self) -> str:
        return f"Ref({self.sheet!r}, {self.r1}, {self.c1}, {self.r2}, {self.c2})"


class MultiRef:
    """A union of references, ``(A1:B2, D4)``: what AREAS, INDEX(…, area) and SUM see."""

    __slots__ = ("areas",)

    def __init__(self, areas: list[Ref]) -> None:
        self.areas = areas

    def __repr__(self) -> str:
        return f"MultiRef({self.areas!r})"


# --- numbers from text ------------------------------------------------------------------

_NUM_RE = re.compile(
    r"^\s*(?P<sign>[+-])?\s*(?P<cur>\$)?\s*(?P<paren>\()?\s*(?P<cur2>\$)?"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?(?:[eE][+-]?\d+)?)"
    r"\s*(?P<close>\))?\s*(?P<pct>%)?\s*$"
)


def parse_number(text: str) -> float | None:
    """The number Excel reads in ``text`` (VALUE, arithmetic on text), or None.

    Accepts signs, thousands separators, a leading ``$``, a trailing ``%``, accounting
    parentheses for negatives, and dates and times in the forms Excel's en-US locale
    reads (``2024-01-31``, ``1/31/2024``, ``31-Jan-2024``, ``12:30``, ``12:30:15 PM``).

    Examples
    --------
    >>> parse_number("1,234.5"), parse_number(" 50% "), parse_number("(12)"), parse_number("x")
    (1234.5, 0.5, -12.0, None)
    >>> parse_number("2024-01-31"), parse_number("12:00")
    (45322.0, 0.5)
    """
    m = _NUM_RE.match(text)
    if m and m.group("num") not in ("", "."):
        num = m.group("num")
        if (m.group("paren") is None) != (m.group("close") is None):
            return None
        try:
            x = float(num.replace(",", ""))
        except ValueError:
            return None
        if m.group("paren") and m.group("sign"):
            return None
        if m.group("sign") == "-" or m.group("paren"):
            x = -x
        if m.group("pct"):
            x /= 100.0
        return x
    from templates.recalc.dates import parse_datetime_text

    return parse_datetime_text(text)


# --- text from numbers ------------------------------------------------------------------


def number_text(x: float) -> str:
    """A number as Excel turns it into text (``=""&x``): up to 15 significant digits,
    no trailing zeros, scientific notation outside the range where Excel uses it.

    Examples
    --------
    >>> number_text(1.0), number_text(0.1 + 0.2), number_text(1 / 3), number_text(1e20)
    ('1', '0.3', '0.333333333333333', '1E+20')
    >>> number_text(-0.000001), number_text(123456789012345678.0)
    ('-0.000001', '1.23456789012346E+17')
    """
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return "#NUM!"
    s = f"{x:.15g}"
    if "e" in s:
        mant, exp = s.split("e")
        e = int(exp)
        if -20 < e < 0 and len(mant.replace("-", "").replace(".", "")) + (-e) <= 20:
            # Excel writes small numbers in full up to 1E-20 when they fit its width.
            digits = f"{abs(x):.{min(-e + 14, 40)}f}".rstrip("0").rstrip(".")
            return ("-" if x < 0 else "") + digits
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        return f"{mant}E{'+' if e >= 0 else '-'}{abs(e):02d}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


# --- coercions --------------------------------------------------------------------------


def to_number(v: Any) -> float:
    """A scalar as a number for arithmetic; raises :class:`XLFail` with the error Excel
    gives (the error itself for an error, ``#VALUE!`` for text that is not a number)."""
    t = type(v)
    if t is float:
        return v
    if t is bool:
        return 1.0 if v else 0.0
    if v is None:
        return 0.0
    if t is int:
        return float(v)
    if t is ExcelError:
        raise XLFail(v)
    if t is str:
        x = parse_number(v)
        if x is None:
            raise XLFail(VALUE, f"text {v!r} is not a number")
        return x
    if isinstance(v, Array):
        return to_number(v.rows[0][0])
    if isinstance(v, Ref):
        return to_number(v.value())
    raise XLFail(VALUE)


def to_text(v: Any) -> str:
    """A scalar as text (``&``, text functions): numbers in Excel's general form,
    TRUE/FALSE in capitals, an empty cell as ``""``."""
    t = type(v)
    if t is str:
        return v
    if t is float:
        return number_text(v)
    if t is bool:
        return "TRUE" if v else "FALSE"
    if v is None:
        return ""
    if t is int:
        return number_text(float(v))
    if t is ExcelError:
        raise XLFail(v)
    if isinstance(v, Array):
        return to_text(v.rows[0][0])
    if isinstance(v, Ref):
        return to_text(v.value())
    raise XLFail(VALUE)


def to_bool(v: Any) -> bool:
    """A scalar as a logical (IF, AND): numbers are TRUE unless 0, "TRUE"/"FALSE" text is
    read, other text is ``#VALUE!``, an empty cell is FALSE."""
    t = type(v)
    if t is bool:
        return v
    if t is float or t is int:
        return v != 0
    if v is None:
        return False
    if t is ExcelError:
        raise XLFail(v)
    if t is str:
        u = v.upper()
        if u == "TRUE":
            return True
        if u == "FALSE":
            return False
        raise XLFail(VALUE, f"text {v!r} is not TRUE or FALSE")
    if isinstance(v, Array):
        return to_bool(v.rows[0][0])
    if isinstance(v, Ref):
        return to_bool(v.value())
    raise XLFail(VALUE)


def _rank(v: Any) -> int:
    t = type(v)
    if t is float or t is int:
        return 0
    if t is str:
        return 1
    if t is bool:
        return 2
    return 0


def compare(a: Any, b: Any) -> int:
    """Excel's ordering of two scalars: -1, 0 or 1 (``=``, ``<`` …, SORT, MATCH).

    Numbers < text < logicals; text compares case-insensitively; an empty cell equals 0,
    ``""`` and FALSE. Errors are not handled here (the caller propagates them).

    Examples
    --------
    >>> compare(1.0, "a"), compare("B", "a"), compare(None, 0.0), compare(True, "z")
    (-1, 1, 0, 1)
    """
    if a is None:
        a = "" if type(b) is str else (False if type(b) is bool else 0.0)
    if b is None:
        b = "" if type(a) is str else (False if type(a) is bool else 0.0)
    ra, rb = _rank(a), _rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 1:
        a, b = a.lower(), b.lower()
    if a == b:
        return 0
    return -1 if a < b else 1
