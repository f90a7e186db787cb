"""Date and time functions against Excel: its stored values in the outside corpus
(every formula cell of the family in formulas_test.xlsx 'DATE & TIME', pycel_date-time,
pycel_yearfrac, xlc_YEARFRAC) and documented or hand-worked cases."""

from __future__ import annotations

import datetime

import pytest

from templates.recalc.functions import xlcall
from templates.recalc.values import Array

from ._corpus import mismatches

DATETIME = {
    "DATE", "DATEVALUE", "TIME", "TIMEVALUE", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE",
    "SECOND", "WEEKDAY", "WEEKNUM", "ISOWEEKNUM", "EDATE", "EOMONTH", "DAYS", "DAYS360",
    "DATEDIF", "YEARFRAC", "NETWORKDAYS", "NETWORKDAYS.INTL", "WORKDAY", "WORKDAY.INTL",
    "TODAY", "NOW", "IF",
}


@pytest.mark.parametrize(("book", "sheets", "at_least"), [
    ("formulas_test.xlsx", ("DATE & TIME",), 295),
    ("pycel_date-time.xlsx", (), 170),
    ("pycel_yearfrac.xlsx", (), 2004),
    ("xlc_YEARFRAC.xlsx", (), 3),
])
def test_corpus_matches_excel(book: str, sheets: tuple[str, ...], at_least: int) -> None:
    # Excel's stored value of every formula cell of the family in the workbook
    checked, bad = mismatches(book, DATETIME, sheets)
    assert not bad, "\n".join(map(str, bad[:20]))
    # formula cells counted once each (an array formula by its anchor), as the engine
    # and the corpus benchmark count them
    assert checked >= at_least


def _s(y: int, m: int, d: int) -> float:
    """The serial of a date after 1900-02-28 (real calendar + Excel's 1900-02-29)."""
    return float((datetime.date(y, m, d) - datetime.date(1899, 12, 30)).days)


def test_date_normalises_like_excel() -> None:
    # formulas_test.xlsx 'DATE & TIME'!U3, V3, T3 and Microsoft's DATE page: month 14 is
    # February of the next year, day 0 the last day of the previous month
    assert xlcall("DATE", 0.0, 1.0, 0.0) == 0.0
    assert xlcall("DATE", 1.0, 0.0, 0.0) == 335.0
    assert str(xlcall("DATE", 0.9, 0.9, 0.9)) == "#NUM!"
    assert xlcall("DATE", 2008, 14, 2) == _s(2009, 2, 2)
    assert xlcall("DATE", 2008, 1, -15) == _s(2007, 12, 16)
    assert xlcall("DATE", 1900, 2, 29) == 60.0  # Excel's 29 February 1900
    assert xlcall("DATE", 1900, 3, 0) == 60.0
    assert str(xlcall("DATE", 10000, 1, 1)) == "#NUM!"


def test_timevalue_rejects_what_is_not_a_time() -> None:
    # pycel_date-time.xlsx row 23: numbers, logicals and "1.25" are #VALUE!,
    # "12:59:59 AM" is 3599 seconds
    for v in (61.6, 1.25, "1.25", True, "hello", None):
        assert str(xlcall("TIMEVALUE", v)) == "#VALUE!"
    assert xlcall("TIMEVALUE", "12:59:59 AM") * 86400 == pytest.approx(3599)
    assert xlcall("TIMEVALUE", "1:23") == pytest.approx(83 / 1440)
    # formulas_test 'DATE & TIME'!X20: the date part of a date-time text is dropped
    assert xlcall("TIMEVALUE", "1/1/1987 05:00 AM") == pytest.approx(5 / 24, abs=1e-11)


def test_time_parts_round_to_the_second() -> None:
    # pycel_date-time.xlsx J14/J16/J21: PI() is 3:23:53.6 → 3:23:54
    assert [xlcall(f, 3.141592653589793) for f in ("HOUR", "MINUTE", "SECOND")] == [
        3.0, 23.0, 54.0]
    # hand arithmetic: 0:59:59.6 rounds up to 1:00:00
    x = 3599.6 / 86400
    assert [xlcall(f, x) for f in ("HOUR", "MINUTE", "SECOND")] == [1.0, 0.0, 0.0]
    assert str(xlcall("HOUR", -1.0)) == "#NUM!"


