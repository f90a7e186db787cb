"""Logical functions against Excel's answers.

Reference values: Excel's cached values in formulas_test.xlsx 'LOGICAL' and
pycel_logical.xlsx (checked cell by cell), Microsoft's documentation examples, and the
laziness Excel guarantees (only the chosen branch of IF/IFS/SWITCH/IFERROR is computed).
"""

from __future__ import annotations

import pytest

from templates.recalc.functions import FUNCTIONS, xlcall
from templates.recalc.registry import MISSING, call
from templates.recalc.values import DIV0, NA, VALUE, Array, Ref

from ._corpus import mismatches
from ._families import TEXT_LOGIC_INFORMATION


@pytest.mark.parametrize(("book", "sheets", "at_least"), [
    ("formulas_test.xlsx", ("LOGICAL",), 203),
    ("pycel_logical.xlsx", (), 514),
])
def test_corpus_matches_excel(book: str, sheets: tuple[str, ...], at_least: int) -> None:
    checked, bad = mismatches(book, TEXT_LOGIC_INFORMATION, sheets)
    # formula cells counted once each (an array formula by its anchor), as the engine
    # and the corpus benchmark count them
    assert checked >= at_least
    assert not bad, bad[:10]


class _Ctx:
    array_mode = True
    cell = None
    book = None


def _lazy(name: str, *thunks):
    return call(FUNCTIONS[name], _Ctx(), list(thunks))


def _boom():
    raise AssertionError("a branch Excel does not evaluate was evaluated")


def test_if_is_lazy() -> None:
    assert _lazy("IF", lambda: True, lambda: 1.0, _boom) == 1.0
    assert _lazy("IF", lambda: 0.0, _boom, lambda: "no") == "no"
    assert _lazy("IFERROR", lambda: 3.0, _boom) == 3.0
    assert _lazy("IFNA", lambda: DIV0, _boom) == DIV0
    assert _lazy("IFS", lambda: False, _boom, lambda: True, lambda: "b") == "b"
    assert _lazy("SWITCH", lambda: 2.0, lambda: 1.0, _boom, lambda: 2.0, lambda: "two",
                 _boom) == "two"


def test_if_defaults() -> None:
    # formulas_test 'LOGICAL'!T8: no value_if_false is FALSE; a written-empty one is 0
    assert xlcall("IF", False, 1.0) is False
    assert _lazy("IF", lambda: False, lambda: 1.0, MISSING) == 0.0
    assert xlcall("IF", "ciao", 1.0) == VALUE  # 'LOGICAL'!X8
    assert xlcall("IF", NA, 1.0) == NA  # 'LOGICAL'!AA8


def test_if_array_condition_lifts() -> None:
    # formulas_test 'LOGICAL'!AH8, AN8: element-wise over condition and branches
    got = xlcall("IF", Array([[0.0, 1.0]]), Array([[1.0, 2.3]]))
    assert got == Array([[False, 2.3]])
    got = xlcall("IF", Array([["ciao", True, VALUE]]), Array([[1.0, 2.3, 10.0]]),
                 Array([[10.0, -1.0, None]]))
    assert got == Array([[VALUE, 2.3, VALUE]])
    # Microsoft: IF with an array constant spills
    assert xlcall("IF", Array([[True, False]]), "y", "n") == Array([["y", "n"]])


def test_iferror_ifna() -> None:
    assert xlcall("IFERROR", DIV0, "ERROR") == "ERROR"  # pycel_logical 'Logical'!J3
    assert xlcall("IFNA", DIV0, "AN NA") == DIV0  # pycel_logical 'Logical'!M3
    assert xlcall("IFNA", NA, "AN NA") == "AN NA"  # pycel_logical 'Logical'!M9
    # formulas_test 'LOGICAL'!AH9: errors replaced element by element
    got = xlcall("IFERROR", Array([[VALUE, NA]]), Array([["ciao", True]]))
    assert got == Array([["ciao", True]])


