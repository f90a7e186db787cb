"""Excel error values, in one place.

``formulas`` represents an Excel error as an ``XlError`` token; these are its own
constants (so identity and equality checks against what it computes work), re-exported
under Excel's names. Strings are what Excel shows and what our JSON output carries.
"""

from __future__ import annotations

from typing import Any

from formulas.tokens.operand import Error, XlError

from udfs import excel_errors as _excel

#: Every error value ``formulas`` knows, keyed by the text Excel shows.
ERRORS: dict[str, XlError] = dict(Error.errors)

# The same names as udfs.excel_errors (the one list of Excel errors), as formulas' tokens.
NULL, DIV0, VALUE, REF, NAME, NUM, NA = (ERRORS[str(e)] for e in _excel.ALL)

#: Error strings Excel stores in a cell (``<c t="e"><v>#N/A</v></c>``); ``#GETTING_DATA``
#: is transient in Excel and never saved, but ``formulas`` knows it.
ERROR_STRINGS: frozenset[str] = frozenset(ERRORS) | {"#SPILL!", "#CALC!"}


def is_error(value: Any) -> bool:
    """Return True when *value* is an Excel error (``XlError``).

    Examples
    --------
    >>> is_error(NA), is_error("#N/A"), is_error(1.0)
    (True, False, False)
    """
    return isinstance(value, XlError)


def error_string(value: XlError) -> str:
    """Return the text Excel shows for an error value.

    Examples
    --------
    >>> error_string(DIV0)
    '#DIV/0!'
    """
    return str(value) if str(value) in ERRORS else "#VALUE!"