def test_weekday_and_weeknum_types() -> None:
    d = _s(2008, 2, 14)  # a Thursday (Microsoft's WEEKDAY example: 5, 4, 3)
    assert [xlcall("WEEKDAY", d, t) for t in (1, 2, 3)] == [5.0, 4.0, 3.0]
    # 11..17: Monday..Sunday is 1; Thursday is 4 from Monday, 1 from Thursday
    assert [xlcall("WEEKDAY", d, t) for t in range(11, 18)] == [4.0, 3.0, 2.0, 1.0, 7.0,
                                                                6.0, 5.0]
    assert str(xlcall("WEEKDAY", d, 4)) == "#NUM!"
    # Microsoft's WEEKNUM example: 2012-03-09 is week 10 (Sunday start), 11 (Monday)
    assert xlcall("WEEKNUM", _s(2012, 3, 9)) == 10.0
    assert xlcall("WEEKNUM", _s(2012, 3, 9), 2) == 11.0
    # ISO weeks (hand-checked with Python's isocalendar): 2021-01-03 is 2020-W53
    for y, m, dd in ((2021, 1, 3), (2021, 1, 4), (2024, 12, 30), (2027, 1, 1)):
        iso = datetime.date(y, m, dd).isocalendar()[1]
        assert xlcall("ISOWEEKNUM", _s(y, m, dd)) == iso
        assert xlcall("WEEKNUM", _s(y, m, dd), 21) == iso
    assert str(xlcall("WEEKNUM", True, 1)) == "#VALUE!"  # 'DATE & TIME'!Y23


def test_edate_eomonth() -> None:
    # Microsoft's EDATE/EOMONTH examples: 2011-01-15 ±1 month; end of month
    assert xlcall("EDATE", _s(2011, 1, 15), 1) == _s(2011, 2, 15)
    assert xlcall("EDATE", _s(2011, 1, 31), 1) == _s(2011, 2, 28)
    assert xlcall("EOMONTH", _s(2011, 1, 1), -3) == _s(2010, 10, 31)
    # an array of months is taken element by element; a range is #VALUE!
    # ('DATE & TIME'!AG9, the Analysis ToolPak rule)
    assert xlcall("EDATE", _s(2011, 1, 31), Array([[1.0, 2.0]])) == Array(
        [[_s(2011, 2, 28), _s(2011, 3, 31)]])


def test_days360_and_datedif_quirks() -> None:
    # Microsoft's DAYS360 example: 2011-01-30 → 2011-12-31 is 330 (US), 330 EU too
    assert xlcall("DAYS360", _s(2011, 1, 30), _s(2011, 12, 31)) == 330.0
    # hand arithmetic, US method: start on 28 Feb (month end) is the 30th
    assert xlcall("DAYS360", _s(2011, 2, 28), _s(2011, 3, 31)) == 30.0
    assert xlcall("DAYS360", _s(2011, 2, 28), _s(2011, 3, 31), True) == 32.0
    # Microsoft's DATEDIF page: "MD" may be negative; 2015-01-31 → 2015-03-01 is -2 in Excel
    assert xlcall("DATEDIF", _s(2015, 1, 31), _s(2015, 3, 1), "MD") == -2.0
    assert xlcall("DATEDIF", _s(2001, 1, 1), _s(2003, 1, 1), "Y") == 2.0
    assert xlcall("DATEDIF", _s(2001, 6, 1), _s(2002, 8, 15), "YD") == 75.0
    assert xlcall("DATEDIF", _s(2001, 6, 1), _s(2002, 8, 15), "YM") == 2.0
    assert str(xlcall("DATEDIF", 2.0, 1.0, "D")) == "#NUM!"
    assert str(xlcall("DATEDIF", 1.0, 2.0, "W")) == "#NUM!"


