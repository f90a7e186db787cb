"""Date and time functions: DATE, TIME, their parts, week numbers, month arithmetic,
day counts (DAYS360, DATEDIF, YEARFRAC) and working days.

Dates are serial numbers of Excel's 1900 system (:mod:`templates.recalc.dates`): serial 1
is 1900-01-01, serial 60 the 29 February 1900 Excel keeps from Lotus 1-2-3, serial 0 the
"1900-01-00" Excel shows for 0; times are fractions of a day. Excel's weekdays follow the
serials, so serial 1 is a Sunday (the real 1900-01-01 was a Monday). Serials outside
0‥2958465 (9999-12-31) are ``#NUM!``. Text arguments are read as dates
(:func:`~templates.recalc.values.parse_number`, en-US forms).
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from templates.recalc.dates import (
    MAX_SERIAL,
    days_in_month,
    excel_serial,
    parse_datetime_text,
    serial_to_date,
)
from templates.recalc.functions._args import values_of
from templates.recalc.functions._atp import atp, atp_number
from templates.recalc.registry import xlfunction
from templates.recalc.values import NUM, VALUE, ExcelError, XLFail, parse_number

__all__: list[str] = []


# --- helpers ------------------------------------------------------------------------------


def _day(x: float) -> int:
    """The whole-day serial of a date-time, ``#NUM!`` outside Excel's range."""
    if not 0 <= x < MAX_SERIAL + 1:
        raise XLFail(NUM, f"{x} is not a date serial (0‥{MAX_SERIAL})")
    return int(x)


def _ymd(n: int) -> tuple[int, int, int]:
    """(year, month, day) of a whole serial in Excel's calendar; 0 is (1900, 1, 0)."""
    return serial_to_date(n)


def _checked(n: int) -> float:
    if not 0 <= n <= MAX_SERIAL:
        raise XLFail(NUM, "the date falls outside 1900-01-00‥9999-12-31")
    return float(n)


def _wd(n: int) -> int:
    """Weekday of a serial, Monday 0 … Sunday 6 (serial 1 is a Sunday in Excel)."""
    return (n + 5) % 7


def _seconds(x: float) -> int:
    """Seconds into the day of a date-time, rounded to the nearest second (HOUR, MINUTE
    and SECOND agree on the rounding: 0:59:59.6 is 1:00:00)."""
    if x < 0 or x >= MAX_SERIAL + 1:
        raise XLFail(NUM, f"{x} is not a date-time serial")
    s = math.floor((x - math.floor(x)) * 86400 + 0.5)
    return 0 if s >= 86400 else s


def _jan1(year: int) -> int:
    return excel_serial(year, 1, 1)


def _year_of(n: int) -> int:
    """Calendar year of a serial, including the days of 1899 before serial 1."""
    if n >= 1:
        return _ymd(n)[0]
    y = 1899
    while n < _jan1(y):
        y -= 1
    return y


# --- construction and parsing -------------------------------------------------------------


@xlfunction("DATE", "number, number, number")
def DATE(year: float, month: float, day: float) -> float:
    """The serial number of a date from year, month and day.

    Notes
    -----
    Excel's normalisation: years 0‥1899 are 1900 + year, a month outside 1‥12 moves the
    year, a day outside the month moves the month (``DATE(2024,1,0)`` is 2023-12-31);
    arguments are truncated. February 1900 has 29 days.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("DATE", 2024, 2, 30), xlcall("DATE", 1900, 2, 29), xlcall("DATE", 1, 0, 0)
    (45352.0, 60.0, 335.0)
    """
    y, m, d = math.trunc(year), math.trunc(month), math.trunc(day)
    if y < 0 or y >= 10000:
        raise XLFail(NUM, f"year {y} is outside 0‥9999")
    if y < 1900:
        y += 1900
    if abs(m) > 1_000_000 or abs(d) > 10_000_000:
        raise XLFail(NUM)
    return _checked(excel_serial(y, m, d))


