"""Logical functions: IF, IFS, SWITCH, IFERROR, IFNA (lazy), AND, OR, XOR, NOT, TRUE, FALSE.

The conditional functions take their arguments lazily: only the branch chosen is
evaluated, so ``IF(A1=0, 0, 1/A1)`` never computes the division it does not need and a
circular or expensive branch costs nothing. A condition that is an array (or a range
in an array formula) makes the function element-wise over the broadcast shape of the
condition and the branches, as Excel does: ``IF({1,0}, "y", "n")`` is ``{"y","n"}``.

AND, OR and XOR read logicals from ranges and arrays, where numbers count (non-zero is
TRUE) and text and empty cells are skipped; a typed argument that is text counts only
when it is ``"TRUE"`` or ``"FALSE"`` (Excel's answer for ``AND(TRUE,"0")`` is TRUE,
formulas_test.xlsx 'LOGICAL'!AT3). With no logical at all they are ``#VALUE!``; the first
error met is the result.
"""

from __future__ import annotations

from collections.abc import Callable

from templates.recalc.functions._args import flat
from templates.recalc.registry import MISSING, _intersect, xlfunction
from templates.recalc.values import (
    NA,
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
    compare,
    to_bool,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__: list[str] = []

Thunk = Callable[[], object]  # a lazy argument: evaluates it when called


class _Omitted:
    __slots__ = ()


_OMIT = _Omitted()  # an argument not written at all (IF(c, 1) has no value_if_false)


def _resolve(v: Any, ctx: Any) -> Any:
    """An evaluated argument as a value or an Array (references read; a multi-cell one
    outside an array formula by implicit intersection)."""
    if isinstance(v, Ref):
        if v.r1 == v.r2 and v.c1 == v.c2:
            return v.value()
        if getattr(ctx, "array_mode", True):
            return v.array()
        return _intersect(v, ctx)
    if isinstance(v, MultiRef):
        return VALUE
    if v is MISSING:
        return None
    return v


def _force(th: Any, ctx: Any, missing: Any = 0.0) -> Any:
    """The value of a lazy argument; ``missing`` for one written empty (``IF(c,,2)``)."""
    if th is None or th is MISSING:
        return missing
    return _resolve(th(), ctx)


def _branch(th: Any, missing: Any = 0.0) -> Any:
    """A chosen branch as evaluated: a reference stays a reference (``SUM(IF(c, A1:A3))``)."""
    if th is None or th is MISSING:
        return missing
    v = th()
    return None if v is MISSING else v


def _cond(v: Any) -> Any:
    """A condition element: TRUE/FALSE, or the error it gives."""
    if type(v) is ExcelError:
        return v
    try:
        return to_bool(v)
    except XLFail as exc:
        return exc.error


def _shape(values: list[Any]) -> tuple[int, int]:
    arrays = [v for v in values if isinstance(v, Array)]
    return max(a.nrows for a in arrays), max(a.ncols for a in arrays)


def _el(v: Any, r: int, c: int) -> Any:
    return v.get(r, c) if isinstance(v, Array) else v


@xlfunction("IF", "lazy, lazy?, lazy?", context=True)
def IF(ctx: Any, logical_test: Thunk, value_if_true: Any = _OMIT,
       value_if_false: Any = _OMIT) -> Any:
    """Specifies a logical test to perform: ``value_if_true`` when it holds, else
    ``value_if_false`` (FALSE when that is left out, 0 when written empty)."""
    test = _force(logical_test, ctx, False)
    if not isinstance(test, Array):
        t = _cond(test)
        if type(t) is ExcelError:
            return t
        if t:
            return False if value_if_true is _OMIT else _branch(value_if_true)
        return False if value_if_false is _OMIT else _branch(value_if_false)
    conds = test.map(_cond)
    flags = [v for v in conds.flat() if type(v) is bool]
    yes = no = None
    if any(flags):
        yes = False if value_if_true is _OMIT else _force(value_if_true, ctx)
    if not all(flags):
        no = False if value_if_false is _OMIT else _force(value_if_false, ctx)
    nr, nc = _shape([conds, yes, no])
    out = []
    for r in range(nr):
        row = []
        for c in range(nc):
            t = conds.get(r, c)
            row.append(t if type(t) is ExcelError else _el(yes if t else no, r, c))
        out.append(row)
    return Array(out)


def _if_error(ctx: Any, value: Thunk, fallback: Any, which: Callable[[Any], bool]) -> Any:
    v = _force(value, ctx)
    if isinstance(v, Array):
        if not any(which(x) for x in v.flat()):
            return v
        alt = _force(fallback, ctx)
        nr, nc = _shape([v, alt])
        return Array([[_el(alt, r, c) if which(x := v.get(r, c)) else x
                       for c in range(nc)] for r in range(nr)])
    if which(v):
        return _branch(fallback)
    return v


@xlfunction("IFERROR", "lazy, lazy", context=True)
def IFERROR(ctx: Any, value: Thunk, value_if_error: Thunk) -> Any:
    """Returns a value you specify if a formula evaluates to an error; otherwise,
    returns the result of the formula."""
    return _if_error(ctx, value, value_if_error, lambda x: type(x) is ExcelError)


@xlfunction("IFNA", "lazy, lazy", context=True)
def IFNA(ctx: Any, value: Thunk, value_if_na: Thunk) -> Any:
    """Returns the value you specify if the expression resolves to #N/A, otherwise
    returns the result of the expression."""
    return _if_error(ctx, value, value_if_na, lambda x: type(x) is ExcelError and x == NA)


@xlfunction("IFS", "lazy, lazy*", repeat=2, context=True)
def IFS(ctx: Any, *args: Thunk) -> Any:
    """Checks whether one or more conditions are met and returns a value that
    corresponds to the first TRUE condition (``#N/A`` when none is)."""
    if len(args) % 2:
        return NA
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    for k, (cond_th, val_th) in enumerate(pairs):
        c = _force(cond_th, ctx, False)
        if isinstance(c, Array):
            return _ifs_array(ctx, c, pairs[k:])
        t = _cond(c)
        if type(t) is ExcelError:
            return t
        if t:
            return _branch(val_th)
    return NA


def _ifs_array(ctx: Any, first: Array, pairs: list[tuple[Thunk, Thunk]]) -> Array:
    conds = [first] + [_force(c, ctx, False) for c, _ in pairs[1:]]
    vals = [_force(v, ctx) for _, v in pairs]
    nr, nc = _shape(conds + vals)
    out = []
    for r in range(nr):
        row = []
        for c in range(nc):
            res: Any = NA
            for cond, val in zip(conds, vals, strict=True):
                t = _cond(_el(cond, r, c))
                if type(t) is ExcelError:
                    res = t
                    break
                if t:
                    res = _el(val, r, c)
                    break
            row.append(res)
        out.append(row)
    return Array(out)


def _switch_match(x: Any, v: Any) -> Any:
    """Whether SWITCH's expression equals a case value: text without regard to case,
    no conversion between numbers, text and logicals, an empty cell as the number 0
    (unlike ``=``, it does not equal ``""`` or FALSE: pycel_logical.xlsx 'Switch'!C32,
    C38); an error case value is the result."""
    if type(v) is ExcelError:
        return v
    if x is None:
        x = 0.0
    if v is None:
        v = 0.0
    return compare(x, v) == 0


@xlfunction("SWITCH", "lazy, lazy, lazy, lazy?*", context=True)
def SWITCH(ctx: Any, expression: Thunk, *args: Thunk) -> Any:
    """Evaluates an expression against a list of values and returns the result
    corresponding to the first matching value; the default (an odd last argument) or
    ``#N/A`` when nothing matches.

    Notes
    -----
    Values compare as Excel's ``=`` does, so text matches regardless of case:
    ``SWITCH("a", "A", 1, 2)`` is 1.
    """
    x = _force(expression, ctx, None)
    has_default = len(args) % 2 == 1
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]
    if isinstance(x, Array):
        return _switch_array(ctx, x, pairs, args[-1] if has_default else None)
    if type(x) is ExcelError:
        return x
    for k, (case_th, res_th) in enumerate(pairs):
        v = _force(case_th, ctx, None)
        if isinstance(v, Array):
            return _switch_array(ctx, x, pairs, args[-1] if has_default else None, k)
        m = _switch_match(x, v)
        if type(m) is ExcelError:
            return m
        if m:
            return _branch(res_th)
    return _branch(args[-1]) if has_default else NA


