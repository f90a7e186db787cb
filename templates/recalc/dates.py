"""Excel's date serial numbers (1900 date system, with its 29 February 1900).

Serial 1 is 1900-01-01; Excel counts a 29 February 1900 that never was (serial 60, kept
from Lotus 1-2-3), so serials from 61 (1900-03-01) on are one more than the day count
from 1899-12-31. Times are fractions of a day. The 1904 system (``date1904`` in the
workbook) is 1462 days less.
"""

from __future__ import annotations

import datetime as _dt
import re

__all__ = [
    "MAX_SERIAL", "date_to_serial", "days_in_month", "excel_serial", "is_leap",
    "parse_datetime_text", "serial_to_date", "serial_to_datetime",
]

_EPOCH = _dt.date(1899, 12, 31)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTHS_LONG = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], 1)}
MAX_SERIAL = 2958465  # 9999-12-31


def date_to_serial(year: int, month: int, day: int) -> float:
    """Serial of a real calendar date (Excel's DATE after its own normalisation).

    Examples
    --------
    >>> date_to_serial(1900, 1, 1), date_to_serial(1900, 3, 1), date_to_serial(2024, 1, 31)
    (1.0, 61.0, 45322.0)
    """
    n = (_dt.date(year, month, day) - _EPOCH).days
    return float(n + 1 if n >= 60 else n)


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date, for any year (H. Hinnant's
    algorithm; ``datetime.date`` stops at years 1 and 9999)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_CIVIL_EPOCH = _days_from_civil(1899, 12, 31)


def excel_serial(year: int, month: int, day: int) -> int:
    """Serial of ``year-month-day`` as Excel's DATE counts it: months beyond 1‥12 roll
    into the years, days beyond the month (or below 1) roll into the months, and
    February 1900 has its 29th day. Years are taken as given (DATE adds 1900 itself);
    the result may be outside Excel's range (the caller checks).

    Examples
    --------
    >>> excel_serial(1900, 2, 29), excel_serial(1900, 3, 0), excel_serial(2024, 14, 1)
    (60, 60, 45689)
    >>> excel_serial(2024, 1, 0), excel_serial(1900, 1, 0), excel_serial(1899, 12, 31)
    (45291, 0, 0)
    """
    y, m0 = divmod(year * 12 + month - 1, 12)
    n = _days_from_civil(y, m0 + 1, 1) - _CIVIL_EPOCH
    if n >= 60:  # on or after 1900-03-01: one more for the 29 February that never was
        n += 1
    return n + day - 1


def is_leap(year: int) -> bool:
    """Whether Excel's calendar has a 29 February in ``year`` (1900 included)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0 or year == 1900)


def days_in_month(year: int, month: int) -> int:
    """Days in a month of Excel's calendar (February 1900 has 29)."""
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def serial_to_date(serial: float) -> tuple[int, int, int]:
    """(year, month, day) of a serial; serial 60 is Excel's (1900, 2, 29), 0 is (1900, 1, 0).

    Examples
    --------
    >>> serial_to_date(60), serial_to_date(61), serial_to_date(45322.75)
    ((1900, 2, 29), (1900, 3, 1), (2024, 1, 31))
    """
    n = int(serial)
    if n == 60:
        return 1900, 2, 29
    if n == 0:
        return 1900, 1, 0
    d = _EPOCH + _dt.timedelta(days=n - 1 if n > 60 else n)
    return d.year, d.month, d.day


def serial_to_datetime(serial: float) -> _dt.datetime:
    """A serial as a Python datetime (serial 60 and below map to the real calendar)."""
    n = int(serial)
    frac = serial - n
    days = n - 1 if n > 60 else n
    base = _dt.datetime(1899, 12, 31) + _dt.timedelta(days=days)
    return base + _dt.timedelta(seconds=round(frac * 86400, 3))


def _valid(y: int, m: int, d: int) -> bool:
    if y < 1900 or y > 9999 or not 1 <= m <= 12 or d < 1:
        return False
    if (y, m, d) == (1900, 2, 29):
        return True
    try:
        _dt.date(y, m, d)
    except ValueError:
        return False
    return True


def _serial(y: int, m: int, d: int) -> float:
    if (y, m, d) == (1900, 2, 29):
        return 60.0
    return date_to_serial(y, m, d)


def _year(text: str) -> int:
    y = int(text)
    if len(text) <= 2:
        y += 2000 if y < 30 else 1900  # Excel's two-digit year window (1930-2029)
    return y


_TIME_RE = re.compile(
    r"^(?P<a>\d{1,5}):(?P<b>\d{1,5})(?::(?P<c>\d{1,5}))?(?P<frac>\.\d*)?\s*(?P<ap>[ap]m?)?$",
    re.I)
_TIME_AP_RE = re.compile(r"^(?P<a>\d{1,2})\s*(?P<ap>[ap]m?)$", re.I)