@xlfunction("TIME", "number, number, number")
def TIME(hour: float, minute: float, second: float) -> float:
    """The fraction of a day for hour, minute and second.

    Notes
    -----
    Arguments are truncated and may overflow into each other; the result is the time
    of day of ``(h*3600 + m*60 + s) / 86400`` (days dropped), ``#NUM!`` when that is
    negative or an argument exceeds 32767.
    """
    h, m, s = math.trunc(hour), math.trunc(minute), math.trunc(second)
    if max(h, m, s) > 32767:
        raise XLFail(NUM, "TIME's arguments must be at most 32767")
    x = (h * 3600 + m * 60 + s) / 86400
    if x < 0:
        raise XLFail(NUM, "TIME is negative")
    return x - math.floor(x)


def _text_serial(v: Any) -> float:
    if type(v) is not str:
        raise XLFail(VALUE, "DATEVALUE and TIMEVALUE take text")
    x = parse_datetime_text(v)
    if x is None:
        raise XLFail(VALUE, f"{v!r} is not a date or time Excel reads")
    return x


@xlfunction("DATEVALUE", "scalar")
def DATEVALUE(date_text: Any) -> float:
    """The serial number of the date in a text (a time in it is dropped).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> print(xlcall("DATEVALUE", "1/1/1987 02:00 AM"), xlcall("DATEVALUE", 31778.0))
    31778.0 #VALUE!
    """
    return float(math.floor(_text_serial(date_text)))


@xlfunction("TIMEVALUE", "scalar")
def TIMEVALUE(time_text: Any) -> float:
    """The fraction of a day of the time in a text (a date in it is dropped).

    Text that is not a date or time, numbers and logicals are ``#VALUE!``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> print(xlcall("TIMEVALUE", "12:59:59 AM") * 86400, xlcall("TIMEVALUE", "1.25"))
    3599.0 #VALUE!
    """
    x = _text_serial(time_text)
    return x - math.floor(x)


# --- parts of a date-time -----------------------------------------------------------------


@xlfunction("YEAR", "number")
def YEAR(serial: float) -> float:
    """The year of a date."""
    return float(_ymd(_day(serial))[0])


@xlfunction("MONTH", "number")
def MONTH(serial: float) -> float:
    """The month (1‥12) of a date."""
    return float(_ymd(_day(serial))[1])


@xlfunction("DAY", "number")
def DAY(serial: float) -> float:
    """The day of the month of a date (0 for serial 0, 29 for serial 60)."""
    return float(_ymd(_day(serial))[2])


