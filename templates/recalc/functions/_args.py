"""Argument helpers shared by function families: flattening ranges, criteria.

Excel's aggregate functions treat a value differently by where it comes from: a number
typed as an argument counts whatever its type can be read as (``SUM("3", TRUE)`` is 4),
while text and logicals inside a range or array are skipped (``SUM(A1:A3)`` ignores them).
Errors anywhere are the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from templates.recalc.values import (
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
    compare,
    parse_number,
    to_number,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["criteria", "flat", "is_array_like", "numbers", "numbers_a", "one_area",
           "values_of"]


def is_array_like(v: Any) -> bool:
    return isinstance(v, (Array, Ref, MultiRef))


def values_of(v: Any) -> Array:
    """An argument as an :class:`Array` of values (a scalar is 1×1)."""
    if isinstance(v, Array):
        return v
    if isinstance(v, Ref):
        return v.array()
    if isinstance(v, MultiRef):
        rows: list[list[Any]] = []
        for a in v.areas:
            rows.extend(a.array().rows)
        return Array([[x for row in rows for x in row]])
    return Array([[v]])


def one_area(v: Any) -> Array:
    """An argument that must be one rectangle of values, as an :class:`Array`: a reference
    is read, a scalar is 1×1, several areas are ``#VALUE!``, an error is the result."""
    if isinstance(v, Array):
        return v
    if isinstance(v, Ref):
        return v.array()
    if isinstance(v, MultiRef):
        raise XLFail(VALUE, "several areas where one range is expected")
    if type(v) is ExcelError:
        raise XLFail(v)
    return Array([[v]])


def flat(args: Iterable[Any]) -> Iterator[tuple[Any, bool]]:
    """Each scalar of the arguments with whether it came from a range or array."""
    for a in args:
        if isinstance(a, Array):
            for v in a.flat():
                yield v, True
        elif isinstance(a, Ref):
            for row in a.book.range_rows(a.sheet, a.r1, a.c1, a.r2, a.c2):
                for v in row:
                    yield v, True
        elif isinstance(a, MultiRef):
            for area in a.areas:
                for row in area.array().rows:
                    for v in row:
                        yield v, True
        else:
            yield a, False


def numbers(args: Iterable[Any]) -> list[float]:
    """The numbers SUM, AVERAGE, MAX … see: numbers in ranges; typed arguments coerced
    (text that reads as a number, logicals); errors raise :class:`XLFail`."""
    out: list[float] = []
    for v, in_range in flat(args):
        t = type(v)
        if t is float:
            out.append(v)
        elif t is ExcelError:
            raise XLFail(v)
        elif in_range or v is None:
            if t is int:
                out.append(float(v))
            continue
        elif t is bool:
            out.append(1.0 if v else 0.0)
        else:
            out.append(to_number(v))
    return out


def numbers_a(args: Iterable[Any]) -> list[float]:
    """The numbers AVERAGEA, MAXA, COUNTA-style functions see: text in ranges is 0,
    logicals 1/0, empty cells skipped."""
    out: list[float] = []
    for v, in_range in flat(args):
        t = type(v)
        if t is float:
            out.append(v)
        elif t is ExcelError:
            raise XLFail(v)
        elif v is None:
            if not in_range:
                out.append(0.0)
        elif t is bool:
            out.append(1.0 if v else 0.0)
        elif t is str:
            if in_range:
                out.append(0.0)
            else:
                out.append(to_number(v))
    return out


_CRIT_RE = re.compile(r"^(<=|>=|<>|=|<|>)?(.*)$", re.S)


def _wildcard(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.I | re.S)


def criteria(crit: Any) -> Callable[[Any], bool]:
    """A predicate for COUNTIF/SUMIF/…IFS criteria (``">5"``, ``"<>x"``, ``"a*"``, 3).

    Examples
    --------
    >>> p = criteria(">=2"); [p(x) for x in (1.0, 2.0, "3", None)]
    [False, True, False, False]
    >>> p = criteria("a?c*"); [p(x) for x in ("ABCD", "ac", 1.0)]
    [True, False, False]
    >>> p = criteria(""); [p(x) for x in (None, "", 0.0)]
    [True, True, False]
    """
    if type(crit) is ExcelError:
        return lambda v: type(v) is ExcelError and v == crit
    if isinstance(crit, bool):
        return lambda v: type(v) is bool and v == crit
    if isinstance(crit, float):
        return lambda v: type(v) is float and v == crit
    if crit is None:
        crit = ""
    if not isinstance(crit, str):
        raise XLFail(VALUE)
    m = _CRIT_RE.match(crit)
    assert m is not None
    op, rest = m.group(1), m.group(2)
    num = parse_number(rest) if rest.strip() else None
    if rest.upper() in ("TRUE", "FALSE"):
        target_b = rest.upper() == "TRUE"
        if op in (None, "="):
            return lambda v: type(v) is bool and v == target_b
        if op == "<>":
            return lambda v: not (type(v) is bool and v == target_b)
        # "<=TRUE" orders logicals only (formulas_test 'STATISTICAL'!Y6: text is not
        # compared with the word TRUE)
        bsign = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}[op]
        return lambda v: type(v) is bool and compare(v, target_b) in bsign
    err = next((e for e in ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
                if rest.upper() == e), None)
    if err is not None and op in (None, "=", "<>"):
        eq = op != "<>"
        return lambda v: (type(v) is ExcelError and v == err) == eq
    if op in (None, "="):
        if num is not None:
            # A criterion that reads as a number matches that number and also text cells
            # holding the same text ("29/02/1900" counts the cell with that text).
            low = rest.lower()
            return lambda v: (type(v) is float and v == num) or (
                type(v) is str and v.lower() == low)
        if rest == "":
            if op is None:
                return lambda v: v is None or v == ""
            return lambda v: v is None
        rx = _wildcard(rest)
        return lambda v: type(v) is str and rx.match(v) is not None
    if op == "<>":
        if num is not None:
            return lambda v: not (type(v) is float and v == num)
        if rest == "":
            return lambda v: v is not None and v != ""
        rx = _wildcard(rest)
        return lambda v: not (type(v) is str and rx.match(v) is not None)
    # ordering operators: numbers against numbers, text against text
    want: Any = num if num is not None else rest
    sign = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}[op]

    def pred(v: Any) -> bool:
        if type(v) is bool or v is None or type(v) is ExcelError:
            return False
        if (type(v) is float) != (type(want) is float):
            return False
        return compare(v, want) in sign

    return pred
