"""Engineering functions against Excel: its stored values in the outside corpus (every
formula cell of the family in xlc_BASES.xlsx, formulas_test.xlsx 'ENGINEERING' and the
CONVERT table of formulas_test.xlsx 'EXTRA'), Microsoft's documented examples and
hand-worked cases."""

from __future__ import annotations

from typing import Any

import pytest

from templates.recalc.functions import xlcall
from templates.recalc.values import Array, Ref

from ._corpus import mismatches

BASES = {"DEC2BIN", "DEC2OCT", "DEC2HEX", "BIN2DEC", "BIN2OCT", "BIN2HEX", "OCT2BIN",
         "OCT2DEC", "OCT2HEX", "HEX2BIN", "HEX2DEC", "HEX2OCT"}
COMPLEX = {"COMPLEX", "IMABS", "IMAGINARY", "IMARGUMENT", "IMCONJUGATE", "IMCOS", "IMCOSH",
           "IMCOT", "IMCSC", "IMCSCH", "IMDIV", "IMEXP", "IMLN", "IMLOG10", "IMLOG2",
           "IMPOWER", "IMPRODUCT", "IMREAL", "IMSEC", "IMSECH", "IMSIN", "IMSINH", "IMSQRT",
           "IMSUB", "IMSUM", "IMTAN"}
ENGINEERING = BASES | COMPLEX | {
    "BITAND", "BITOR", "BITXOR", "BITLSHIFT", "BITRSHIFT", "DELTA", "GESTEP", "ERF",
    "ERF.PRECISE", "ERFC", "ERFC.PRECISE", "BESSELI", "BESSELJ", "BESSELK", "BESSELY",
    "CONVERT"}


@pytest.mark.parametrize(("book", "sheets", "at_least"), [
    ("xlc_BASES.xlsx", (), 2741),
    ("formulas_test.xlsx", ("ENGINEERING",), 902),
    ("formulas_test.xlsx", ("EXTRA",), 3561),
])
def test_corpus_matches_excel(book: str, sheets: tuple[str, ...], at_least: int) -> None:
    # Excel's stored value of every formula cell of the family in the workbook; numbers to
    # 1e-9 relative (Bessel, ERF and the base conversions agree to the last bit, a few
    # CONVERT factors in the last bit), complex-number text exactly
    checked, bad = mismatches(book, ENGINEERING, sheets)
    assert not bad, "\n".join(map(str, bad[:20]))
    # formula cells counted once each (an array formula by its anchor), as the engine
    # and the corpus benchmark count them
    assert checked >= at_least


def test_bessel_is_excel_to_the_last_digit() -> None:
    # Excel's stored values, formulas_test.xlsx 'ENGINEERING'!T3, V3, V4, S4, T5, T6:
    # Excel's approximations, not the exact functions (J0(1) = 0.76519768655796…)
    assert xlcall("BESSELI", 2.3, 2.0) == 1.0054316669125958
    assert xlcall("BESSELI", -1.0, None) == 1.2660658480342601
    assert xlcall("BESSELJ", -1.0, None) == 0.7651976837548592
    assert xlcall("BESSELJ", 10000000.0, 2.3) == 8.683739567294922e-05
    assert xlcall("BESSELK", 2.3, 2.0) == 0.1617333633782021
    assert xlcall("BESSELY", 2.3, 2.0) == -0.4726168566767928


# --- a tiny workbook for references ------------------------------------------------------