def _parse_time(text: str) -> float | None:
    """Excel's reading of a time text. The last component may run past 59 (``"23:99"``
    is 24:39, ``"0:0:9999"`` is 9,999 seconds, as Excel reads them); two components with a
    decimal fraction are minutes and seconds (``"23:59.5"``); a trailing ``.`` is allowed.
    """
    m = _TIME_RE.match(text)
    if m:
        a, b, c = int(m.group("a")), int(m.group("b")), m.group("c")
        frac = m.group("frac") or ""
        f = float("0" + frac) if frac not in ("", ".") else 0.0
        if max(a, b, int(c or 0)) > 9999:
            return None
        # Only the last component may run past its range, and then the ones before it
        # must be in range: "23:99" is a time, "24:99" and "60:9999.5" are text to Excel
        # (pycel_text.xlsx 'TextDates' holds Excel's readings of each form).
        if c is not None:
            h, mi, sec = a, b, int(c) + f
            if mi >= 60 or (sec >= 60 and h >= 24):
                return None
        elif frac not in ("", "."):
            h, mi, sec = 0, a, b + f  # mm:ss.fraction
            if sec >= 60 and mi >= 60:
                return None
        else:
            h, mi, sec = a, b, 0.0
            if mi >= 60 and h >= 24:
                return None
    else:
        m = _TIME_AP_RE.match(text)
        if not m:
            return None
        h, mi, sec = int(m.group("a")), 0, 0.0
    ap = m.group("ap")
    if ap:
        if not 0 <= h <= 12 or mi >= 60 or sec >= 60:
            return None
        h = h % 12 + (12 if ap[0].lower() == "p" else 0)
    if h >= 10000:
        return None
    return (h * 3600 + mi * 60 + sec) / 86400.0


def _parse_date(text: str) -> float | None:
    t = text.strip().lower().replace(",", " ")
    t = re.sub(r"\s+", " ", t)
    # ISO and slashed numeric forms: 2024-01-31, 2024/1/31, 1/31/2024, 1-31-24, 1/31
    m = re.match(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$", t)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return _serial(y, mo, d) if _valid(y, mo, d) else None
    # Month first (en-US); a text that is no date that way is read day first, as Excel
    # in day-first locales (en-GB, it-IT …) reads it: "26/08/1987" is 26 August 1987,
    # not an error. Texts valid both ways ("01/02/2020") keep the en-US reading.
    m = re.match(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{1,4})$", t)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        for mo, d in ((a, b), (b, a)):
            if _valid(y, mo, d):
                return _serial(y, mo, d)
        return None
    m = re.match(r"^(\d{1,2})[-/](\d{1,2})$", t)
    if m:
        import datetime

        a, b = int(m.group(1)), int(m.group(2))
        y = datetime.date.today().year  # Excel takes the current year for "1/31"
        for mo, d in ((a, b), (b, a)):
            if _valid(y, mo, d):
                return _serial(y, mo, d)
        return None
    # Month names: 31-Jan-2024, 31 January 2024, Jan 31 2024, January-2024, Jan-24
    words = re.split(r"[- /]", t)

    def month(w: str) -> int | None:
        return _MONTHS_LONG.get(w) or (_MONTHS.get(w[:3]) if len(w) >= 3 and (
            w in _MONTHS or (w[:3] in _MONTHS and _MONTHS_LONG.get(w) is None
                             and w == w[:3])) else None)

    if len(words) == 3:
        a, b, c = words
        if a.isdigit() and month(b) and c.isdigit():
            y, mo, d = _year(c), month(b), int(a)
            return _serial(y, mo, d) if _valid(y, mo, d) else None
        if month(a) and b.isdigit() and c.isdigit():
            y, mo, d = _year(c), month(a), int(b)
            return _serial(y, mo, d) if _valid(y, mo, d) else None
    if len(words) == 2:
        a, b = words
        if month(a) and b.isdigit():
            if len(b) == 4 or int(b) > 31:
                y, mo, d = _year(b), month(a), 1
            else:
                import datetime

                y, mo, d = datetime.date.today().year, month(a), int(b)
            return _serial(y, mo, d) if _valid(y, mo, d) else None
        if a.isdigit() and month(b):
            import datetime

            y, mo, d = datetime.date.today().year, month(b), int(a)
            return _serial(y, mo, d) if _valid(y, mo, d) else None
    return None


def parse_datetime_text(text: str) -> float | None:
    """The serial Excel reads in a date and/or time text (en-US), or None.

    Examples
    --------
    >>> parse_datetime_text("2024-02-29"), parse_datetime_text("31-Jan-2024 18:00")
    (45351.0, 45322.75)
    >>> parse_datetime_text("1:30 PM"), parse_datetime_text("hello")
    (0.5625, None)
    """
    t = text.strip()
    if not t or len(t) > 64:
        return None
    tm = _parse_time(t)
    if tm is not None:
        return tm
    d = _parse_date(t)
    if d is not None:
        return d
    # date and time separated by a space: "2024-01-31 18:00", "1/31/2024 6:00 PM"
    parts = t.split(" ")
    for i in range(1, len(parts)):
        d = _parse_date(" ".join(parts[:i]))
        if d is not None:
            tm = _parse_time(" ".join(parts[i:]))
            if tm is not None:
                return d + tm
    return None
