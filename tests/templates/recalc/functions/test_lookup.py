"""Lookup functions against Excel's stored answers.

Reference values are Excel's cached values in the corpus workbook formulas_test.xlsx,
sheet 'LOOKUP' (cell named per case), or pycel_lookup.xlsx where said; the inputs are
the cells' formulas rewritten as calls.
"""

from __future__ import annotations

import pytest

from templates.recalc.functions import xlcall
from templates.recalc.values import NA, REF, VALUE, Array, Ref


def row(*v):
    return Array([list(v)])


def col(*v):
    return Array([[x] for x in v])


NUMS = row(-1.1, 2.1, 3.1, 4.1)
MIXED = row("a", 2.1, "c bau c", 4.1)
DESC = row(4.1, 3.1, 2.1, 1.1)
TXT_FIRST = row("c bau c", 4.1, "a", 1.1)
BOOLS = row(True, 4.1, False, 1.1)


@pytest.mark.parametrize(("x", "arr", "want", "cell"), [
    # approximate MATCH is Excel's binary search, also on unsorted data
    (3.0, MIXED, 2.0, "T66"), (4.1, MIXED, 4.0, "V66"), (1.1, MIXED, NA, "S66"),
    (4.0, DESC, 4.0, "U68"), (3.0, DESC, NA, "T68"), (4.1, TXT_FIRST, 2.0, "V69"),
    (4.0, TXT_FIRST, NA, "U69"), (True, BOOLS, 3.0, "Y71"), (None, NUMS, 1.0, "W65"),
    ("*b?u*", row("", 4.1, "a", 1.1), 1.0, "X70"),
])
def test_match_approximate(x, arr, want, cell):
    assert xlcall("MATCH", x, arr) == want, cell


@pytest.mark.parametrize(("x", "arr", "want", "cell"), [
    (-2.0, NUMS, 4.0, "R83"), (1.1, NUMS, NA, "S83"), (3.0, DESC, 2.0, "T86"),
    (4.1, DESC, 1.0, "V86"), ("*b?u*", MIXED, 3.0, "X84"), (1.1, TXT_FIRST, 4.0, "S87"),
])
def test_match_descending_scans(x, arr, want, cell):
    assert xlcall("MATCH", x, arr, -1.0) == want, cell


def test_match_exact_and_wildcards():
    assert xlcall("MATCH", "*b?u*", MIXED, 0.0) == 3.0  # 'LOOKUP'!X75
    assert xlcall("MATCH", True, BOOLS, 0.0) == 1.0  # 'LOOKUP'!Y80
    assert xlcall("MATCH", 1.1, DESC, 0.0) == 4.0  # 'LOOKUP'!S77
    assert xlcall("MATCH", VALUE, NUMS, 0.0) == VALUE  # 'LOOKUP'!Z74


def test_lookup_vector_and_result():
    res = row("L", "ML", "MR", "R")
    assert xlcall("LOOKUP", 2.0, NUMS) == -1.1  # 'LOOKUP'!S56
    assert xlcall("LOOKUP", 20.0, NUMS, res) == "R"  # 'LOOKUP'!AG56
    assert xlcall("LOOKUP", 20.0, row(True, 4.1, False, "b"), res) == "ML"  # AG63
    assert xlcall("LOOKUP", True, row(True, 4.1, False, "b"), res) == "MR"  # AO63
    assert xlcall("LOOKUP", 20.0, row(True, False, "a", "b"), res) == NA  # AG64


def test_lookup_array_form():
    # pycel_lookup.xlsx Lookup!D20: LOOKUP(2, B11:F12) searches the first row
    table = Array([[0.0, 1.0, 2.0, 3.0, 4.0], ["a", "e", "i", "o", "u"]])
    assert xlcall("LOOKUP", 2.0, table) == "i"


def test_vlookup_hlookup():
    table = Array([[-1.1, 5.0], [2.1, 6.0], [3.1, 7.0], [4.1, 8.0]])
    assert xlcall("VLOOKUP", 3.0, table, 2.0, False) == NA  # 'LOOKUP'!T143
    assert xlcall("VLOOKUP", 3.0, table, 2.0, True) == 6.0  # 'LOOKUP'!T144 (-2 is TRUE)
    assert xlcall("VLOOKUP", None, table, 2.0) == 5.0  # 'LOOKUP'!W144: blank is 0
    # the column number array is read as its first value: 'LOOKUP'!R145
    assert xlcall("VLOOKUP", -1.1, table, row(2.0, 3.0)) == 5.0
    h = Array([[-1.1, 2.1, 3.1, 4.1], [5.0, 6.0, 7.0, 8.0]])
    assert xlcall("HLOOKUP", 4.1, h, 2.0, False) == 8.0  # 'LOOKUP'!V44
    assert xlcall("HLOOKUP", 4.0, h, 3.0) == REF  # row past the table


def test_lookup_blanks_binary_search():
    # pycel_lookup.xlsx LookupBlanks!E6:E11, A1:A16 with blank cells around the data
    data = [None] * 4 + [1.0, 2.0, 3.0, None, 5.0, 6.0, 7.0, 8.0] + [None] * 4
    vec = col(*data)
    assert [xlcall("MATCH", x, vec) for x in (1.0, 2.0, 6.0, 9.0, 0.0)] == \
        [5.0, 6.0, 10.0, 12.0, NA]