def test_ifs() -> None:
    # formulas_test 'LOGICAL'!S11, U11, AJ11
    assert xlcall("IFS", 1.0, 2.3, 0.0, -1.0) == 2.3
    assert xlcall("IFS", 0.0, -1.0, None, "0") == NA
    got = xlcall("IFS", Array([[0.0, 1.0]]), Array([["0", True]]), Array([[2.3, 0.0]]),
                 Array([[1.0, 2.3]]))
    assert got == Array([[1.0, True]])
    # Microsoft's IFS example (grades)
    assert xlcall("IFS", False, "A", False, "B", True, "C") == "C"


def test_switch() -> None:
    # Excel compares text without regard to case (pycel_logical 'Switch'!C33: "UPPER"
    # matches "Upper"); the formulas library compared case-sensitively
    assert xlcall("SWITCH", "UPPER", "Upper", "match") == "match"
    # no conversion between types: TRUE is not 1 ('Switch'!C28); an empty cell is 0
    # but neither "" nor FALSE ('Switch'!C36, C38, C32)
    assert xlcall("SWITCH", True, 1.0, "match") == NA
    assert xlcall("SWITCH", 0.0, None, "match") == "match"
    assert xlcall("SWITCH", None, "", "match") == NA
    assert xlcall("SWITCH", False, None, "match") == NA
    # Microsoft's SWITCH examples: default and #N/A
    assert xlcall("SWITCH", 2.0, 1.0, "Sunday", 2.0, "Monday", 3.0, "Tuesday",
                  "No match") == "Monday"
    assert xlcall("SWITCH", 99.0, 1.0, "Sunday", 2.0, "Monday") == NA
    # formulas_test 'LOGICAL'!AH25: element-wise over an array expression
    got = xlcall("SWITCH", Array([[0.0, 2.0, 10.0]]), 2.0, 0.0, 0.0, 3.0, 7.0)
    assert got == Array([[3.0, 0.0, 7.0]])


def test_and_or_xor() -> None:
    # formulas_test 'LOGICAL'!AT3, AS3, AR3: typed text other than TRUE/FALSE is skipped,
    # the first error wins, a range with no logicals is #VALUE!
    assert xlcall("AND", True, "0") is True
    assert xlcall("AND", True, "ciao", VALUE, "0") == VALUE
    assert xlcall("AND", Array([[None, "0"]])) == VALUE
    assert xlcall("OR", Array([["ciao", 0.0]]), False) is False
    assert xlcall("XOR", Array([[0.0, 1.0]]), 0.0) is True  # 'LOGICAL'!AT27
    assert xlcall("AND", "TRUE", 1.0) is True
    # Microsoft's XOR example: XOR(3>0,2<9) is FALSE
    assert xlcall("XOR", True, True) is False


def test_not_true_false() -> None:
    assert xlcall("NOT", None) is True  # formulas_test 'LOGICAL'!W20
    assert xlcall("NOT", "0") == VALUE  # 'LOGICAL'!X20
    assert xlcall("NOT", Array([[0.0, 2.3]])) == Array([[True, False]])
    assert xlcall("TRUE") is True
    assert xlcall("FALSE") is False


class _Book:
    def cell_value(self, sheet, r, c):
        return float(r)

    def range_rows(self, sheet, r1, c1, r2, c2):
        return [[float(r) for _ in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def test_if_returns_references() -> None:
    # IF's chosen branch is what it evaluates to: SUM(IF(TRUE, A1:A3)) sums the range,
    # OFFSET/INDEX/ISREF see a reference (Microsoft: IF can return a reference)
    ref = Ref(_Book(), "S", 1, 1, 3, 1)
    assert _lazy("IF", lambda: True, lambda: ref) is ref
    # a multi-cell condition outside an array formula is the cell in the formula's row
    ctx = _Ctx()
    ctx.array_mode = False
    ctx.cell = ("S", 2, 5)
    assert call(FUNCTIONS["IF"], ctx, [lambda: Ref(_Book(), "S", 1, 1, 3, 1),
                                       lambda: "row 2 is not 0"]) == "row 2 is not 0"