@xlfunction("HOUR", "number")
def HOUR(serial: float) -> float:
    """The hour (0‥23) of a time, to the nearest second."""
    return float(_seconds(serial) // 3600)


@xlfunction("MINUTE", "number")
def MINUTE(serial: float) -> float:
    """The minute (0‥59) of a time, to the nearest second."""
    return float(_seconds(serial) // 60 % 60)


@xlfunction("SECOND", "number")
def SECOND(serial: float) -> float:
    """The second (0‥59) of a time, rounded to the nearest second.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("SECOND", 3.141592653589793), xlcall("MINUTE", 3.141592653589793)
    (54.0, 23.0)
    """
    return float(_seconds(serial) % 60)


_WEEKDAY_START = {1: 6, 2: 0, 3: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5, 17: 6}


@xlfunction("WEEKDAY", "number, int?")
def WEEKDAY(serial: float, return_type: float = 1.0) -> float:
    """The day of the week of a date: 1 (Sunday) … 7 (Saturday) by default.

    Notes
    -----
    ``return_type`` 1: Sunday=1‥Saturday=7; 2: Monday=1‥Sunday=7; 3: Monday=0‥Sunday=6;
    11‥17: 1 for Monday‥Sunday respectively, counting on from it. Others are ``#NUM!``.
    """
    t = int(return_type)
    if t not in _WEEKDAY_START:
        raise XLFail(NUM, f"WEEKDAY return_type {t} is not 1, 2, 3 or 11‥17")
    rel = (_wd(_day(serial)) - _WEEKDAY_START[t]) % 7
    return float(rel if t == 3 else rel + 1)


def _isoweek(n: int) -> int:
    thursday = n - _wd(n) + 3
    return (thursday - _jan1(_year_of(thursday))) // 7 + 1


_WEEKNUM_START = {1: 6, 2: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5, 17: 6}


@xlfunction("WEEKNUM", "any, any?")
@atp("n, n")
def WEEKNUM(serial: float, return_type: float = 1.0) -> float:
    """The week number of a date in its year.

    Notes
    -----
    System 1 (``return_type`` 1, 2, 11‥17): week 1 holds 1 January, weeks start on
    Sunday (1, 17), Monday (2, 11), Tuesday (12) … Saturday (16); 21 is the ISO week
    (ISOWEEKNUM). Serial 0 (1900-01-00) is in week 0. An Analysis ToolPak function: a
    logical or a range is ``#VALUE!``.
    """
    t = math.trunc(return_type)
    n = _day(serial)
    if t == 21:
        return float(_isoweek(n))
    if t not in _WEEKNUM_START:
        raise XLFail(NUM, f"WEEKNUM return_type {t} is not 1, 2, 11‥17 or 21")
    y = _ymd(n)[0]  # serial 0 is 1900-01-00, in week 0 of 1900
    jan1 = _jan1(y)
    offset = (_wd(jan1) - _WEEKNUM_START[t]) % 7
    return float((n - jan1 + offset) // 7 + 1)


@xlfunction("ISOWEEKNUM", "number")
def ISOWEEKNUM(serial: float) -> float:
    """The ISO 8601 week number of a date (weeks start on Monday; week 1 holds the
    year's first Thursday)."""
    return float(_isoweek(_day(serial)))


# --- month arithmetic ---------------------------------------------------------------------


def _add_months(start: float, months: float) -> tuple[int, int, int]:
    if start < 0:
        raise XLFail(NUM, "a negative date")
    y, m, d = _ymd(_day(start))
    k = math.trunc(months)
    if abs(k) > 200_000:
        raise XLFail(NUM)
    y, m0 = divmod(y * 12 + m - 1 + k, 12)
    return y, m0 + 1, d


@xlfunction("EDATE", "any, any")
@atp("n, n")
def EDATE(start_date: float, months: float) -> float:
    """The date a number of months before or after a date (the day is kept, or the
    month's last day when it is shorter).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> print(xlcall("EDATE", 45322.0, 1), xlcall("EDATE", 8.0, "2"), xlcall("EDATE", True, 0))
    45351.0 68.0 #VALUE!
    """
    y, m, d = _add_months(start_date, months)
    if y < 1900:
        raise XLFail(NUM)
    return _checked(excel_serial(y, m, min(d, days_in_month(y, m))))


@xlfunction("EOMONTH", "any, any")
@atp("n, n")
def EOMONTH(start_date: float, months: float) -> float:
    """The last day of the month a number of months before or after a date."""
    y, m, _ = _add_months(start_date, months)
    if y < 1900:
        raise XLFail(NUM)
    return _checked(excel_serial(y, m + 1, 0))


# --- day counts ---------------------------------------------------------------------------


@xlfunction("DAYS", "number, number")
def DAYS(end_date: float, start_date: float) -> float:
    """The number of days from ``start_date`` to ``end_date`` (whole days)."""
    return float(_day(end_date) - _day(start_date))


@xlfunction("DAYS360", "number, number, bool?")
def DAYS360(start_date: float, end_date: float, method: bool = False) -> float:
    """The days between two dates in a year of twelve 30-day months.

    Notes
    -----
    US method (``method`` FALSE): a start on the month's last day becomes the 30th; an
    end on the 31st becomes the 30th when the start is the 30th or 31st, else stays (the
    1st of the next month). European method (TRUE): 31sts become 30ths.
    """
    a, b = _day(start_date), _day(end_date)
    y1, m1, d1 = _ymd(a)
    y2, m2, d2 = _ymd(b)
    if method:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        if d1 == days_in_month(y1, m1):
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
    return float((y2 - y1) * 360 + (m2 - m1) * 30 + d2 - d1)


@xlfunction("DATEDIF", "number, number, text")
def DATEDIF(start_date: float, end_date: float, unit: str) -> float:
    """The whole years, months or days between two dates.

    Notes
    -----
    ``unit``: "Y" years, "M" months, "D" days, "MD" days ignoring months and years,
    "YM" months ignoring years, "YD" days ignoring years. ``#NUM!`` when the start is
    after the end. Excel's quirks are kept: "MD" counts back from the end to the start's
    day in the end's previous month, so 2015-01-31 → 2015-03-01 is -2; "YD" moves the
    end into the start's year (or the next), so a span over 1900 counts 29 February 1900.
    """
    a, b = _day(start_date), _day(end_date)
    if a > b:
        raise XLFail(NUM, "DATEDIF's start is after its end")
    y1, m1, d1 = _ymd(a)
    y2, m2, d2 = _ymd(b)
    u = unit.upper()
    if u == "D":
        return float(b - a)
    if u == "Y":
        return float(y2 - y1 - ((m2, d2) < (m1, d1)))
    if u == "M":
        return float((y2 - y1) * 12 + m2 - m1 - (d2 < d1))
    if u == "YM":
        return float((m2 - m1 - (d2 < d1)) % 12)
    if u == "MD":
        if d2 >= d1:
            return float(d2 - d1)
        return float(b - excel_serial(y2, m2 - 1, d1))
    if u == "YD":
        y = y1 if (m2, d2) >= (m1, d1) else y1 + 1
        return float(excel_serial(y, m2, d2) - a)
    raise XLFail(NUM, f"DATEDIF unit {unit!r} is not Y, M, D, MD, YM or YD")


def _last_of_feb(y: int, m: int, d: int) -> bool:
    return m == 2 and d == days_in_month(y, 2)


def yearfrac(a: int, b: int, basis: int) -> float:
    """YEARFRAC of two whole serials (``a <= b``) on a day-count basis 0‥4.

    Notes
    -----
    The definitions Excel actually uses (D. A. Wheeler, "YEARFRAC incompatibilities
    between Excel 2007 and OOXML", 2008):

    * 0, US 30/360: a start on the 31st, or on the last day of February, is the 30th;
      an end on the 31st is the 30th when the start is the 30th or 31st; when both are
      the last day of February both are the 30th. Divided by 360.
    * 1, actual/actual: days over the length of the year when both dates are in one
      year; over 366 when they are at most a year apart and a 29 February lies between
      them (inclusive) or the year is a leap year, else 365; otherwise over the average
      length of the calendar years from the start's to the end's.
    * 2, actual/360; 3, actual/365; 4, European 30/360 (31sts are 30ths).
    """
    if basis == 2:
        return (b - a) / 360
    if basis == 3:
        return (b - a) / 365
    y1, m1, d1 = _ymd(a)
    y2, m2, d2 = _ymd(b)
    if basis == 4:
        d1, d2 = min(d1, 30), min(d2, 30)
        return ((y2 - y1) * 360 + (m2 - m1) * 30 + d2 - d1) / 360
    if basis == 0:
        feb1, feb2 = _last_of_feb(y1, m1, d1), _last_of_feb(y2, m2, d2)
        if d1 == 31 and d2 == 31:
            d1 = d2 = 30
        elif d1 == 31:
            d1 = 30
        elif d1 == 30 and d2 == 31:
            d2 = 30
        elif feb1 and feb2:
            d1 = d2 = 30
        elif feb1:
            d1 = 30
        return ((y2 - y1) * 360 + (m2 - m1) * 30 + d2 - d1) / 360
    # basis 1, actual/actual; the year lengths are the real calendar's (1900 has 365
    # days here, though the serials count its 29 February)
    if a == b:
        return 0.0
    if y1 == y2:
        return (b - a) / (366 if _leap(y1) else 365)
    if y2 == y1 + 1 and (m1, d1) >= (m2, d2):
        feb29 = ((_leap(y1) and (m1, d1) <= (2, 29))
                 or (_leap(y2) and (m2, d2) >= (2, 29)))
        return (b - a) / (366 if feb29 else 365)
    years = y2 - y1 + 1
    span = (_dt.date(y2 + 1, 1, 1) - _dt.date(y1, 1, 1)).days if y2 < 9999 else (
        (_dt.date(9999, 12, 31) - _dt.date(y1, 1, 1)).days + 1)
    return (b - a) / (span / years)


def _leap(y: int) -> bool:
    # calendar.isleap's rule; importing calendar (and locale) was 3-4 ms of every run
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _basis(x: float) -> None:
    if not 0 <= math.trunc(x) <= 4:
        raise XLFail(NUM, f"YEARFRAC basis {math.trunc(x)} is not 0‥4")


# Excel reads the basis before the dates: YEARFRAC(#DIV/0!, 1, -1) is #NUM!
@xlfunction("YEARFRAC", "any, any, any?")
@atp("n, n, n", order=(2, 0, 1), check={2: _basis})
def YEARFRAC(start_date: float, end_date: float, basis: float = 0.0) -> float:
    """The fraction of a year between two dates on a day-count basis.

    ``basis``: 0 US 30/360 (default), 1 actual/actual, 2 actual/360, 3 actual/365,
    4 European 30/360; see :func:`yearfrac` for Excel's exact rules. The dates may be
    in either order; times are dropped. An Analysis ToolPak function: a logical or a
    range is ``#VALUE!``.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("YEARFRAC", 40909.0, 41120.0), xlcall("YEARFRAC", 40909.0, 41120.0, 1)
    (0.5805555555555556, 0.5765027322404371)
    """
    bs = math.trunc(basis)
    _basis(bs)
    a, b = _day(start_date), _day(end_date)
    if a > b:
        a, b = b, a
    return yearfrac(a, b, bs)


# --- working days -------------------------------------------------------------------------

_WEEKEND_CODES = {1: (5, 6), 2: (6, 0), 3: (0, 1), 4: (1, 2), 5: (2, 3), 6: (3, 4), 7: (4, 5),
                  11: (6,), 12: (0,), 13: (1,), 14: (2,), 15: (3,), 16: (4,), 17: (5,)}


def _weekend(spec: Any) -> tuple[bool, ...]:
    """The weekend mask (Monday first) of a weekend number or a "0000011" string."""
    if spec is None:
        spec = 1.0
    if type(spec) is ExcelError:
        raise XLFail(spec)
    if type(spec) is str:
        if len(spec) != 7 or set(spec) - {"0", "1"}:
            raise XLFail(VALUE, f"weekend {spec!r} is not seven 0s and 1s")
        if spec == "1111111":
            raise XLFail(VALUE, "a week without working days")
        return tuple(c == "1" for c in spec)
    if type(spec) is bool:
        raise XLFail(VALUE)
    code = math.trunc(spec)
    if code not in _WEEKEND_CODES:
        raise XLFail(NUM, f"weekend code {code} is not 1‥7 or 11‥17")
    days = _WEEKEND_CODES[code]
    return tuple(i in days for i in range(7))


def _weekend_arg(v: Any) -> tuple[bool, ...]:
    from templates.recalc.values import Array, Ref

    if isinstance(v, Ref):
        if not v.is_cell:
            raise XLFail(VALUE)
        v = v.value()
    if isinstance(v, Array):
        v = v.rows[0][0]
    if type(v) is str and len(v) != 7:
        x = parse_number(v)
        if x is None:
            raise XLFail(VALUE)
        v = x
    return _weekend(v)


def _holidays(v: Any) -> list[int]:
    if v is None:
        return []
    out = []
    for h in values_of(v).flat():
        if h is None:
            continue
        x = atp_number(h)
        out.append(_day(x))
    return sorted(set(out))


def _workdays_between(a: int, b: int, mask: tuple[bool, ...]) -> int:
    """Working days in a‥b inclusive (a <= b) by the weekday mask, holidays aside."""
    per_week = 7 - sum(mask)
    weeks, rest = divmod(b - a + 1, 7)
    n = weeks * per_week
    wd = _wd(a + weeks * 7)
    for i in range(rest):
        if not mask[(wd + i) % 7]:
            n += 1
    return n


def _networkdays(start: float, end: float, mask: tuple[bool, ...], holidays: Any) -> float:
    a, b = _day(start), _day(end)
    hol = _holidays(holidays)
    sign = 1
    if a > b:
        a, b, sign = b, a, -1
    n = _workdays_between(a, b, mask)
    n -= sum(1 for h in hol if a <= h <= b and not mask[_wd(h)])
    return float(sign * n)


@xlfunction("NETWORKDAYS", "any, any, any?")
@atp("n, n, raw")
def NETWORKDAYS(start_date: float, end_date: float, holidays: Any = None) -> float:
    """The working days (Monday to Friday, holidays excepted) from start to end,
    both included; negative when the end is before the start."""
    return _networkdays(start_date, end_date, _weekend(1.0), holidays)


@xlfunction("NETWORKDAYS.INTL", "any, any, any?, any?")
@atp("n, n, raw, raw")
def NETWORKDAYS_INTL(start_date: float, end_date: float, weekend: Any = None,
                     holidays: Any = None) -> float:
    """NETWORKDAYS with a chosen weekend: a code (1 Saturday-Sunday … 7 Friday-Saturday,
    11 Sunday only … 17 Saturday only) or seven 0/1 characters from Monday ("0000011")."""
    return _networkdays(start_date, end_date, _weekend_arg(weekend), holidays)


def _workday(start: float, days: float, mask: tuple[bool, ...], holidays: Any) -> float:
    d = _day(start)
    k = math.trunc(days)
    hol = set(_holidays(holidays))
    if abs(k) > 10_000_000:
        raise XLFail(NUM)
    step = 1 if k >= 0 else -1
    left = abs(k)
    per_week = 7 - sum(mask)
    # jump whole weeks first, then count the holidays jumped over back in
    weeks = max(left // per_week - 1, 0)
    if weeks:
        lo, hi = (d + 1, d + weeks * 7) if step > 0 else (d - weeks * 7, d - 1)
        d += step * weeks * 7
        left -= weeks * per_week
        left += sum(1 for h in hol if lo <= h <= hi and not mask[_wd(h)])
    while left > 0:
        d += step
        if d < 0 or d > MAX_SERIAL:
            raise XLFail(NUM, "WORKDAY falls outside Excel's dates")
        if not mask[_wd(d)] and d not in hol:
            left -= 1
    return _checked(d)


@xlfunction("WORKDAY", "any, any, any?")
@atp("n, n, raw")
def WORKDAY(start_date: float, days: float, holidays: Any = None) -> float:
    """The date a number of working days (Monday to Friday, holidays excepted) before or
    after a date."""
    return _workday(start_date, days, _weekend(1.0), holidays)


@xlfunction("WORKDAY.INTL", "any, any, any?, any?")
@atp("n, n, raw, raw")
def WORKDAY_INTL(start_date: float, days: float, weekend: Any = None,
                 holidays: Any = None) -> float:
    """WORKDAY with a chosen weekend (a code or a "0000011" string, as NETWORKDAYS.INTL)."""
    return _workday(start_date, days, _weekend_arg(weekend), holidays)


# --- now ----------------------------------------------------------------------------------


@xlfunction("TODAY", volatile=True)
def TODAY() -> float:
    """Today's date as a serial (the computer's local date)."""
    t = _dt.date.today()
    return float(excel_serial(t.year, t.month, t.day))


@xlfunction("NOW", volatile=True)
def NOW() -> float:
    """The current date and time as a serial (local time)."""
    t = _dt.datetime.now()
    return excel_serial(t.year, t.month, t.day) + (
        t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400
