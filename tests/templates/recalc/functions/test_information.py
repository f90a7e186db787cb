"""Information functions against Excel's answers.

Reference values: Excel's cached values in formulas_test.xlsx 'INFORMATION' and
pycel_information.xlsx (checked cell by cell) and Microsoft's documentation examples.
"""

from __future__ import annotations

import pytest

from templates.recalc.functions import xlcall
from templates.recalc.registry import Lambda
from templates.recalc.values import BY_TEXT, DIV0, NA, NUM, REF, VALUE, Array, Ref

from ._corpus import mismatches
from ._families import TEXT_LOGIC_INFORMATION

#: formulas_test 'INFORMATION': an array formula wider than the range it tests; Excel
#: computes the IS… function of #N/A in the extra cells (ISERROR → TRUE, ISBLANK → FALSE)
#: where other functions show #N/A. Filling an array formula's area is the evaluator's.
BEYOND_RANGE = {"AW6", "AW7", "AW8", "AT11", "AU11", "AV11", "AW11", "AW12", "AT13",
                "AU13", "AV13", "AW13", "AV14", "AW14", "AT18", "AU18", "AV18", "AW18"}


@pytest.mark.parametrize(("book", "sheets", "at_least"), [
    ("formulas_test.xlsx", ("INFORMATION",), 253),
    ("pycel_information.xlsx", (), 220),
])
def test_corpus_matches_excel(book: str, sheets: tuple[str, ...], at_least: int) -> None:
    checked, bad = mismatches(book, TEXT_LOGIC_INFORMATION, sheets)
    # formula cells counted once each (an array formula by its anchor), as the engine
    # and the corpus benchmark count them
    assert checked >= at_least
    unexpected = [b for b in bad if b[0].split("!")[1] not in BEYOND_RANGE]
    assert not unexpected, unexpected[:10]


def test_is_functions() -> None:
    assert xlcall("ISBLANK", None) is True
    assert xlcall("ISBLANK", "") is False
    assert xlcall("ISERR", NA) is False  # Microsoft: ISERR is every error but #N/A
    assert xlcall("ISERR", DIV0) is True
    assert xlcall("ISERROR", NA) is True
    assert xlcall("ISNA", NA) is True
    assert xlcall("ISTEXT", "#N/A") is True  # text, not an error
    assert xlcall("ISTEXT", NA) is False
    assert xlcall("ISNONTEXT", None) is True
    assert xlcall("ISNUMBER", "19") is False  # Microsoft: text that looks like a number
    assert xlcall("ISLOGICAL", True) is True
    # element-wise over arrays (formulas_test 'INFORMATION'!AH14)
    assert xlcall("ISNUMBER", Array([[1.0, "a", None, NUM]])) \
        == Array([[True, False, False, False]])


class _Book:
    def cell_value(self, sheet, r, c):
        return {(1, 1): 4.0, (1, 2): "x"}.get((r, c))

    def range_rows(self, sheet, r1, c1, r2, c2):
        return [[self.cell_value(sheet, r, c) for c in range(c1, c2 + 1)]
                for r in range(r1, r2 + 1)]


def test_iseven_isodd() -> None:
    # Microsoft's examples: ISEVEN(-1) FALSE, ISEVEN(2.5) TRUE, ISEVEN(5) FALSE
    assert xlcall("ISEVEN", -1.0) is False
    assert xlcall("ISEVEN", 2.5) is True
    assert xlcall("ISODD", -1.0) is True
    # formulas_test 'INFORMATION'!X9, Y9, W9: text is read as a number (a date here),
    # a logical is #VALUE!, an empty cell is 0
    assert xlcall("ISEVEN", "1/1/1900") is False
    assert xlcall("ISEVEN", True) == VALUE
    assert xlcall("ISEVEN", None) is True
    # 'INFORMATION'!AH9: a range of several cells is #VALUE!, even in an array formula
    assert xlcall("ISEVEN", Ref(_Book(), "S", 1, 1, 1, 2)) == VALUE
    assert xlcall("ISODD", Ref(_Book(), "S", 1, 1, 1, 1)) is False


def test_isref_n_type() -> None:
    book = _Book()
    assert xlcall("ISREF", Ref(book, "S", 1, 1, 1, 1)) is True
    assert xlcall("ISREF", 0.0) is False  # formulas_test 'INFORMATION'!R17
    # N takes a range's first cell ('INFORMATION'!AH19); Microsoft's N examples
    assert xlcall("N", Ref(book, "S", 1, 1, 1, 2)) == 4.0
    assert xlcall("N", "Even") == 0.0
    assert xlcall("N", True) == 1.0
    assert xlcall("N", REF) == REF
    assert xlcall("NA") == NA
    # TYPE: 1 number (an empty cell too), 2 text, 4 logical, 16 error, 64 array/range
    assert xlcall("TYPE", None) == 1.0  # 'INFORMATION'!W24
    assert xlcall("TYPE", "Smith") == 2.0  # Microsoft's TYPE example
    assert xlcall("TYPE", True) == 4.0
    assert xlcall("TYPE", VALUE) == 16.0
    assert xlcall("TYPE", Array([[1.0, 2.0]])) == 64.0  # Microsoft: TYPE({1,2}) is 64
    assert xlcall("TYPE", Ref(book, "S", 1, 1, 1, 2)) == 64.0  # 'INFORMATION'!AG24
    assert xlcall("TYPE", Lambda(("x",), lambda x: x)) == 128.0  # 'INFORMATION'!S24


def test_error_type() -> None:
    # Microsoft's ERROR.TYPE table; formulas_test 'INFORMATION' row 4 (T4: #GETTING_DATA)
    want = {"#NULL!": 1, "#DIV/0!": 2, "#VALUE!": 3, "#REF!": 4, "#NAME?": 5, "#NUM!": 6,
            "#N/A": 7, "#GETTING_DATA": 8, "#SPILL!": 9, "#CALC!": 14}
    for text, n in want.items():
        assert xlcall("ERROR.TYPE", BY_TEXT[text]) == float(n), text
    assert xlcall("ERROR.TYPE", 1.0) == NA
