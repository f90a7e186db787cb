"""The formula parser's tokens: names beyond ASCII, white space as Excel's intersection
operator. The trees are what Excel's grammar gives (ECMA-376 §18.17.2: a space between
two references is the intersection; any character from U+00C0 up may be part of a name
in this grammar, as in the corpus's non-ASCII sheet and defined names)."""

from __future__ import annotations

import re

import pytest

from templates.recalc.parser import (
    _NAME_REST,
    _NAME_START,
    _NAME_TAIL,
    FormulaSyntaxError,
    parse,
)

A1 = ("ref", None, 1, 1, 1, 1, (False, False, False, False))
B1 = ("ref", None, 1, 2, 1, 2, (False, False, False, False))


@pytest.mark.parametrize(("cls", "readable"), [
    (_NAME_START, r"[A-Za-z_\\]"),
    (_NAME_REST.rstrip("*"), r"[\w.\\]"),
    (_NAME_TAIL.rstrip("*"), r"[\w.\\?]"),
])
def test_name_classes_are_the_readable_ones(cls: str, readable: str) -> None:
    # the negated class must take exactly "readable, or any character from U+00C0 up";
    # every code point below U+0800 and a stride over the rest of Unicode
    fast, slow = re.compile(cls), re.compile(readable + r"|[^\x00-\xbf]")
    points = [*range(0x800), *range(0x800, 0x110000, 61)]
    assert [c for c in points
            if bool(fast.fullmatch(chr(c))) != bool(slow.fullmatch(chr(c)))] == []


def test_space_between_references_is_intersection() -> None:
    assert parse("=A1 B1") == ("op", " ", A1, B1)
    assert parse("=  A1  +  1 ") == ("op", "+", A1, ("num", 1.0))
    args = parse("=SUM(A1:B2 B1:C3)")[2]
    assert len(args) == 1 and args[0][:2] == ("op", " ")


def test_space_before_call_parentheses() -> None:
    # (LAMBDA(…))(2) calls the lambda; with a space the parentheses are an operand of
    # the intersection operator, as before white space was dropped at tokenising
    called = parse("=(LAMBDA(x,x+1))(2)")
    assert called[0] == "call" and called[2] == (("num", 2.0),)
    assert parse("=(LAMBDA(x,x+1)) (2)")[0] == "op"


def test_names_and_sheets_beyond_ascii() -> None:
    assert parse("=Ümsatz*2") == ("op", "*", ("name", "Ümsatz", None), ("num", 2.0))
    assert parse("=Café!A1") == ("ref", "Café", 1, 1, 1, 1, (False, False, False, False))
    assert parse("=Xµ1")[:2] == ("name", "Xµ1")  # µ (U+00B5) is a word character
    with pytest.raises(FormulaSyntaxError, match="unexpected '§'"):
        parse("=A1§2")  # § (U+00A7) is neither a word character nor from U+00C0 up
