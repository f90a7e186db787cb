"""Conditional aggregates: SUMIF, SUMIFS, COUNTIF, COUNTIFS, AVERAGEIF, AVERAGEIFS,
MAXIFS, MINIFS.

Criteria are read by :func:`._args.criteria` (``">5"``, ``"<>x"``, wildcards, a number or
logical matching itself). A criterion that is an array makes the function element-wise
(``SUMIF(A1:A5, {1,">3"}, B1:B5)`` is a two-element array), as in Excel; an empty cell
as the criterion is the number 0 (formulas_test 'STATISTICAL'!W24: it does not match
empty cells).

The single-range functions resize the range to add up (``sum_range``,
``average_range``) to the criteria range's shape from its top-left cell, as Excel does:
``SUMIF(A1:A3, ">0", B1)`` adds B1:B3. The ``…IFS`` functions need every range the same
shape (``#VALUE!`` otherwise). An error inside a criteria range is only a value to match;
an error in a cell to be added up that meets the criteria is the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from templates.recalc.functions._args import criteria, values_of
from templates.recalc.registry import xlfunction
from templates.recalc.values import DIV0, VALUE, Array, ExcelError, Ref, XLFail

__all__: list[str] = []


def _pred(crit: Any) -> Callable[[Any], bool]:
    return criteria(0.0 if crit is None else crit)


def _resized(target: Any, shape: tuple[int, int]) -> Array:
    """``target``'s values over ``shape`` from its top-left cell (a reference grows or
    shrinks; an array is cut or padded with empty cells)."""
    nr, nc = shape
    if isinstance(target, Ref):
        return Ref(target.book, target.sheet, target.r1, target.c1,
                   target.r1 + nr - 1, target.c1 + nc - 1).array()
    a = values_of(target)
    return Array([[a.rows[r][c] if r < a.nrows and c < a.ncols else None
                   for c in range(nc)] for r in range(nr)])


def _selected(values: Array, tests: list[tuple[Any, Any]]) -> Iterator[Any]:
    """The values (same shape as every criteria range) whose cells meet every test."""
    shape = values.shape
    checks = []
    for rng, crit in tests:
        a = values_of(rng)
        if a.shape != shape:
            raise XLFail(VALUE, "ranges of different shapes")
        checks.append((a, _pred(crit)))
    for r, row in enumerate(values.rows):
        for c, v in enumerate(row):
            if all(p(a.rows[r][c]) for a, p in checks):
                yield v


def _numbers(vals: Iterator[Any]) -> list[float]:
    out = []
    for v in vals:
        if type(v) is ExcelError:
            raise XLFail(v)
        if type(v) is float:
            out.append(v)
    return out


def _single(rng: Any, crit: Any, target: Any) -> list[float]:
    a = values_of(rng)
    vals = a if target is None else _resized(target, a.shape)
    p = _pred(crit)
    return _numbers(v for row_a, row_v in zip(a.rows, vals.rows, strict=True)
                    for x, v in zip(row_a, row_v, strict=True) if p(x))


def _pairs(args: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    if len(args) % 2:
        raise XLFail(VALUE, "a criteria range without its criterion")
    return [(args[i], args[i + 1]) for i in range(0, len(args), 2)]


@xlfunction("SUMIF", "any, scalar_e, any?")
def SUMIF(range_: Any, criterion: Any, sum_range: Any = None) -> float:
    """Adds the cells specified by a given criterion.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> (xlcall("SUMIF", Array([[1.0, 2.0, 3.0]]), ">1"),
    ...  xlcall("SUMIF", Array([["a", "b", "A"]]), "a", Array([[1.0, 2.0, 4.0]])))
    (5.0, 5.0)
    """
    total = 0.0
    for x in _single(range_, criterion, sum_range):
        total += x
    return total


@xlfunction("SUMIFS", "any, any, scalar_e", repeat=2)
def SUMIFS(sum_range: Any, *pairs: Any) -> float:
    """Adds the cells in a range that meet multiple criteria.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("SUMIFS", Array([[5.0, 4.0, 15.0]]),
    ...        Array([[1.0, 2.0, 3.0]]), ">1", Array([["a", "b", "a"]]), "a")
    15.0
    """
    total = 0.0
    for x in _numbers(_selected(values_of(sum_range), _pairs(pairs))):
        total += x
    return total


@xlfunction("COUNTIF", "any, scalar_e")
def COUNTIF(range_: Any, criterion: Any) -> float:
    """Counts the number of cells within a range that meet the given criterion.

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("COUNTIF", Array([["apples", "oranges", "peaches", "apples"]]), "?p*")
    2.0
    """
    a = values_of(range_)
    p = _pred(criterion)
    return float(sum(1 for v in a.flat() if p(v)))


@xlfunction("COUNTIFS", "any, scalar_e", repeat=2)
def COUNTIFS(*pairs: Any) -> float:
    """Counts the number of cells within a range that meet multiple criteria."""
    tests = _pairs(pairs)
    first = values_of(tests[0][0])
    return float(sum(1 for _ in _selected(first, tests)))


@xlfunction("AVERAGEIF", "any, scalar_e, any?")
def AVERAGEIF(range_: Any, criterion: Any, average_range: Any = None) -> float:
    """Returns the average (arithmetic mean) of all the cells in a range that meet a
    given criterion (``#DIV/0!`` when no number does).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> from templates.recalc.values import Array
    >>> xlcall("AVERAGEIF", Array([[100000.0, 200000.0, 300000.0, 400000.0]]), "<250000")
    150000.0
    """
    xs = _single(range_, criterion, average_range)
    if not xs:
        raise XLFail(DIV0, "no cell meets the criterion")
    return sum(xs) / len(xs)


@xlfunction("AVERAGEIFS", "any, any, scalar_e", repeat=2)
def AVERAGEIFS(average_range: Any, *pairs: Any) -> float:
    """Returns the average (arithmetic mean) of all cells that meet multiple criteria."""
    xs = _numbers(_selected(values_of(average_range), _pairs(pairs)))
    if not xs:
        raise XLFail(DIV0, "no cell meets the criteria")
    return sum(xs) / len(xs)


@xlfunction("MAXIFS", "any, any, scalar_e", repeat=2)
def MAXIFS(max_range: Any, *pairs: Any) -> float:
    """Returns the maximum value among cells specified by a given set of conditions or
    criteria (0 when none)."""
    xs = _numbers(_selected(values_of(max_range), _pairs(pairs)))
    return max(xs) if xs else 0.0


@xlfunction("MINIFS", "any, any, scalar_e", repeat=2)
def MINIFS(min_range: Any, *pairs: Any) -> float:
    """Returns the minimum value among cells specified by a given set of conditions or
    criteria (0 when none)."""
    xs = _numbers(_selected(values_of(min_range), _pairs(pairs)))
    return min(xs) if xs else 0.0
