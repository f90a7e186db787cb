"""Dynamic-array functions and LAMBDA helpers against Excel's stored answers.

Reference values are Excel's cached values in the corpus workbook formulas_test.xlsx
(sheet and cell named per case); cells that show ``#VALUE!`` there but whose rich-value
metadata says error type 13 are ``#CALC!`` (Excel stores the new error that way).
"""

from __future__ import annotations

from templates.recalc.functions import xlcall
from templates.recalc.registry import Lambda
from templates.recalc.values import CALC, NA, NUM, VALUE, Array, ExcelError

DIV0 = ExcelError("#DIV/0!")
A = Array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])


def row(*v):
    return Array([list(v)])


def col(*v):
    return Array([[x] for x in v])


def test_take_drop_expand():
    assert xlcall("TAKE", A, -2.0) == Array([[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])  # 'LOOKUP'!R123
    assert xlcall("TAKE", A, 0.0) == CALC  # 'LOOKUP'!U123
    assert xlcall("TAKE", A, "1.1", 2.0) == row(1.0, 2.0)  # 'LOOKUP'!Y124
    assert xlcall("TAKE", A, "1.1", col(1.0, 2.0, 1.0)) == col(1.0, 1.0, 1.0)  # AE123
    assert xlcall("DROP", A, 4.0) == CALC  # 'LOOKUP'!U16
    assert xlcall("DROP", A, "1.1", col(1.0, 2.0, 1.0)) == col(5.0, 6.0, 5.0)  # AE16
    assert xlcall("DROP", A, NA) == NA  # 'LOOKUP'!R17
    assert xlcall("EXPAND", row(1.0), 2.0, 2.0, 4.0) == Array([[1.0, 4.0], [4.0, 4.0]])  # U19
    assert xlcall("EXPAND", row(1.0), 3.0) == col(1.0, NA, NA)  # 'LOOKUP'!T19
    assert xlcall("EXPAND", row(1.0), 0.0) == VALUE  # 'LOOKUP'!W20
    assert xlcall("EXPAND", row(1.0), None, 2.0) == row(1.0, NA)  # rows left out


def test_choosecols_chooserows():
    assert xlcall("CHOOSECOLS", A, -3.9) == col(1.0, 4.0, 7.0)  # 'LOOKUP'!R6
    assert xlcall("CHOOSECOLS", A, 4.0) == VALUE  # 'LOOKUP'!U6
    assert xlcall("CHOOSECOLS", A, col(1.1, 2.0), row(1.1, 2.0)).rows[0] == \
        [1.0, 2.0, 1.0, 2.0]  # 'LOOKUP'!AO6
    assert xlcall("CHOOSECOLS", A, Array([[1.0, 2.0], [1.0, 1.0]])) == VALUE  # AH6
    assert xlcall("CHOOSEROWS", A, 2.9) == row(4.0, 5.0, 6.0)  # 'LOOKUP'!T11
    assert xlcall("CHOOSEROWS", A, DIV0) == DIV0  # 'LOOKUP'!AB9


def test_tocol_torow():
    a = Array([[1.0, 2.0], [VALUE, None]])  # 'LOOKUP'!C127:D128
    assert xlcall("TOCOL", a, 1.1) == col(1.0, 2.0, VALUE)  # S126
    assert xlcall("TOCOL", a, 2.9, 1.0) == col(1.0, 2.0, 0.0)  # T126
    assert xlcall("TOCOL", a, 4.0) == VALUE  # U126
    assert xlcall("TOROW", a, "01/01/1900", 1.0) == row(1.0, VALUE, 2.0)  # W130
    assert xlcall("TOROW", a, None) == row(1.0, 2.0, VALUE, 0.0)  # W131


def test_stack_and_wrap():
    got = xlcall("HSTACK", col(-1.1, -1.1), row(2.1), col(3.0, 3.0, 3.0))
    assert got == Array([[-1.1, 2.1, 3.0], [-1.1, NA, 3.0], [NA, NA, 3.0]])  # 'LOOKUP'!R47
    assert xlcall("VSTACK", row(1.0, 2.0), row(3.0)) == Array([[1.0, 2.0], [3.0, NA]])
    nine = row(*[float(i) for i in range(1, 10)])
    w = xlcall("WRAPROWS", nine, 2.0, 6.0)  # 'LOOKUP'!L155
    assert w.rows[0] == [1.0, 2.0] and w.rows[-1] == [9.0, 6.0]
    w = xlcall("WRAPCOLS", nine, 2.0, 6.0)  # 'LOOKUP'!F155
    assert w.rows == [[1.0, 3.0, 5.0, 7.0, 9.0], [2.0, 4.0, 6.0, 8.0, 6.0]]
    assert xlcall("WRAPROWS", nine, 0.0) == NUM  # 'LOOKUP'!O156


def test_filter():
    data = row(-1.1, 2.1)
    assert xlcall("FILTER", data, row(4.1, None)) == -1.1  # 'LOOKUP'!V22
    assert xlcall("FILTER", data, row(None, "b")) == VALUE  # 'LOOKUP'!X22
    assert xlcall("FILTER", data, row(NA, DIV0)) == NA  # 'LOOKUP'!AA22
    assert xlcall("FILTER", data, True) == data  # 'LOOKUP'!Y22
    assert xlcall("FILTER", data, None) == CALC  # 'LOOKUP'!W22
    two = Array([["a", 2.1, "b", 4.1], ["a", 2.1, "b", 4.1]])
    assert xlcall("FILTER", two, row(False, -2.1, 0.0, 4.1)) == \
        Array([[2.1, 4.1], [2.1, 4.1]])  # 'EXTRA'!K16
    assert xlcall("FILTER", two, True) == VALUE  # 'EXTRA'!O19
    assert xlcall("FILTER", row("a", 2.1), row(False, False), "A") == "A"  # 'EXTRA'!K20


def test_sort_and_sortby():
    a = Array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])  # 'LOOKUP'!C117:D119
    assert xlcall("SORT", a, 1.0, -1.0, 1.0) == Array([[3.0, 1.0], [2.0, 2.0], [1.0, 3.0]])
    mixed = row(VALUE, 1.0, 3.0, 2.0, 2.0, "b", DIV0, NA, True, False, None)
    got = xlcall("SORT", mixed, 1.0, 1.0, 1.0).rows[0]  # 'LOOKUP'!U119 (+ a blank)
    assert got == [1.0, 2.0, 2.0, 3.0, "b", False, True, DIV0, VALUE, NA, 0.0]
    assert xlcall("SORT", a, -1.0) == VALUE  # 'LOOKUP'!T117
    assert xlcall("SORT", row(2.0, 1.0, 2.0, 1.0), 1.0, col(1.0, -1.0)) == VALUE  # AR118
    got = xlcall("SORTBY", a, col(2.0, None, None), 1.0, col(3.0, 2.0, 1.0), 1.0)
    assert got == Array([[1.0, 3.0], [3.0, 1.0], [2.0, 2.0]])  # 'LOOKUP'!T120
    got = xlcall("SORTBY", Array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), row(3.0, 2.0, 2.0), 1.0,
                 row(5.0, 1.0, 4.0), -1.0)
    assert got == Array([[3.0, 2.0, 1.0], [6.0, 5.0, 4.0]])  # 'LOOKUP'!Y121
    # by arrays of both orientations: 'LOOKUP'!V120
    assert xlcall("SORTBY", a, row(1.0, 2.0), 1.0, col(3.0, 2.0, 1.0), 1.0) == VALUE