def test_yearfrac_leap_and_month_ends() -> None:
    # pycel_yearfrac.xlsx rows 3-4: 2001-01-31 / 01-30 → 2001-03-31 for bases 0-4
    assert xlcall("YEARFRAC", _s(2001, 1, 31), _s(2001, 3, 31), 0) == pytest.approx(1 / 6)
    assert xlcall("YEARFRAC", _s(2001, 1, 30), _s(2001, 3, 31), 1) == pytest.approx(60 / 365)
    # hand arithmetic (Wheeler's basis 1): 2011-03-01 → 2012-02-29 spans 29 Feb, /366
    assert xlcall("YEARFRAC", _s(2011, 3, 1), _s(2012, 2, 29), 1) == pytest.approx(365 / 366)
    # basis 0: both dates the last day of February count as the 30th
    assert xlcall("YEARFRAC", _s(2011, 2, 28), _s(2012, 2, 29), 0) == 1.0
    # formulas_test 'DATE & TIME'!R27: 1900 counted as 365 days in the average year
    assert xlcall("YEARFRAC", 1987.0, 345.0, 1) == pytest.approx(4.496576905522592)
    # the basis is read before the dates (pycel_yearfrac.xlsx P3)
    from udfs.excel_errors import DIV0
    assert str(xlcall("YEARFRAC", DIV0, 200.0, -1)) == "#NUM!"


def test_workdays() -> None:
    # Microsoft's NETWORKDAYS example: 2012-10-01 → 2013-03-01 with holidays is 109/110
    hol = Array([[_s(2012, 11, 22)], [_s(2012, 12, 4)], [_s(2013, 1, 21)]])
    assert xlcall("NETWORKDAYS", _s(2012, 10, 1), _s(2013, 3, 1)) == 110.0
    assert xlcall("NETWORKDAYS", _s(2012, 10, 1), _s(2013, 3, 1), hol) == 107.0
    assert xlcall("NETWORKDAYS", _s(2013, 3, 1), _s(2012, 10, 1)) == -110.0
    # Microsoft's WORKDAY example: 2008-10-01 + 151 working days, 3 holidays → 2009-05-05
    hol2 = Array([[_s(2008, 11, 26), _s(2008, 12, 4), _s(2009, 1, 21)]])
    assert xlcall("WORKDAY", _s(2008, 10, 1), 151) == _s(2009, 4, 30)
    assert xlcall("WORKDAY", _s(2008, 10, 1), 151, hol2) == _s(2009, 5, 5)
    # Microsoft's NETWORKDAYS.INTL example: January 2006 has 22 working days; hand count
    # for weekend 7 (Friday 6, 13, 20, 27 and Saturday 7, 14, 21, 28 off): 31 - 8 = 23,
    # and the same weekend as a string, backwards
    assert xlcall("NETWORKDAYS.INTL", _s(2006, 1, 1), _s(2006, 1, 31)) == 22.0
    assert xlcall("NETWORKDAYS.INTL", _s(2006, 1, 1), _s(2006, 1, 31), 7) == 23.0
    assert xlcall("NETWORKDAYS.INTL", _s(2006, 1, 31), _s(2006, 1, 1), "0000110") == -23.0
    assert str(xlcall("NETWORKDAYS.INTL", 1.0, 9.0, "1111111")) == "#VALUE!"
    assert str(xlcall("NETWORKDAYS.INTL", 1.0, 9.0, 8)) == "#NUM!"
    # Microsoft's WORKDAY.INTL example: weekend 0 is not a code → #NUM!; hand count with
    # Saturday-only weekends (17): 30 working days from Sunday 2012-01-01 take 35 days
    # (five Saturdays: 7, 14, 21, 28 January, 4 February), ending Sunday 2012-02-05
    assert xlcall("WORKDAY.INTL", _s(2012, 1, 1), 30, 17) == _s(2012, 2, 5)
    assert str(xlcall("WORKDAY.INTL", _s(2012, 1, 1), 30, 0)) == "#NUM!"
    # long spans: the week jump agrees with counting day by day (hand: 5 per week)
    assert xlcall("WORKDAY", _s(2024, 1, 1), 5000) == _s(2024, 1, 1) + 7000


def test_today_now_are_volatile() -> None:
    from templates.recalc.registry import FUNCTIONS

    assert FUNCTIONS["TODAY"].volatile and FUNCTIONS["NOW"].volatile
    t = datetime.date.today()
    assert xlcall("TODAY") == _s(t.year, t.month, t.day)
    assert 0 <= xlcall("NOW") - xlcall("TODAY") < 1
