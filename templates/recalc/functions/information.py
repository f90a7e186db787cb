"""Information functions: the IS… tests, N, NA, TYPE, ERROR.TYPE.

The IS… tests never fail: they receive errors as values and are element-wise over
arrays (a range in an array formula). ISEVEN and ISODD are the exception Excel makes —
they came from the Analysis ToolPak and read their number its way
(:mod:`templates.recalc.functions._atp`): a multi-cell range is ``#VALUE!`` even in an
array formula, a logical is ``#VALUE!``, text is read as a number (``"1/1/1900"`` is 1).
N and TYPE look at a range as a whole (N takes its first cell, TYPE is 64), as Excel's
answers in formulas_test.xlsx 'INFORMATION' show.

ISFORMULA, FORMULATEXT, CELL, INFO, SHEET and SHEETS need the workbook and live with it.
"""

from __future__ import annotations

import math

from templates.recalc.functions._atp import atp
from templates.recalc.registry import Lambda, xlfunction
from templates.recalc.values import (
    NA,
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__: list[str] = []


def _err(v: Any) -> bool:
    return type(v) is ExcelError


@xlfunction("ISBLANK", "scalar_e")
def ISBLANK(value: Any) -> bool:
    """Returns TRUE if the value is blank (an empty cell; ``""`` is not blank)."""
    return value is None


@xlfunction("ISERR", "scalar_e")
def ISERR(value: Any) -> bool:
    """Returns TRUE if the value is any error value except #N/A."""
    return _err(value) and value != NA


@xlfunction("ISERROR", "scalar_e")
def ISERROR(value: Any) -> bool:
    """Returns TRUE if the value is any error value."""
    return _err(value)


@xlfunction("ISNA", "scalar_e")
def ISNA(value: Any) -> bool:
    """Returns TRUE if the value is the #N/A error value."""
    return _err(value) and value == NA


@xlfunction("ISTEXT", "scalar_e")
def ISTEXT(value: Any) -> bool:
    """Returns TRUE if the value is text."""
    return type(value) is str


@xlfunction("ISNONTEXT", "scalar_e")
def ISNONTEXT(value: Any) -> bool:
    """Returns TRUE if the value is not text (blank cells and errors included)."""
    return type(value) is not str


@xlfunction("ISNUMBER", "scalar_e")
def ISNUMBER(value: Any) -> bool:
    """Returns TRUE if the value is a number."""
    return type(value) is float or type(value) is int


@xlfunction("ISLOGICAL", "scalar_e")
def ISLOGICAL(value: Any) -> bool:
    """Returns TRUE if the value is a logical value."""
    return type(value) is bool


@xlfunction("ISEVEN", "any")
@atp("n")
def ISEVEN(number: float) -> bool:
    """Returns TRUE if the number (truncated) is even."""
    if not math.isfinite(number):
        raise XLFail(VALUE)
    return math.trunc(number) % 2 == 0


@xlfunction("ISODD", "any")
@atp("n")
def ISODD(number: float) -> bool:
    """Returns TRUE if the number (truncated) is odd."""
    if not math.isfinite(number):
        raise XLFail(VALUE)
    return math.trunc(number) % 2 == 1


@xlfunction("ISREF", "ref")
def ISREF(value: Any) -> bool:
    """Returns TRUE if the value is a reference."""
    return isinstance(value, (Ref, MultiRef))


def _n(v: Any) -> Any:
    t = type(v)
    if t is float or t is int:
        return float(v)
    if t is bool:
        return 1.0 if v else 0.0
    if t is ExcelError:
        return v
    return 0.0


@xlfunction("N", "any")
def N(value: Any) -> Any:
    """Returns a value converted to a number: numbers stay, TRUE is 1, dates are their
    serial numbers, anything else is 0 (a range gives its first cell)."""
    if isinstance(value, MultiRef):
        value = value.areas[0]
    if isinstance(value, Ref):
        value = value.value()
    if isinstance(value, Array):
        return value.map(_n)
    return _n(value)


@xlfunction("NA")
def NA_() -> ExcelError:
    """Returns the error value #N/A."""
    return NA


@xlfunction("TYPE", "any")
def TYPE(value: Any) -> int:
    """Returns a number indicating the data type of a value: 1 number (and empty),
    2 text, 4 logical, 16 error, 64 array or range, 128 LAMBDA."""
    if isinstance(value, Ref):
        if not value.is_cell:
            return 64
        value = value.value()
    if isinstance(value, (Array, MultiRef)):
        return 64
    if isinstance(value, Lambda):
        return 128
    t = type(value)
    if t is ExcelError:
        return 16
    if t is bool:
        return 4
    if t is str:
        return 2
    return 1


#: ERROR.TYPE's numbers (Microsoft's ERROR.TYPE reference, Excel 365 errors included).
ERROR_NUMBERS = {
    "#NULL!": 1, "#DIV/0!": 2, "#VALUE!": 3, "#REF!": 4, "#NAME?": 5, "#NUM!": 6,
    "#N/A": 7, "#GETTING_DATA": 8, "#SPILL!": 9, "#CONNECT!": 10, "#BLOCKED!": 11,
    "#UNKNOWN!": 12, "#FIELD!": 13, "#CALC!": 14,
}


@xlfunction("ERROR.TYPE", "scalar_e")
def ERROR_TYPE(error_val: Any) -> Any:
    """Returns a number corresponding to an error type (``#N/A`` for a value that is
    not an error)."""
    if not _err(error_val):
        return NA
    return ERROR_NUMBERS.get(str(error_val), NA)