def test_unique_and_sequence():
    assert xlcall("UNIQUE", row(1.0, 2.0, 2.0, 1.0), 1.0) == row(1.0, 2.0)  # 'LOOKUP'!S140
    assert xlcall("UNIQUE", row(1.0, 1.0, 2.0, 2.0), 1.0, 1.0) == CALC  # 'LOOKUP'!R140
    assert xlcall("UNIQUE", col("a", "A", "b")) == col("a", "b")  # case-insensitive
    assert xlcall("SEQUENCE", 2.0, 2.0, 0.0, 0.5) == Array([[0.0, 0.5], [1.0, 1.5]])
    assert xlcall("SEQUENCE", 0.0) == CALC


def lam(fn, *names):
    return Lambda(names or ("x",), fn)


def total(a):
    return sum(v for v in a.flat() if type(v) is float)


def test_lambda_helpers():
    # 'LOGICAL'!R5:R6, BYROW(C4:J5, LAMBDA(x, SUM(x))) with SUM skipping text in arrays
    data = Array([[0.0, 1.0, 2.3, 0.0, -1.0, None, "0", False],
                  [0.0, 1.0, 2.3, 1.0, -1.0, None, "0", False]])
    assert xlcall("BYROW", data, lam(total)) == col(2.3, 3.3)
    assert xlcall("BYCOL", Array([[1.0, 2.0], [3.0, 4.0]]), lam(total)) == row(4.0, 6.0)
    sq = lam(lambda a: a * a, "a")
    assert xlcall("MAP", Array([[1.0, 2.0], [3.0, 4.0]]), sq) == Array([[1.0, 4.0], [9.0, 16.0]])
    step = lam(lambda a, b: (a or 0.0) + b * b, "a", "b")
    assert xlcall("REDUCE", 1.0, row(1.0, 2.0, 3.0), step) == 15.0  # 'LOGICAL'!S22 family
    assert xlcall("SCAN", 1.0, col(1.0, 3.0), step) == col(2.0, 11.0)  # hand arithmetic
    mk = lam(lambda r, c: r + 1 + c, "r", "c")
    assert xlcall("MAKEARRAY", 1.0, 1.0, mk) == 3.0  # 'LOGICAL'!S15
    assert xlcall("MAKEARRAY", 1.0, "1", mk) == VALUE  # 'LOGICAL'!T15
    assert xlcall("MAP", row(1.0), lam(lambda a: row(a, a), "a")) == CALC  # nested array
    assert xlcall("BYROW", data, 3.0) == VALUE
    assert xlcall("ISOMITTED", None) is True