def _switch_array(ctx: Any, x: Any, pairs: list[tuple[Thunk, Thunk]], default: Any,
                  start: int = 0) -> Array:
    cases = [_force(c, ctx, None) for c, _ in pairs[start:]]
    results = [_force(r, ctx) for _, r in pairs[start:]]
    dflt = _force(default, ctx) if default is not None else NA
    nr, nc = _shape([x, *cases, *results, dflt])
    out = []
    for r in range(nr):
        row = []
        for c in range(nc):
            xe = _el(x, r, c)
            if type(xe) is ExcelError:
                row.append(xe)
                continue
            res = _el(dflt, r, c)
            for case, val in zip(cases, results, strict=True):
                m = _switch_match(xe, _el(case, r, c))
                if type(m) is ExcelError:
                    res = m
                    break
                if m:
                    res = _el(val, r, c)
                    break
            row.append(res)
        out.append(row)
    return Array(out)


# --- AND / OR / XOR / NOT ---------------------------------------------------------------


def _logicals(args: tuple[Any, ...]) -> list[bool]:
    out: list[bool] = []
    for a in args:
        if isinstance(a, (Array, Ref, MultiRef)):
            for v, _ in flat((a,)):
                t = type(v)
                if t is ExcelError:
                    raise XLFail(v)
                if t is bool:
                    out.append(v)
                elif t is float or t is int:
                    out.append(v != 0)
            continue
        t = type(a)
        if t is ExcelError:
            raise XLFail(a)
        if t is bool:
            out.append(a)
        elif t is float or t is int:
            out.append(a != 0)
        elif a is None or a is MISSING:
            out.append(False)  # an argument written empty, AND(TRUE,)
        elif t is str:
            u = a.upper()
            if u in ("TRUE", "FALSE"):
                out.append(u == "TRUE")
    if not out:
        raise XLFail(VALUE, "no logical values")
    return out


@xlfunction("AND", "any*")
def AND(*logicals: Any) -> bool:
    """Returns TRUE if all of its arguments are TRUE."""
    return all(_logicals(logicals))


@xlfunction("OR", "any*")
def OR(*logicals: Any) -> bool:
    """Returns TRUE if any argument is TRUE."""
    return any(_logicals(logicals))


@xlfunction("XOR", "any*")
def XOR(*logicals: Any) -> bool:
    """Returns a logical exclusive OR of all arguments: TRUE when an odd number of them
    are TRUE."""
    return sum(_logicals(logicals)) % 2 == 1


@xlfunction("NOT", "bool")
def NOT(logical: bool) -> bool:
    """Reverses the logic of its argument."""
    return not logical


@xlfunction("TRUE")
def TRUE() -> bool:
    """Returns the logical value TRUE."""
    return True


@xlfunction("FALSE")
def FALSE() -> bool:
    """Returns the logical value FALSE."""
    return False
