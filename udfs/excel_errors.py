"""Excel error values as the function catalog returns them, in one place (pycel style).

An :class:`ExcelError` is a ``str`` subclass whose text is what Excel shows (``"#N/A"``), so
it compares equal to that text, prints as Excel does and serialises to JSON as is, while
``isinstance(x, ExcelError)`` still tells it from a text result. Each adapter turns it into
its host's native error (a COM ``VT_ERROR`` variant for Excel through xlwings, an ``XlError``
for ``formulas``). The reason for an error travels with it (``.reason``) and can be asked for
in a cell with ``=LLM_WHY(...)``.
"""

from __future__ import annotations

import collections
import functools
import itertools
from collections.abc import Callable, Sequence

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class ExcelError(str):
    """An Excel error value, optionally carrying the reason it was returned.

    The reason may be given as a function that makes it: it runs the first time the reason
    is read (a "did you mean" list for an unknown name costs milliseconds; a range of a
    million unknown names must not pay it in every cell).
    """

    # Slots, not an instance dict: a range of a million distinct failing cells makes a
    # million errors (0.4 µs each with slots, 0.9 µs with a dict). ``_make``, set only by
    # many(), makes the reason from ``_reason`` (then its argument) when it is first read:
    # a (function, argument) tuple per error would be a million more objects to allocate
    # and for the garbage collector to scan.
    __slots__ = ("_make", "_reason")

    def __new__(cls, text: str, reason: str | Callable[[], str] = "") -> ExcelError:
        obj = super().__new__(cls, text)
        obj._reason = reason
        return obj

    @property
    def reason(self) -> str:
        """Why the error was returned ("" when nobody said)."""
        make = getattr(self, "_make", None)  # unset unless many() made this error
        if make is not None:
            self._make = None
            self._reason = str(make(self._reason))
        elif callable(self._reason):
            self._reason = str(self._reason())
        return self._reason  # type: ignore[return-value]

    @classmethod
    def many(cls, text: str, make: Callable[..., str], *columns: Sequence[Any]
             ) -> list[ExcelError]:
        """Errors ``text``, one per row of ``columns``, the reason of row i being
        ``make(columns[0][i], columns[1][i], …)``, made when read. Built at C speed (a
        million in ~0.3 s, where calling the constructor with a partial each takes ~1.3 s);
        quickest with one column (bind the other arguments with ``functools.partial``).

        Examples
        --------
        >>> errs = ExcelError.many("#NUM!", "{} is {}".format, ["a", "b"], [1, 2])
        >>> errs == ["#NUM!", "#NUM!"], errs[1].reason
        (True, 'b is 2')
        >>> ExcelError.many("#N/A", "no {}".format, ["x"])[0].reason
        'no x'
        """
        n = len(columns[0])
        errs = list(map(str.__new__, itertools.repeat(cls, n), itertools.repeat(text)))
        args = columns[0] if len(columns) == 1 else list(zip(*columns, strict=True))
        if len(columns) > 1:
            make = functools.partial(_splat, make)
        collections.deque(map(cls._reason.__set__, errs, args),  # type: ignore[attr-defined]
                          maxlen=0)
        collections.deque(map(cls._make.__set__, errs,  # type: ignore[attr-defined]
                              itertools.repeat(make)), maxlen=0)
        return errs

    def because(self, reason: str | Callable[[], str]) -> ExcelError:
        """The same error value with a reason attached (text, or a function that makes it).

        Examples
        --------
        >>> e = NA.because("model 'x' is not in the catalog")
        >>> e == "#N/A", e.reason
        (True, "model 'x' is not in the catalog")
        """
        return ExcelError(str(self), reason)

    @property
    def code(self) -> int:
        """Excel's ``XlCVError`` number (``CVErr(xlErrNA)`` is 2042)."""
        return _CODES[str(self)]

    def __repr__(self) -> str:
        return f"ExcelError({str(self)!r})"


def _splat(make: Callable[..., str], args: tuple[Any, ...]) -> str:
    """``make(*args)``: the reason of an error of :meth:`ExcelError.many` with several
    columns."""
    return make(*args)


NULL = ExcelError("#NULL!")
DIV0 = ExcelError("#DIV/0!")
VALUE = ExcelError("#VALUE!")
REF = ExcelError("#REF!")
NAME = ExcelError("#NAME?")
NUM = ExcelError("#NUM!")
NA = ExcelError("#N/A")

#: Excel's XlCVError enumeration (Microsoft Learn, "XlCVError enumeration (Excel)").
_CODES: dict[str, int] = {
    "#NULL!": 2000, "#DIV/0!": 2007, "#VALUE!": 2015, "#REF!": 2023, "#NAME?": 2029,
    "#NUM!": 2036, "#N/A": 2042,
}
#: Every error value, in Excel's XlCVError order; the other engines' error tables (the
#: batch plan's codes, the runtime's ``formulas`` tokens) are built from this one.
ALL: tuple[ExcelError, ...] = (NULL, DIV0, VALUE, REF, NAME, NUM, NA)
#: Errors of dynamic arrays and data types (Excel 365), which a cell of an outside workbook
#: may hold; the function catalog never returns them. Codes from the same enumeration.
SPILL = ExcelError("#SPILL!")
CALC = ExcelError("#CALC!")
GETTING_DATA = ExcelError("#GETTING_DATA")
_CODES.update({"#SPILL!": 2045, "#CALC!": 2050, "#GETTING_DATA": 2043})
#: Every error value a cell can hold: :data:`ALL` and the Excel 365 ones.
EVERY: tuple[ExcelError, ...] = (*ALL, SPILL, CALC, GETTING_DATA)
#: Every error value by its text.
BY_TEXT: dict[str, ExcelError] = {str(e): e for e in EVERY}


def as_error(value: Any) -> ExcelError | None:
    """The error a value stands for — an :class:`ExcelError`, or the exact text of one as
    hosts pass error cells (xlwings ``err_to_str``, ``formulas``' ``XlError``) — else None.

    Examples
    --------
    >>> as_error("#DIV/0!") is DIV0, as_error("#N/A waiting") is None, as_error(3.0)
    (True, True, None)
    """
    if isinstance(value, ExcelError):
        return value
    if isinstance(value, str):
        return BY_TEXT.get(value)
    return None