@pytest.mark.parametrize(("args", "want", "cell"), [
    ((-2.0, NUMS, 1.0), 1.0, "R171"), ((None, NUMS, 1.0), NA, "W171"),
    (("*b?u*", MIXED, 1.0), 1.0, "X172"), ((True, row(False, 2.1, True, 4.1), -1.0), 3.0,
                                            "Y173"),
    ((None, row(False, 2.1, True, 4.1), -1.0), 3.0, "W173"),
    ((4.1, TXT_FIRST, 0.0, 2.0), 2.0, "V175"), ((None, BOOLS, -1.0, 2.0), 4.0, "W177"),
    ((4.0, DESC, 2.0, 2.0), VALUE, "U183"), (("*b?u*", row(True, False, "a", "c bau c"),
                                              2.0), 4.0, "X179"),
])
def test_xmatch(args, want, cell):
    assert xlcall("XMATCH", *args) == want, cell


def test_xmatch_folds_case():
    # formulas_test.xlsx 'EXTRA'!L75: "ß" matches "ss"
    assert xlcall("XMATCH", "ß", row(1.0, "ss", 2.1), 0.0) == 2.0


def test_xlookup():
    res = row("L", "ML", "MR", "R")
    assert xlcall("XLOOKUP", -2.0, NUMS, row(1.0, 2.0, 3.0, 4.0), "pippo") == "pippo"  # R162
    assert xlcall("XLOOKUP", 2.0, NUMS, row(1.0, 2.0, 3.0, 4.0), "pippo", 1.0) == 2.0  # S162
    assert xlcall("XLOOKUP", -2.0, row(4.1, 2.1, 3.1, 1.1), res, 4.0, -1.0) == 4.0  # R165
    assert xlcall("XLOOKUP", 4.0, row(4.1, 2.1, 3.1, 1.1), res, 2.0, -1.0) == "MR"  # T165
    assert xlcall("XLOOKUP", VALUE, NUMS, res) == VALUE  # 'LOOKUP'!Z162
    # a 2-D return array gives the whole row (Microsoft's XLOOKUP documentation example)
    two = Array([["a", "b"], ["c", "d"]])
    assert xlcall("XLOOKUP", 2.0, col(1.0, 2.0), two) == row("c", "d")
    assert xlcall("XLOOKUP", 1.0, col(1.0, 2.0, 3.0), two) == VALUE  # lengths differ


class Book:
    def __init__(self, cells):
        self.cells = cells

    def cell_value(self, sheet, r, c):
        return self.cells.get((r, c))

    def range_rows(self, sheet, r1, c1, r2, c2):
        return [[self.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def test_index_on_arrays():
    a = Array([[2.0, 3.0], [4.0, 5.0]])
    assert xlcall("INDEX", a, 2.0) == row(4.0, 5.0)  # 'LOOKUP'!Z53
    assert xlcall("INDEX", row(2.0, 3.0, 4.0), 2.0) == 3.0  # 'LOOKUP'!Y53
    assert xlcall("INDEX", row(2.0, 3.0, 4.0), 4.0) == REF  # 'LOOKUP'!U53
    assert xlcall("INDEX", row(2.0, 3.0, 4.0), 2.0, 1.0) == REF  # 'LOOKUP'!X53
    assert xlcall("INDEX", a, row(1.0, 2.0)) == row(2.0, 4.0)  # 'LOOKUP'!AO52
    assert xlcall("INDEX", row(2.0, 3.0, 4.0, 5.0), NA) == NA  # 'LOOKUP'!AA54


def test_index_returns_references():
    book = Book({(r, c): float(10 * r + c) for r in range(1, 4) for c in range(1, 4)})
    rng = Ref(book, "S", 1, 1, 3, 3)
    assert xlcall("INDEX", rng, 2.0, 3.0) == Ref(book, "S", 2, 3, 2, 3)
    assert xlcall("INDEX", rng, 0.0, 2.0) == Ref(book, "S", 1, 2, 3, 2)  # whole column
    assert xlcall("INDEX", rng, 2.0, 0.0) == Ref(book, "S", 2, 1, 2, 3)  # whole row
    assert xlcall("INDEX", rng, 2.0) == REF  # 'LOOKUP'!R53: 2-D reference, no column
    assert xlcall("INDEX", rng, -1.0) == VALUE  # 'LOOKUP'!R54


def test_choose():
    assert xlcall("CHOOSE", 1.1, 1.0, 2.0, 3.0) == 1.0  # 'LOOKUP'!S5
    assert xlcall("CHOOSE", 4.0, 1.0, 2.0, 3.0) == VALUE  # 'LOOKUP'!U5
    assert xlcall("CHOOSE", True, 1.0, 2.0, 3.0) == 1.0  # 'LOOKUP'!Y5
    assert xlcall("CHOOSE", "1", -1.0) == -1.0  # pycel_lookup.xlsx Lookup!E44


def test_shapes_and_matrices():
    a = Array([[1.0, 2.0], [3.0, 4.0]])
    assert xlcall("ROWS", row(1.0, 2.0, 3.0)) == 1.0
    assert xlcall("COLUMNS", row(1.0, 2.0, 3.0)) == 3.0
    assert xlcall("TRANSPOSE", row(1.0, None)) == col(1.0, 0.0)
    # hand arithmetic: det = 1*4 - 2*3; inverse = [[4,-2],[-3,1]] / -2
    assert xlcall("MDETERM", a) == pytest.approx(-2.0)
    inv = xlcall("MINVERSE", a)
    assert inv.rows == [[pytest.approx(-2.0), pytest.approx(1.0)],
                        [pytest.approx(1.5), pytest.approx(-0.5)]]
    assert xlcall("MMULT", a, col(1.0, 1.0)) == col(3.0, 7.0)
    assert xlcall("MUNIT", 2.0) == Array([[1.0, 0.0], [0.0, 1.0]])
    assert str(xlcall("MINVERSE", Array([[1.0, 2.0], [2.0, 4.0]]))) == "#NUM!"