class _Book:
    def __init__(self, cells: dict[tuple[int, int], Any]) -> None:
        self.cells = cells

    def cell_value(self, sheet: str, r: int, c: int) -> Any:
        return self.cells.get((r, c))

    def range_rows(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[list[Any]]:
        return [[self.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def _ref(book: _Book, r1: int, c1: int, r2: int | None = None, c2: int | None = None) -> Ref:
    return Ref(book, "S", r1, c1, r2 or r1, c2 or c1)


def test_places_from_a_cell_reference() -> None:
    # =DEC2HEX(A1,B1) was once #VALUE! where =DEC2HEX(A1,4) worked; hand arithmetic:
    # 255 = FF, padded to 4 places "00FF"; places from a cell holding text "4" too
    # (xlc_BASES.xlsx 'non-numeric'!R14: BIN2HEX(110,"5") is "00006")
    book = _Book({(1, 1): 255.0, (1, 2): 4.0, (1, 3): "4", (1, 4): 110.0, (1, 5): "5"})
    a1, b1, c1 = _ref(book, 1, 1), _ref(book, 1, 2), _ref(book, 1, 3)
    assert xlcall("DEC2HEX", a1, 4.0) == "00FF"
    assert xlcall("DEC2HEX", a1, b1) == "00FF"
    assert xlcall("DEC2HEX", a1, c1) == "00FF"
    assert xlcall("BIN2HEX", _ref(book, 1, 4), _ref(book, 1, 5)) == "00006"


def test_places_through_the_evaluator() -> None:
    from templates.recalc import formula

    # =DEC2HEX(A1,B1) was #VALUE! while =DEC2HEX(A1,4) worked (issue 12): both "00FF"
    assert formula.evaluate("=DEC2HEX(A1,4)", {"A1": 255.0}) == "00FF"
    assert formula.evaluate("=DEC2HEX(A1,B1)", {"A1": 255.0, "B1": 4.0}) == "00FF"
    assert formula.evaluate("=DEC2HEX(A1,4)", {"A1": 255.0}) == "00FF"


# --- number bases: Microsoft's examples and Excel's rules -------------------------------


@pytest.mark.parametrize(("fn", "args", "expected"), [
    # Microsoft's documentation examples for each function
    ("DEC2BIN", (9.0, 4.0), "1001"), ("DEC2BIN", (-100.0,), "1110011100"),
    ("DEC2OCT", (58.0, 3.0), "072"), ("DEC2OCT", (-100.0,), "7777777634"),
    ("DEC2HEX", (100.0, 4.0), "0064"), ("DEC2HEX", (-54.0,), "FFFFFFFFCA"),
    ("DEC2HEX", (28.0,), "1C"), ("DEC2HEX", (64.0, 1.0), "#NUM!"),
    ("BIN2DEC", (1100100.0,), 100.0), ("BIN2DEC", (1111111111.0,), -1.0),
    ("BIN2OCT", (1001.0, 3.0), "011"), ("BIN2OCT", (1100100.0,), "144"),
    ("BIN2OCT", (1111111111.0,), "7777777777"),
    ("BIN2HEX", (11111011.0, 4.0), "00FB"), ("BIN2HEX", (1110.0,), "E"),
    ("BIN2HEX", (1111111111.0,), "FFFFFFFFFF"),
    ("OCT2BIN", (3.0, 3.0), "011"), ("OCT2BIN", (7777777000.0,), "1000000000"),
    ("OCT2DEC", (54.0,), 44.0), ("OCT2DEC", (7777777533.0,), -165.0),
    ("OCT2HEX", (100.0, 4.0), "0040"), ("OCT2HEX", (7777777533.0,), "FFFFFFFF5B"),
    ("HEX2BIN", ("F", 8.0), "00001111"), ("HEX2BIN", ("B7",), "10110111"),
    ("HEX2BIN", ("FFFFFFFFFF",), "1111111111"),
    ("HEX2DEC", ("A5",), 165.0), ("HEX2DEC", ("FFFFFFFF5B",), -165.0),
    ("HEX2DEC", ("3DA408B9",), 1034160313.0),
    ("HEX2OCT", ("F", 3.0), "017"), ("HEX2OCT", ("3B4E",), "35516"),
    ("HEX2OCT", ("FFFFFFFF00",), "7777777400"),
])
def test_documented_examples(fn: str, args: tuple, expected: Any) -> None:
    got = xlcall(fn, *args)
    assert (str(got) if isinstance(expected, str) else got) == expected


def test_base_ranges_and_places() -> None:
    # xlc_BASES.xlsx 'places' and formulas_test.xlsx 'ENGINEERING' rows 17-19: numbers are
    # truncated; outside the 10-digit two's complement range #NUM!; places truncated and
    # checked (1..10) before the number is read; ignored for negative numbers
    assert xlcall("DEC2BIN", 511.7) == "111111111"
    assert xlcall("DEC2BIN", -512.7) == "1000000000"
    assert str(xlcall("DEC2BIN", 512.0)) == "#NUM!"
    assert str(xlcall("DEC2BIN", -513.0)) == "#NUM!"
    assert xlcall("DEC2HEX", 549755813887.0) == "7FFFFFFFFF"
    assert xlcall("DEC2HEX", -549755813888.0) == "8000000000"
    assert str(xlcall("DEC2OCT", 536870912.0)) == "#NUM!"
    assert xlcall("DEC2BIN", 10.0, 4.9) == "1010"
    assert str(xlcall("DEC2BIN", 10.0, 3.0)) == "#NUM!"
    assert str(xlcall("DEC2BIN", 10.0, 0.0)) == "#NUM!"
    assert str(xlcall("DEC2BIN", 10.0, 11.0)) == "#NUM!"
    assert str(xlcall("DEC2BIN", 10.0, -1.0)) == "#NUM!"
    assert xlcall("DEC2BIN", -25.0, 1.0) == "1111100111"
    assert str(xlcall("DEC2BIN", "E", 0.0)) == "#NUM!"
    assert str(xlcall("DEC2BIN", "E", 1.0)) == "#VALUE!"
    assert str(xlcall("DEC2BIN", 10.0, "x")) == "#VALUE!"
    assert str(xlcall("DEC2BIN", 10.0, True)) == "#VALUE!"
    assert str(xlcall("HEX2BIN", "200")) == "#NUM!"  # 512 needs 11 binary digits
    assert xlcall("HEX2BIN", "FFFFFFFE00") == "1000000000"
    assert str(xlcall("HEX2OCT", "FFDFFFFFFF")) == "#NUM!"


def test_base_argument_types() -> None:
    # xlc_BASES.xlsx 'non-numeric' and formulas_test.xlsx 'ENGINEERING' rows 7-9, 26-28,
    # 54-56: numbers as text or numbers, lower-case hex, "" and empty cells 0, bad text
    # #NUM!, logicals #VALUE!, more than 10 digits #NUM!
    assert xlcall("DEC2BIN", "5") == "101"
    assert xlcall("DEC2BIN", None) == "0"
    assert str(xlcall("DEC2BIN", "")) == "#VALUE!"
    assert str(xlcall("DEC2BIN", True)) == "#VALUE!"
    assert xlcall("HEX2DEC", "fffffffffe") == -2.0
    assert xlcall("HEX2DEC", 9999999999.0) == -439804651111.0
    assert xlcall("HEX2DEC", "") == 0.0
    assert xlcall("HEX2DEC", None) == 0.0
    assert str(xlcall("HEX2DEC", "G")) == "#NUM!"
    assert str(xlcall("HEX2DEC", "-A")) == "#NUM!"
    assert str(xlcall("HEX2DEC", " A")) == "#NUM!"
    assert str(xlcall("HEX2DEC", "10000000000")) == "#NUM!"
    assert str(xlcall("HEX2DEC", True)) == "#VALUE!"
    assert str(xlcall("BIN2DEC", 2.3)) == "#NUM!"
    assert str(xlcall("BIN2DEC", -1.0)) == "#NUM!"
    assert xlcall("BIN2DEC", 1000000000.0) == -512.0
    assert str(xlcall("OCT2DEC", "8")) == "#NUM!"


def test_analysis_toolpak_ranges_and_arrays() -> None:
    # formulas_test.xlsx 'ENGINEERING'!AH26 (array formula =HEX2BIN(C26:J26) is #VALUE!
    # in every cell): a multi-cell range is refused; an array constant is taken element by
    # element, as by the other Analysis ToolPak functions
    book = _Book({(1, 1): 1.0, (1, 2): 2.0})
    assert str(xlcall("DEC2BIN", _ref(book, 1, 1, 1, 2))) == "#VALUE!"
    assert xlcall("DEC2BIN", Array([[1.0, 2.0]])) == Array([["1", "10"]])
    assert xlcall("DEC2BIN", Array([[5.0]]), Array([[4.0, 1.0]])) == Array(
        [["0101", xlcall("DEC2BIN", 5.0, 1.0)]])


# --- bits, DELTA, GESTEP, ERF -------------------------------------------------------------


def test_bit_functions() -> None:
    # Microsoft's examples: BITAND(1,5)=1, BITAND(13,25)=9, BITOR(23,10)=31,
    # BITXOR(5,3)=6, BITLSHIFT(4,2)=16, BITRSHIFT(13,2)=3; limits from formulas_test.xlsx
    # 'ENGINEERING' rows 10-14 (2^48, non-integers, negatives #NUM!; shift truncated,
    # negative shifts the other way, beyond 53 #NUM!)
    assert xlcall("BITAND", 1.0, 5.0) == 1.0
    assert xlcall("BITAND", 13.0, 25.0) == 9.0
    assert xlcall("BITOR", 23.0, 10.0) == 31.0
    assert xlcall("BITXOR", 5.0, 3.0) == 6.0
    assert xlcall("BITLSHIFT", 4.0, 2.0) == 16.0
    assert xlcall("BITRSHIFT", 13.0, 2.0) == 3.0
    assert xlcall("BITLSHIFT", 25.0, 2.3) == 100.0
    assert xlcall("BITRSHIFT", 99.0, -1.0) == 198.0
    assert str(xlcall("BITAND", 2.0 ** 48, 1.0)) == "#NUM!"
    assert xlcall("BITAND", 2.0 ** 48 - 1, 1.0) == 1.0
    assert str(xlcall("BITOR", 2.3, 1.0)) == "#NUM!"
    assert str(xlcall("BITXOR", -1.0, 1.0)) == "#NUM!"
    assert str(xlcall("BITLSHIFT", 1.0, 54.0)) == "#NUM!"
    assert str(xlcall("BITLSHIFT", 1.0, 48.0)) == "#NUM!"
    assert xlcall("BITLSHIFT", 1.0, 47.0) == 2.0 ** 47
    # built-ins, not Analysis ToolPak: they lift over arrays element by element
    assert xlcall("BITAND", Array([[13.0, 2.5]]), 25.0).rows[0][0] == 9.0


def test_delta_gestep_erf() -> None:
    # Microsoft's examples: DELTA(5,4)=0, DELTA(5,5)=1, DELTA(0.5,0)=0; GESTEP(5,4)=1,
    # GESTEP(5,5)=1, GESTEP(-4,-5)=1, GESTEP(-1)=0; ERF(0.745)=0.70792892,
    # ERFC(1)=0.15729921 (8 digits as printed)
    assert xlcall("DELTA", 5.0, 4.0) == 0.0
    assert xlcall("DELTA", 5.0, 5.0) == 1.0
    assert xlcall("DELTA", 0.5) == 0.0
    assert xlcall("GESTEP", 5.0, 4.0) == 1.0
    assert xlcall("GESTEP", 5.0, 5.0) == 1.0
    assert xlcall("GESTEP", -4.0, -5.0) == 1.0
    assert xlcall("GESTEP", -1.0) == 0.0
    assert xlcall("ERF", 0.745) == pytest.approx(0.70792892, abs=5e-9)
    assert xlcall("ERFC", 1.0) == pytest.approx(0.15729921, abs=5e-9)
    # formulas_test.xlsx 'ENGINEERING'!T21: ERF(2.3, 2) = erf(2) - erf(2.3)
    assert xlcall("ERF", 2.3, 2.0) == pytest.approx(-0.0035345583836906558, rel=1e-12)
    assert str(xlcall("ERF", True)) == "#VALUE!"


def test_bessel_documented_examples_and_domain() -> None:
    # Microsoft's examples (9 digits as printed): BESSELI(1.5,1)=0.981666428,
    # BESSELJ(1.9,2)=0.329925829, BESSELK(1.5,1)=0.277387804, BESSELY(2.5,1)=0.145918138
    assert xlcall("BESSELI", 1.5, 1.0) == pytest.approx(0.981666428, abs=5e-9)
    assert xlcall("BESSELJ", 1.9, 2.0) == pytest.approx(0.329925829, abs=5e-9)
    assert xlcall("BESSELK", 1.5, 1.0) == pytest.approx(0.277387804, abs=5e-9)
    assert xlcall("BESSELY", 2.5, 1.0) == pytest.approx(0.145918138, abs=5e-9)
    # n truncated (BESSELJ(1.9, 2.9) is order 2); negative n, x <= 0 for K and Y #NUM!
    assert xlcall("BESSELJ", 1.9, 2.9) == xlcall("BESSELJ", 1.9, 2.0)
    assert str(xlcall("BESSELI", 1.0, -1.0)) == "#NUM!"
    assert str(xlcall("BESSELK", 0.0, 1.0)) == "#NUM!"
    assert str(xlcall("BESSELY", -1.0, 1.0)) == "#NUM!"
    assert str(xlcall("BESSELI", 1e7, 2.0)) == "#NUM!"  # overflows, as in Excel (S3)
    # J_n(x) for huge n underflows to 0 without recurring over millions of terms
    assert xlcall("BESSELJ", 1.0, 1e7) == 0.0


# --- complex numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(("fn", "args", "expected"), [
    # Microsoft's documentation examples
    ("COMPLEX", (3.0, 4.0), "3+4i"), ("COMPLEX", (3.0, 4.0, "j"), "3+4j"),
    ("COMPLEX", (0.0, 1.0), "i"), ("COMPLEX", (1.0, 0.0), "1"),
    ("IMABS", ("5+12i",), 13.0),
    ("IMAGINARY", ("3+4i",), 4.0), ("IMAGINARY", ("0-j",), -1.0), ("IMAGINARY", (4.0,), 0.0),
    ("IMCONJUGATE", ("3+4i",), "3-4i"),
    ("IMDIV", ("-238+240i", "10+24i"), "5+12i"),
    ("IMPOWER", ("2+3i", 3.0), "-46+9.00000000000001i"),
    ("IMPRODUCT", ("3+4i", "5-3i"), "27+11i"), ("IMPRODUCT", ("1+2i", 30.0), "30+60i"),
    ("IMREAL", ("6-9i",), 6.0),
    ("IMSUB", ("13+4i", "5+3i"), "8+i"), ("IMSUM", ("3+4i", "5-3i"), "8+i"),
    ("IMCOS", ("1+i",), "0.833730025131149-0.988897705762865i"),
    ("IMEXP", ("1+i",), "1.46869393991589+2.28735528717884i"),
    ("IMLN", ("3+4i",), "1.6094379124341+0.927295218001612i"),
    ("IMLOG10", ("3+4i",), "0.698970004336019+0.402719196273373i"),
    ("IMLOG2", ("3+4i",), "2.32192809488736+1.33780421245098i"),
    ("IMSIN", ("4+3i",), "-7.61923172032141-6.548120040911i"),
    ("IMSQRT", ("1+i",), "1.09868411346781+0.455089860562227i"),
    ("IMTAN", ("4+3i",), "0.00490825806749606+1.00070953606723i"),
])
def test_complex_documented_examples(fn: str, args: tuple, expected: Any) -> None:
    assert xlcall(fn, *args) == expected


def test_complex_text_rules() -> None:
    # formulas_test.xlsx 'ENGINEERING' rows 15, 29-53: the suffix is kept, 1 and -1 as
    # the sign alone, a zero part left out, 15 significant digits with E notation as Excel
    # prints numbers (R35: "3.82126757337684E-22-j")
    assert xlcall("COMPLEX", 99.0, -1.0, "j") == "99-j"
    assert xlcall("COMPLEX", None, "3.6", "j") == "3.6j"
    assert xlcall("COMPLEX", -1.0, None, "j") == "-1"
    assert str(xlcall("COMPLEX", 1.0, 1.0, "I")) == "#VALUE!"
    assert str(xlcall("COMPLEX", "3.6", True)) == "#VALUE!"
    assert xlcall("IMCONJUGATE", "-3+2i") == "-3-2i"
    assert xlcall("IMCONJUGATE", None) == "0"
    assert xlcall("IMCOT", "7+25j") == "3.82126757337684E-22-j"
    assert xlcall("IMTAN", "7+25j") == "3.82126757337684E-22+j"
    assert xlcall("IMREAL", "1.5e2-3e-1i") == 150.0  # hand-read: 150 - 0.3i
    assert xlcall("IMAGINARY", "1.5e2-3e-1i") == -0.3
    for bad in ("yvj", "3+4I", " 3+4i", "3+4", "i3", "++i", "3+4ij"):
        assert str(xlcall("IMREAL", bad)) == "#NUM!", bad
    assert str(xlcall("IMABS", True)) == "#VALUE!"


def test_complex_errors_and_suffix_mixing() -> None:
    # formulas_test.xlsx 'ENGINEERING': IMARGUMENT(0) #DIV/0! (W31), IMLN(0) #NUM! (W40),
    # IMCOT/IMCSC/IMCSCH(0) #NUM! (W35-W37), IMPOWER(0, 2.3) "0" (W43), IMDIV by 0 #NUM!
    # (V38); mixing i and j: IMSUB/IMDIV #NUM! (T51, T38), IMSUM/IMPRODUCT #VALUE!
    # (S52, T44); an empty argument is 0 (V44: IMPRODUCT(empty, "-13+25j") is "0")
    assert str(xlcall("IMARGUMENT", None)) == "#DIV/0!"
    assert str(xlcall("IMLN", "0")) == "#NUM!"
    for fn in ("IMCOT", "IMCSC", "IMCSCH"):
        assert str(xlcall(fn, None)) == "#NUM!"
    assert xlcall("IMPOWER", None, 2.3) == "0"
    assert str(xlcall("IMDIV", "-13+25j", None)) == "#NUM!"
    assert str(xlcall("IMSUB", "3.1+2j", "-3+2i")) == "#NUM!"
    assert str(xlcall("IMDIV", "3.1+2j", "-3+2i")) == "#NUM!"
    assert str(xlcall("IMSUM", "3.1+2j", "-3+2i")) == "#VALUE!"
    assert str(xlcall("IMPRODUCT", "-3+2i", "3.1+2j")) == "#VALUE!"
    assert xlcall("IMPRODUCT", None, "-13+25j") == "0"
    assert xlcall("IMSUB", "-13+25j", None) == "-13+25j"
    assert xlcall("IMSUM", "3", "4j") == "3+4j"  # a real number mixes with either suffix


def test_imsum_and_improduct_take_ranges() -> None:
    # formulas_test.xlsx 'ENGINEERING'!AG52, AG44: IMSUM(C52:E52) "23.1+32j",
    # IMPRODUCT(C44:E44) "-825.4+1048j"; the first bad value is the result (W52, X52)
    book = _Book({(1, 1): "7+25j", (1, 2): "13+5j", (1, 3): "3.1+2j", (2, 1): "yvj",
                  (2, 2): True})
    row = _ref(book, 1, 1, 1, 3)
    assert xlcall("IMSUM", row) == "23.1+32j"
    assert xlcall("IMPRODUCT", row) == "-825.4+1048j"
    assert str(xlcall("IMSUM", _ref(book, 2, 1, 2, 2))) == "#NUM!"
    assert str(xlcall("IMSUM", _ref(book, 2, 2), _ref(book, 2, 1))) == "#VALUE!"


# --- CONVERT --------------------------------------------------------------------------------


def test_convert_documented_examples() -> None:
    # Microsoft's examples: 1 lbm = 0.4535924 kg, 68 F = 20 C, ft to sec #N/A,
    # CONVERT(CONVERT(100,"ft","m"),"ft","m") = 9.290304
    assert xlcall("CONVERT", 1.0, "lbm", "kg") == pytest.approx(0.4535924, abs=5e-8)
    assert xlcall("CONVERT", 68.0, "F", "C") == pytest.approx(20.0, rel=1e-15)
    assert str(xlcall("CONVERT", 2.5, "ft", "sec")) == "#N/A"
    inner = xlcall("CONVERT", 100.0, "ft", "m")
    assert xlcall("CONVERT", inner, "ft", "m") == pytest.approx(9.290304, rel=1e-14)


def test_convert_units_and_prefixes() -> None:
    # hand arithmetic from the unit definitions, and formulas_test.xlsx 'EXTRA' (every
    # unit with every prefix; T183: CONVERT(1,"Pang3","L") = 1e18)
    assert xlcall("CONVERT", 1.0, "Nmi", "m") == 1852.0
    assert xlcall("CONVERT", 1.0, "km2", "m2") == pytest.approx(1e6)
    assert xlcall("CONVERT", 1.0, "Pang3", "L") == pytest.approx(1e18)
    assert xlcall("CONVERT", 1.0, "kibyte", "bit") == 8192.0  # 2^10 bytes of 8 bits
    assert xlcall("CONVERT", 1.0, "Mibit", "kbit") == pytest.approx(1048.576)
    assert str(xlcall("CONVERT", 1.0, "kim", "m")) == "#N/A"  # binary prefixes: bits only
    assert str(xlcall("CONVERT", 1.0, "kmi", "m")) == "#N/A"  # mi takes no prefix
    assert str(xlcall("CONVERT", 1.0, "Ly2", "m2")) == "#N/A"
    assert str(xlcall("CONVERT", 1.0, "M", "m")) == "#N/A"  # case-sensitive
    assert xlcall("CONVERT", 1.0, "dam", "m") == pytest.approx(10.0)
    assert xlcall("CONVERT", 1.0, "em", "m") == pytest.approx(10.0)  # "e" is deka too
    assert xlcall("CONVERT", 1.0, "kn", "m/hr") == pytest.approx(1852.0)
    assert xlcall("CONVERT", 1.0, "pc", "km") == pytest.approx(30856775812815.53)
    assert xlcall("CONVERT", 1.0, "pc", "J") == pytest.approx(4.184e-12)  # picocalorie
    assert str(xlcall("CONVERT", 1.0, 5.0, "m")) == "#N/A"
    assert str(xlcall("CONVERT", True, "m", "m")) == "#VALUE!"


def test_convert_temperatures() -> None:
    # formulas_test.xlsx 'ENGINEERING'!R16 (CONVERT(13,"C","F") = 55.400000000000006,
    # 13·1.8 + 32 in doubles) and 'EXTRA'!U80-U87
    assert xlcall("CONVERT", 13.0, "C", "F") == 55.400000000000006
    assert xlcall("CONVERT", "3.6", "cel", "fah") == pytest.approx(38.48)
    assert xlcall("CONVERT", 1.0, "C", "K") == pytest.approx(274.15)
    assert xlcall("CONVERT", 1.0, "F", "K") == pytest.approx(255.92777777777775)
    assert xlcall("CONVERT", 1.0, "Rank", "K") == pytest.approx(5 / 9)
    assert xlcall("CONVERT", 1.0, "Reau", "K") == pytest.approx(274.4)
    assert xlcall("CONVERT", 1.0, "mK", "K") == pytest.approx(1e-3)
    assert xlcall("CONVERT", 0.0, "C", "mK") == pytest.approx(273150.0)
    assert str(xlcall("CONVERT", 1.0, "kC", "K")) == "#N/A"
