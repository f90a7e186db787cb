"""The Excel function catalog: every LLM_* function defined once, with Excel semantics.

A function is an :class:`ExcelFunction`: its Excel name, a one-line description, a doc per
argument (with its unit), optional arguments last with their defaults, and an implementation
that takes plain Python scalars. :func:`call` gives every function the same Excel behaviour,
whatever the host (xlwings, ``formulas``, plain Python):

- blanks (``None``, ``""``) take the argument's default; a blank required number is 0, as
  in Excel;
- an Excel error value in any argument is returned as is (the first, left to right);
- a range (a list of rows, or a numpy array) in a scalar argument gives an array of results
  of the same shape, element by element, as Excel's own functions do; ranges broadcast
  like Excel's arrays (a 1×1 range is a scalar; a column against a row gives a grid);
- text where a number belongs → ``#VALUE!``; a number out of its range, NaN or ±inf →
  ``#NUM!``; an unknown model or GPU → ``#N/A``; every error carries its reason, which
  ``=LLM_WHY("NAME", args…)`` shows in a cell.

No exception escapes :func:`call`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import inspect
import itertools
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from engine.errors import InputError, UnknownNameError
from udfs.excel_errors import BY_TEXT, NA, NUM, VALUE, ExcelError, as_error

CATEGORY = "LLM TCO"

#: Argument kinds and what each accepts.
KINDS = ("number", "text", "bool", "any")


@dataclasses.dataclass(frozen=True)
class Arg:
    """One argument of an Excel function.

    ``default`` is used when the cell is blank; ``REQUIRED`` marks an argument without one.
    ``low``/``high`` bound numbers (``low_open``: strictly above ``low``).
    """

    name: str
    doc: str
    kind: str = "number"
    default: Any = None
    required: bool = False
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] | None = None
    table: bool = False  # takes a whole range (not broadcast element by element)


@dataclasses.dataclass(frozen=True)
class ExcelFunction:
    """An Excel function of the catalog."""

    name: str
    description: str
    args: tuple[Arg, ...]
    impl: Callable[..., Any]
    returns: str  # what the result is, with its unit
    spills: bool = False  # returns a table with a header row
    examples: tuple[str, ...] = ()
    #: The reason for an infinite result when infinity has a meaning ("never breaks even");
    #: blank: an infinite result is an overflow.
    infinite: str = ""
    #: Over a range: a vectorised test taking, for each of its parameters (argument names),
    #: the coerced value of every cell (a list) or, for an argument given as one cell, that
    #: one value, and giving True (a bool array, one per cell) where the call certainly
    #: fails with #N/A for an unknown name before anything else is checked. Those cells
    #: skip the implementation; each one's reason is the scalar call's, made when it is
    #: read. (A million distinct unknown names: no search, no Python call each.) Its
    #: parameters that are ranges must be free text (kind "text", no choices).
    unknown: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        seen_optional = False
        for a in self.args:
            if a.kind not in KINDS:
                raise ValueError(f"{self.name}.{a.name}: kind must be one of {KINDS}")
            if a.required and seen_optional:
                raise ValueError(f"{self.name}: required {a.name} after an optional argument")
            seen_optional |= not a.required


#: Every function, by Excel name, in the order of the reference.
FUNCTIONS: dict[str, ExcelFunction] = {}


def define(fn: ExcelFunction) -> ExcelFunction:
    """Add a function to the catalog (names are unique and upper case)."""
    if fn.name != fn.name.upper() or fn.name in FUNCTIONS:
        raise ValueError(f"bad or duplicate Excel function name {fn.name!r}")
    # Fail at import, not in a user's cell, when the docs and the implementation disagree.
    inspect.signature(fn.impl).bind(**{a.name: None for a in fn.args})
    FUNCTIONS[fn.name] = fn
    return fn


class _CellError(Exception):
    """Internal: an argument or result that maps to an Excel error."""

    def __init__(self, error: ExcelError, reason: str) -> None:
        super().__init__(reason)
        self.error = error.because(reason)


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v == "")


def show(value: Any) -> str:
    """A cell value as the user typed it, for a reason: ``-1``, ``1e+308``, ``'lots'``.

    Examples
    --------
    >>> show(-1.0), show(1e308), show(0.25), show("lots"), show(np.float64(3.0))
    ('-1', '1e+308', '0.25', "'lots'", '3')
    """
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size == 1 else value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "a blank cell"
    return repr(value)


def _bound_reason(arg: Arg, x: float) -> str | None:
    """Why a number breaks ``arg``'s range (None when it does not)."""
    if not math.isfinite(x):
        return f"{arg.name} must be a finite number; got {show(x)}"
    if arg.low is not None and (x <= arg.low if arg.low_open else x < arg.low):
        return f"{arg.name} must be {'>' if arg.low_open else '>='} {show(arg.low)}; got {show(x)}"
    if arg.high is not None and x > arg.high:
        return f"{arg.name} must be <= {show(arg.high)}; got {show(x)}"
    return None


def _coerce(arg: Arg, value: Any) -> Any:
    """One scalar cell value → the Python value the implementation takes (or _CellError)."""
    if _is_blank(value):
        if arg.required:
            if arg.kind == "number":
                value = 0.0  # Excel reads a blank cell as 0 in a number argument
            elif arg.kind == "bool":
                value = False
            else:
                raise _CellError(VALUE, f"{arg.name} is required; the cell is blank")
        else:
            return arg.default
    if arg.kind == "any":
        return value
    if arg.kind == "number":
        if isinstance(value, bool | np.bool_):
            x = float(value)  # TRUE is 1 in a number argument given directly
        elif isinstance(value, int | np.integer):
            try:
                x = float(value)
            except OverflowError:  # an integer beyond a double: Excel's overflow
                raise _CellError(NUM, f"{arg.name} must be a finite number; got {value} "
                                 "(beyond Excel's largest number)") from None
        elif isinstance(value, float | np.floating):
            x = float(value)
        elif isinstance(value, str):
            try:  # Excel converts text that reads as a number ("12", "1e6")
                x = float(value.strip().replace(",", ""))
            except ValueError:
                reason = f"{arg.name} must be a number; got text {value!r}"
                raise _CellError(VALUE, reason) from None
        else:
            raise _CellError(VALUE, f"{arg.name} must be a number; got {type(value).__name__}")
        if (reason := _bound_reason(arg, x)) is not None:
            raise _CellError(NUM, reason if isinstance(value, int | float | np.number)
                             else f"{reason[:reason.rindex('; got ')]}; got text {value!r}")
        return x
    if arg.kind == "bool":
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer):
            return bool(value != 0)
        if isinstance(value, float | np.floating):
            if not math.isfinite(float(value)):
                raise _CellError(NUM, f"{arg.name} must be TRUE or FALSE; got {show(value)}")
            return float(value) != 0.0
        if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
            return value.strip().upper() == "TRUE"
        raise _CellError(VALUE, f"{arg.name} must be TRUE or FALSE; got {show(value)}")
    # text
    if isinstance(value, bool | np.bool_):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float | np.floating) and float(value).is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if arg.choices is not None:
        low = text.strip().lower()
        for c in arg.choices:
            if c.lower() == low:
                return c
        raise _CellError(VALUE, f"{arg.name} must be one of {', '.join(arg.choices)}; got {text!r}")
    return text.strip()


def _grid(value: Any) -> np.ndarray | None:
    """A range as a 2-D array (numeric dtype kept, else object), or None for a scalar (a 1×1
    range is a scalar)."""
    if isinstance(value, np.ndarray):
        arr = value if value.dtype.kind in "fiub" else value.astype(object)
    elif isinstance(value, list | tuple):
        if value and isinstance(value[0], list | tuple):
            width = len(value[0])
            # Checked at C speed (map), not row by row in Python: a range may be 10^6 rows.
            if not set(map(type, value)) <= {list, tuple} or set(map(len, value)) != {width}:
                raise _CellError(VALUE, "a range argument has rows of different lengths")
            # Each cell stored as it is (a cell that is itself a sequence too), at C speed:
            # ~0.06 s for 10^6 rows, where ``arr[:] = value`` spends ~0.2 s finding out the
            # nesting of the list again.
            arr = np.fromiter(itertools.chain.from_iterable(value), dtype=object,
                              count=len(value) * width).reshape(len(value), width)
        else:
            arr = np.empty((len(value), 1), dtype=object)  # a 1-D list is a column
            for i, cell in enumerate(value):
                arr[i, 0] = cell
    else:
        return None
    if arr.ndim == 0:
        return None
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim > 2 or arr.size == 0:
        raise _CellError(VALUE, "a range argument must be a non-empty 1- or 2-D range")
    return None if arr.size == 1 else arr


def _scalar_of(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.reshape(-1)[0] if value.size else None
    if isinstance(value, list | tuple):
        first = value[0] if value else None
        return first[0] if isinstance(first, list | tuple) and first else first
    return value


#: Engine argument names → the catalog argument they come from, where the names differ.
_ALIASES = {
    "input_tokens": ("input_tokens_per_request",),
    "output_tokens": ("output_tokens_per_request",),
    "requests": ("requests_per_day",),
    "gpus": ("requests_per_day",),  # GPUs needed overflowed: the volume is too large
    "share": ("hybrid_share",),
    "characters": ("text_or_characters",),
    "finetune gpu": ("gpu",),
    "model": ("model", "open_model", "api_model"),
}


def _blamed(fn: ExcelFunction, exc: InputError, kwargs: dict[str, Any]) -> str | None:
    """The catalog argument an engine error is about (None when none matches)."""
    names = [a.name for a in fn.args]
    if exc.argument in names and exc.argument != "model":
        return exc.argument
    cands = [c for c in _ALIASES.get(exc.argument, ()) if c in names]
    if exc.argument == "model" and len(cands) > 1:
        what = getattr(exc, "what", "")
        is_api = "price" in what or "provider" in what or "token prices" in exc.rule
        prefer = "api_model" if is_api else "open_model"
        value = str(exc.value).strip().lower()
        same = [c for c in cands if str(kwargs.get(c, "")).strip().lower() == value]
        cands = [prefer] if prefer in cands else []
        if len(same) == 1:
            cands = same
    return cands[0] if cands else None


def _engine_error(fn: ExcelFunction, exc: Exception, kwargs: dict[str, Any],
                  raw: dict[str, Any]) -> ExcelError:
    """An engine exception → the Excel error, its reason naming the argument at fault, its
    rule and the user's value as typed."""
    if isinstance(exc, InputError):
        error = NA if isinstance(exc, UnknownNameError) else (
            NUM if isinstance(exc.value, int | float | np.ndarray | np.number)
            and not isinstance(exc.value, bool) else VALUE)
        name = _blamed(fn, exc, kwargs)
        if name is None:
            return error.because(f"{fn.name}: {exc.argument} {exc.rule}")
        value = raw.get(name, kwargs.get(name))
        if isinstance(value, str) or not isinstance(exc.value, str):
            shown = show(value)
        else:
            shown = show(exc.value)
        if isinstance(exc, UnknownNameError):  # its "did you mean" is found when read
            return error.because(lambda: f"{name} {exc.rule}; got {shown}")
        rule = exc.rule if exc.argument in (name, "model") else f"{exc.rule} (as {exc.argument})"
        return error.because(f"{name} {rule}; got {shown}")
    if isinstance(exc, OverflowError):
        return NUM.because(_overflow_reason(fn, kwargs))
    return VALUE.because(f"{fn.name}: {type(exc).__name__}: {exc}")


def _largest(fn: ExcelFunction, kwargs: dict[str, Any]) -> tuple[str, float] | None:
    best = None
    for a in fn.args:
        v = kwargs.get(a.name)
        if a.kind == "number" and isinstance(v, float) and (best is None or abs(v) > best[1]):
            best = (a.name, abs(v))
    return best


def _overflow_reason(fn: ExcelFunction, kwargs: dict[str, Any]) -> str:
    big = _largest(fn, kwargs)
    where = f"; {big[0]} = {show(kwargs[big[0]])} is too large" if big else ""
    return f"the result overflows (beyond Excel's largest number, 1.8e308){where}"


def _result(fn: ExcelFunction, value: Any, kwargs: dict[str, Any] | None = None) -> Any:
    """A finished implementation result → a cell value (or table) Excel accepts."""
    if isinstance(value, ExcelError):
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
        if math.isnan(x):
            big = _largest(fn, kwargs or {})
            where = f"; {big[0]} = {show(kwargs[big[0]])} is too large" if big and \
                big[1] > 1e100 else ""
            if not where and big:
                where = f"; largest argument {big[0]} = {show(kwargs[big[0]])}"
            return NUM.because(f"no numeric answer for these inputs (NaN, an intermediate "
                               f"overflowed){where}")
        if math.isinf(x):
            if fn.infinite:
                return NUM.because(fn.infinite)
            return NUM.because(_overflow_reason(fn, kwargs or {}))
        return x
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # a table: rows of cells
        return [[_result(fn, c, kwargs) if not isinstance(c, str) else c for c in row]
                for row in value]
    return VALUE.because(f"{fn.name} returned an unsupported {type(value).__name__}")


def _run(fn: ExcelFunction, kwargs: dict[str, Any], raw: dict[str, Any]) -> Any:
    """The implementation on coerced scalar arguments → a cell value (never raises)."""
    try:
        with np.errstate(all="ignore"):
            return _result(fn, fn.impl(**kwargs), kwargs)
    except _CellError as f:
        return f.error
    except (InputError, LookupError, ValueError, TypeError, ArithmeticError) as exc:
        return _engine_error(fn, exc, kwargs, raw)
    except Exception as exc:  # a cell must never show a traceback
        return VALUE.because(f"internal error in {fn.name}: {type(exc).__name__}: {exc}")


def _call_scalar(fn: ExcelFunction, values: Sequence[Any]) -> Any:
    try:
        kwargs = {a.name: _coerce(a, v) for a, v in zip(fn.args, values, strict=True)}
    except _CellError as f:
        return f.error
    except Exception as exc:  # a cell must never show a traceback
        return VALUE.because(f"internal error in {fn.name}: {type(exc).__name__}: {exc}")
    return _run(fn, kwargs, {a.name: v for a, v in zip(fn.args, values, strict=True)})


# --- many cells at once ------------------------------------------------------------------

_PLAIN_NUMBERS = frozenset({float, int, np.float64})
_IS_PLAIN = np.frompyfunc(lambda v: type(v) in _PLAIN_NUMBERS, 1, 1)
_LEAF = 8  # below this many cells a failing vectorised call is answered cell by cell
#: Cells per vectorised implementation call: 2^16 float64 temporaries are 512 KiB each (the
#: allocator's heap, not fresh mmaps), and per-call overhead (~1 ms) stays under 2 %.
_CHUNK = 1 << 16
#: Ranges of at least this many cells whose names are mostly distinct (in a sample of
#: about _SCREEN_SAMPLE cells) are screened for unknown names before being factorised
#: (see _screen_names); below it the full path is as quick.
_SCREEN_MIN = 4096
_SCREEN_SAMPLE = 1024


@dataclasses.dataclass
class _Col:
    """One argument over the cells: errors it causes, and its coerced values."""

    raw_err: np.ndarray | None = None  # object: the Excel error value a cell holds, or None
    bad: np.ndarray | None = None  # object: the coercion error of a cell, or None
    x: np.ndarray | None = None  # float: number arguments' values
    blank_default: np.ndarray | None = None  # bool: a blank number cell whose default is None
    codes: np.ndarray | None = None  # int: other arguments, the distinct value of each cell
    distinct: list[Any] | None = None  # (raw, coerced) per code


def _put(store: np.ndarray | None, n: int, i: Any, value: Any) -> np.ndarray:
    if store is None:
        store = np.full(n, None, dtype=object)
    store[i] = value
    return store


def _number_col(a: Arg, col: np.ndarray) -> _Col:
    n = col.size
    c = _Col()
    if col.dtype.kind in "fiub":
        x = col.astype(float)
        fast = np.ones(n, dtype=bool)
    else:
        kinds = set(map(type, col.tolist()))
        fast = np.ones(n, dtype=bool) if kinds <= _PLAIN_NUMBERS else _IS_PLAIN(col).astype(bool)
        x = np.zeros(n)
        try:
            x[fast] = col[fast].astype(float)
        except (OverflowError, TypeError, ValueError):  # huge integers: cell by cell
            fast[:] = False
        memo: dict[Any, Any] = {}
        for i in np.flatnonzero(~fast):
            v = col[i]
            key = (type(v), v)
            try:
                got = memo[key]
            except (KeyError, TypeError):
                if (err := as_error(v)) is not None:
                    got = ("raw", err)
                else:
                    try:
                        got = ("ok", _coerce(a, v))
                    except _CellError as f:
                        got = ("bad", f.error)
                with contextlib.suppress(TypeError):
                    memo[key] = got
            kind, val = got
            if kind == "raw":
                c.raw_err = _put(c.raw_err, n, i, val)
            elif kind == "bad":
                c.bad = _put(c.bad, n, i, val)
            elif val is None:
                if c.blank_default is None:
                    c.blank_default = np.zeros(n, dtype=bool)
                c.blank_default[i] = True
            else:
                x[i] = val
    ok = np.isfinite(x)
    if a.low is not None:
        ok &= (x > a.low) if a.low_open else (x >= a.low)
    if a.high is not None:
        ok &= x <= a.high
    wrong = fast & ~ok
    if wrong.any():
        idx = np.flatnonzero(wrong)
        # One error per cell, its reason (with the cell's value) made when it is read.
        errs = np.empty(idx.size, dtype=object)
        errs[:] = ExcelError.many("#NUM!", functools.partial(_bound_reason, a), x[idx].tolist())
        c.bad = _put(c.bad, n, idx, errs)
    x[~ok] = 0.0
    c.x = x
    return c


def _other_col(a: Arg, col: np.ndarray) -> _Col:
    n = col.size
    c = _Col(codes=np.empty(n, dtype=np.int64), distinct=[])
    memo: dict[Any, int] = {}
    codes = c.codes
    todo: Any = range(n)
    if a.kind == "any":  # numbers in an "any" argument go through the implementation at once
        fast = col.dtype.kind in "fiu" or _IS_PLAIN(col).astype(bool)
        fast = np.broadcast_to(fast, (n,)).copy()
        x = np.zeros(n)
        try:
            x[fast] = col[fast].astype(float)
        except (OverflowError, TypeError, ValueError):
            fast[:] = False
        if fast.any():
            c.x = x
            c.distinct.append((None, ("num", None)))
            codes[fast] = 0
            todo = np.flatnonzero(~fast).tolist()
    values = col.tolist()
    if not isinstance(todo, list) and set(map(type, values)) == {str}:
        # All text (a column of model names): distinct values and codes at C speed.
        # One hashing pass: each cell's first occurrence (setdefault keeps the first), then
        # dense codes in order of first occurrence.
        index: dict[Any, int] = {}
        firsts = np.fromiter(map(index.setdefault, values, itertools.count()), dtype=np.int64,
                             count=n)
        where, dense = np.unique(firsts, return_inverse=True)
        codes[:] = dense.reshape(-1)
        keys = list(map(values.__getitem__, where.tolist()))
        if a.kind == "text" and a.choices is None and "" not in index and \
                not any(map(BY_TEXT.__contains__, keys)):
            # Free text (names), none blank or an error's text: each value is itself
            # stripped (what _coerce makes of it), built at C speed (a million distinct
            # names ~0.2 s, not a Python call each).
            c.distinct = list(zip(keys, zip(itertools.repeat("ok"), map(str.strip, keys)),
                                  strict=False))  # repeat() is endless
            return c  # no errors among them
        c.distinct = [(v, _scalar_col(a, v)) for v in keys]
        todo = []
    for i in todo:
        v = values[i]
        key = (type(v), v)
        try:
            code = memo.get(key)
        except TypeError:
            code, key = None, None
        if code is None:
            code = len(c.distinct)
            if (err := as_error(v)) is not None:
                c.distinct.append((v, ("raw", err)))
            else:
                try:
                    c.distinct.append((v, ("ok", _coerce(a, v))))
                except _CellError as f:
                    c.distinct.append((v, ("bad", f.error)))
            if key is not None and v == v:
                memo[key] = code
        codes[i] = code
    # Each cell's error by its code, in one pass (a loop over codes would be quadratic when
    # every cell holds a different wrong value).
    kinds = [kind for _, (kind, _) in c.distinct]
    for kind in ("raw", "bad"):
        if kind in kinds:
            by_code = np.full(len(kinds), None, dtype=object)
            is_kind = np.array([k == kind for k in kinds])
            by_code[is_kind] = [val for (_, (k, val)) in c.distinct if k == kind]
            mask = is_kind[codes]
            store = _put(None, n, mask, by_code[codes[mask]])
            if kind == "raw":
                c.raw_err = store
            else:
                c.bad = store
    return c


def _scalar_col(a: Arg, v: Any) -> tuple[str, Any]:
    if (err := as_error(v)) is not None:
        return ("raw", err)
    try:
        return ("ok", _coerce(a, v))
    except _CellError as f:
        return ("bad", f.error)


def _first_errors(n: int, layers: list[tuple[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, the first error over the arguments, left to right (``layers`` in order)."""
    first = np.full(n, None, dtype=object)
    have = np.zeros(n, dtype=bool)
    for kind, store in layers:
        if store is None:
            continue
        if kind == "scalar":
            first[~have] = store
            have[:] = True
            break
        mask = ~have & (store != None)  # noqa: E711  (elementwise test of an object array)
        first[mask] = store[mask]
        have |= mask
    return first, have


def _is_range(a: Arg, v: Any) -> bool:
    """Whether argument ``a`` is given as a range (a 1-D array of the cells) here."""
    return isinstance(v, np.ndarray) and v.ndim == 1 and not a.table


def _columns(fn: ExcelFunction, values: Sequence[Any], skip: frozenset[str] = frozenset()
             ) -> tuple[list[_Col | None], list[tuple[str, Any] | None]]:
    """Each argument read over the cells: a :class:`_Col` for a range, (kind, coerced) for a
    scalar. Arguments in ``skip`` are taken as holding no error (read as ("ok", None))."""
    cols: list[_Col | None] = []
    scal: list[tuple[str, Any] | None] = []
    for a, v in zip(fn.args, values, strict=True):
        if a.name in skip:
            cols.append(None)
            scal.append(("ok", None))
        elif _is_range(a, v):
            cols.append(_number_col(a, v) if a.kind == "number" else _other_col(a, v))
            scal.append(None)
        else:
            cols.append(None)
            scal.append(_scalar_col(a, v) if not a.table else ("ok", v))
    return cols, scal


def _errors(cols: list[_Col | None], scal: list[tuple[str, Any] | None], n: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, the error it gives before the implementation runs (object array, None for
    none) and where there is one: an error value held by an argument (the first, left to
    right), else the first argument that cannot be coerced."""
    raw_layers: list[tuple[str, Any]] = []
    bad_layers: list[tuple[str, Any]] = []
    for c, s in zip(cols, scal, strict=True):
        if c is None:
            assert s is not None
            if s[0] == "raw":
                raw_layers.append(("scalar", s[1]))
            elif s[0] == "bad":
                bad_layers.append(("scalar", s[1]))
        else:
            raw_layers.append(("array", c.raw_err))
            bad_layers.append(("array", c.bad))
    first, have = _first_errors(n, raw_layers)
    first2, have2 = _first_errors(n, bad_layers)
    use2 = ~have & have2
    first[use2] = first2[use2]
    have |= have2
    return first, have


def elementwise(fn: ExcelFunction, values: Sequence[Any], n: int,
                tables: bool = False, *, screen: bool = True) -> np.ndarray:
    """``fn`` over ``n`` cells: each value a scalar (every cell) or a 1-D array of ``n`` cells.

    Returns a length-``n`` object array whose element ``i`` is exactly
    ``_call_scalar(fn, [v[i] or v …])``, computed by one vectorised implementation call per
    distinct combination of the text arguments (cells a vectorised call cannot vouch for are
    answered one by one, by bisection). A table result is kept per cell with ``tables``,
    else it is ``#VALUE!`` (Excel cannot nest arrays). ``screen``: names may be screened
    for unknown ones first (see :func:`_screen_names`).
    """
    if screen and fn.unknown is not None and n >= _SCREEN_MIN:
        screened = _screen_names(fn, values, n, tables)
        if screened is not None:
            return screened
    cols, scal = _columns(fn, values)
    out, have = _errors(cols, scal, n)
    todo = np.flatnonzero(~have)
    if todo.size and fn.unknown is not None:
        todo = _unknown_cells(fn, cols, scal, values, todo, out)
    if todo.size == 0:
        return out
    # Groups: one per distinct combination of the non-number values (and blank defaults).
    key = np.zeros(todo.size, dtype=np.int64)
    for c in cols:
        for part in (None if c is None else c.codes,
                     None if c is None or c.blank_default is None else c.blank_default):
            if part is None:
                continue
            sub = part[todo].astype(np.int64)
            key = key * (int(sub.max()) + 1) + sub
            _, key = np.unique(key, return_inverse=True)
            key = key.reshape(-1)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    cuts = np.flatnonzero(np.diff(sorted_key)) + 1
    for grp in np.split(todo[order], cuts):
        i0 = grp[0]
        kwargs: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        arrays: list[str] = []
        for a, c, s, v in zip(fn.args, cols, scal, values, strict=True):
            if c is None:
                assert s is not None
                kwargs[a.name] = s[1]
                raw[a.name] = v
            elif c.distinct is not None:
                rv, (kind, val) = c.distinct[c.codes[i0]]
                if kind == "num":
                    kwargs[a.name], raw[a.name] = c.x[grp], v[grp]
                    arrays.append(a.name)
                else:
                    kwargs[a.name], raw[a.name] = val, rv
            elif c.blank_default is not None and c.blank_default[i0]:
                kwargs[a.name], raw[a.name] = a.default, None
            else:
                kwargs[a.name] = c.x[grp]
                raw[a.name] = v[grp]
                arrays.append(a.name)
        if not arrays:
            res = _run(fn, kwargs, raw)
            if isinstance(res, list) and not tables:
                res = _table_error(fn)
            if isinstance(res, list):
                for i in grp:
                    out[i] = res
            else:
                out[grp] = res
            continue
        # In chunks: a chunk's temporaries stay in the CPU caches and in memory the allocator
        # reuses, where one pass over 10^6 cells makes every temporary a fresh mapping whose
        # pages fault in (measured: the same call 1.1-2.9 s whole, see bench_calls.py).
        for lo in range(0, grp.size, _CHUNK):
            part = slice(lo, lo + _CHUNK)
            kw = {k: (kwargs[k][part] if k in arrays else kwargs[k]) for k in kwargs}
            rw = {k: (raw[k][part] if k in arrays else raw[k]) for k in raw}
            out[grp[part]] = _solve(fn, kw, rw, arrays, tables)
    return out


def _unknown_cells(fn: ExcelFunction, cols: list[_Col | None],
                   scal: list[tuple[str, Any] | None], values: Sequence[Any], todo: np.ndarray,
                   out: np.ndarray) -> np.ndarray:
    """Give ``#N/A`` to the cells of ``todo`` that ``fn.unknown`` says certainly fail for an
    unknown name; return the other cells. The test runs once per distinct combination of
    its arguments' values."""
    assert fn.unknown is not None
    params = list(inspect.signature(fn.unknown).parameters)
    where = {a.name: i for i, a in enumerate(fn.args)}
    ranged = [p for p in params if (c := cols[where[p]]) is not None and c.codes is not None]
    lists: dict[str, list[Any]] = {}
    if len(ranged) == 1:  # one range (a column of names): its distinct values are the combos
        c = cols[where[ranged[0]]]
        assert c is not None and c.distinct is not None
        inverse = c.codes[todo]
        reps = np.full(len(c.distinct), -1, dtype=np.int64)
        reps[inverse[::-1]] = todo[::-1]  # the first cell of each value (-1: none to do)
        lists[ranged[0]] = [val for _, (_, val) in c.distinct]
    else:
        key = np.zeros(todo.size, dtype=np.int64)
        for p in ranged:
            sub = cols[where[p]].codes[todo]  # type: ignore[union-attr]
            key = key * (int(sub.max()) + 1) + sub
            _, key = np.unique(key, return_inverse=True)
            key = key.reshape(-1)
        first, inverse = np.unique(key, return_index=True, return_inverse=True)[1:]
        inverse = inverse.reshape(-1)
        reps = todo[first]
        for p in ranged:
            c = cols[where[p]]
            assert c is not None and c.distinct is not None
            ok = [val for _, (_, val) in c.distinct]
            lists[p] = list(map(ok.__getitem__, c.codes[reps].tolist()))
    for p in params:
        if p not in lists:  # one value for every cell (the hook broadcasts it)
            s = scal[where[p]]
            lists[p] = s[1] if s is not None else None
    is_unknown = np.broadcast_to(np.asarray(fn.unknown(**lists), dtype=bool), reps.shape) & (
        reps >= 0)
    unknown = is_unknown[inverse]
    if unknown.any():
        arrays = [_is_range(a, v) for a, v in zip(fn.args, values, strict=True)]
        # One error per distinct combination (cells holding the same names share it, as
        # they share the same reason); the reason is the scalar call's for its first cell.
        errs = np.full(len(reps), None, dtype=object)
        at = np.flatnonzero(is_unknown)
        errs[at] = ExcelError.many("#N/A", functools.partial(_scalar_reason, fn, values, arrays),
                                   reps[at].tolist())
        out[todo[unknown]] = errs[inverse[unknown]]
    return todo[~unknown]


def _screen_names(fn: ExcelFunction, values: Sequence[Any], n: int, tables: bool = False
                  ) -> np.ndarray | None:
    """``elementwise`` for a range of names that are mostly distinct: ``fn.unknown`` tests
    the raw cells before any column is factorised, and only the cells it cannot decide go
    through the full path. None when this does not apply (the full path answers then).

    Factorising a column of a million distinct names (hashing each and a dict entry each)
    is most of the time such a call takes, and for the names the screen calls unknown it
    serves nothing: their answer is the first error another argument gives, else #N/A.
    The screen applies when every range among the hook's parameters is free text, no
    scalar argument holds or makes an error, and a sample of the cells is mostly distinct (a
    column of a few names repeated is quicker to factorise than to screen cell by cell)
    and mostly unknown to the screen (else it would decide few cells, for its cost).
    It decides only cells holding text (``str``) in each such range, neither blank (a
    default, or "required") nor an error value's text: their coerced value is the text
    stripped, and ``fn.unknown`` sees that.
    """
    assert fn.unknown is not None
    scalars = {a.name: _scalar_col(a, v) for a, v in zip(fn.args, values, strict=True)
               if not _is_range(a, v) and not a.table}
    if any(kind != "ok" for kind, _ in scalars.values()):
        return None  # every cell gives that argument's error: nothing to screen
    where = {a.name: i for i, a in enumerate(fn.args)}
    given: dict[str, Any] = {}
    texts: dict[str, list[Any]] = {}
    for p in inspect.signature(fn.unknown).parameters:
        a, v = fn.args[where[p]], values[where[p]]
        if p in scalars:
            given[p] = scalars[p][1]
        elif a.table or a.kind != "text" or a.choices is not None:
            return None
        else:
            texts[p] = v.tolist()
    if not texts:
        return None
    step = max(1, n // _SCREEN_SAMPLE)
    sample = {p: cells[::step] for p, cells in texts.items()}
    m = len(next(iter(sample.values())))
    # Mostly distinct, and mostly unknown to the screen, in the sample: else the full path
    # is as quick (few names), or the screen would decide few cells.
    if 2 * len(set(zip(*([c if type(c) is str else None for c in cells]
                         for cells in sample.values()), strict=True))) <= m or \
            2 * int(_screened_unknown(fn, sample, given, m).sum()) <= m:
        return None
    unknown = _screened_unknown(fn, texts, given, n)
    if not unknown.any():
        return None
    at = np.flatnonzero(unknown)
    # The other arguments over those cells: their errors come first, as in the full path.
    sub = [None if a.name in texts else v[at] if _is_range(a, v) else v
           for a, v in zip(fn.args, values, strict=True)]
    cols, scal = _columns(fn, sub, skip=frozenset(texts))
    errs, have = _errors(cols, scal, at.size)
    na = np.flatnonzero(~have)
    arrays = [_is_range(a, v) for a, v in zip(fn.args, values, strict=True)]
    # One error per cell (the names differ), its reason the scalar call's, made when read
    # from the cell's index. (A fresh int per error, not the cell's own text: the garbage
    # collection after the call visits what each error holds, and the cells' strings lie
    # all over memory where the new ints are side by side: 0.34 s against 0.15 s per 10^6.
    # Through fromiter: numpy would otherwise look into each element for a sequence.)
    cells = at[na].tolist()
    make = functools.partial(_scalar_reason, fn, values, arrays)
    nas = np.fromiter(ExcelError.many("#N/A", make, cells), dtype=object, count=na.size)
    if na.size == at.size:
        errs = nas
    else:
        errs[na] = nas
    if at.size == n:
        return errs
    out = np.full(n, None, dtype=object)
    rest = np.flatnonzero(~unknown)
    out[rest] = elementwise(fn, [v[rest] if _is_range(a, v) else v
                                 for a, v in zip(fn.args, values, strict=True)],
                            rest.size, tables, screen=False)  # the screen cannot decide them
    out[at] = errs
    return out


def _screened_unknown(fn: ExcelFunction, texts: dict[str, list[Any]], given: dict[str, Any],
                      n: int) -> np.ndarray:
    """``fn.unknown`` over ``n`` cells (bool array): ``texts`` the raw cells of its range
    parameters, ``given`` the coerced values of its scalar ones. Cells that are not text,
    are blank or are an error value's text are False (not decided here)."""
    assert fn.unknown is not None
    fits = np.ones(n, dtype=bool)
    for cells in texts.values():
        if set(map(type, cells)) != {str}:
            fits &= np.fromiter(map(operator.is_, map(type, cells), itertools.repeat(str)),
                                dtype=bool, count=n)
            cells = [c if type(c) is str else "" for c in cells]  # "": not decided
        if not all(cells):
            fits &= np.fromiter(map(bool, cells), dtype=bool, count=n)
        # Error texts all start with "#": one scan of the joined text tells whether there
        # may be any (hashing a million new strings to look them up costs ~0.08 s).
        if "#" in "".join(cells):
            fits &= ~np.fromiter(map(BY_TEXT.__contains__, cells), dtype=bool, count=n)
    unknown = np.zeros(n, dtype=bool)
    at = np.flatnonzero(fits)
    if at.size == 0:
        return unknown
    kw = dict(given)
    for p, cells in texts.items():
        if at.size < n:
            cells = list(map(cells.__getitem__, at.tolist()))
        kw[p] = list(map(str.strip, cells))  # the coerced value of free text
    unknown[at] = np.broadcast_to(np.asarray(fn.unknown(**kw), dtype=bool), at.shape)
    return unknown


def _scalar_reason(fn: ExcelFunction, values: Sequence[Any], arrays: list[bool], i: int) -> str:
    """The reason the scalar path gives cell ``i`` (the reference the range path copies)."""
    got = _call_scalar(fn, [v[i] if arr else v for v, arr in zip(values, arrays, strict=True)])
    return got.reason if isinstance(got, ExcelError) else ""


def _table_error(fn: ExcelFunction) -> ExcelError:
    return VALUE.because(f"{fn.name} gives a table here; a range argument needs a "
                         "single-value result (fill in the field)")


def _solve(fn: ExcelFunction, kwargs: dict[str, Any], raw: dict[str, Any], arrays: list[str],
           tables: bool) -> np.ndarray:
    """Results for the cells of one group whose ``arrays`` arguments vary (object array)."""
    m = len(kwargs[arrays[0]])
    res = np.full(m, None, dtype=object)
    try:
        with np.errstate(all="ignore"):
            got = fn.impl(**kwargs)
        arr = np.asarray(got) if not isinstance(got, list | ExcelError | str) else None
    except InputError as exc:
        arr = None
        where = _cells_at_fault(exc, m)
        if where is not None:  # those cells broke the rule; the others are computed again
            failure = exc  # (``exc`` itself is unbound when the except clause ends)

            def reason(i: int) -> str:  # a cell's reason, made when it is read
                kw = {k: (float(kwargs[k][i]) if k in arrays else kwargs[k]) for k in kwargs}
                rw = {k: (raw[k][i] if k in arrays else raw[k]) for k in raw}
                return _engine_error(fn, _one(failure, i), kw, rw).reason

            bad = np.flatnonzero(where).tolist()
            first = ExcelError(str(_engine_error(fn, _one(exc, bad[0]), {}, {})))
            text = str(first)  # the same error value for every cell the rule names
            res[bad[0]] = ExcelError(text, functools.partial(reason, bad[0]))
            res[bad[1:]] = [ExcelError(text, functools.partial(reason, i)) for i in bad[1:]]
            rest = np.flatnonzero(~where)
            if rest.size:
                kw = {k: (kwargs[k][rest] if k in arrays else kwargs[k]) for k in kwargs}
                rw = {k: (raw[k][rest] if k in arrays else raw[k]) for k in raw}
                res[rest] = _solve(fn, kw, rw, arrays, tables)
            return res
    except Exception:
        arr = None
    if arr is not None and arr.dtype.kind in "fiu" and (arr.shape == (m,) or
                                                        (m == 1 and arr.size == 1)):
        x = arr.astype(float).reshape(m)
        ok = np.isfinite(x)
        res[ok] = x[ok].tolist()
        for i in np.flatnonzero(~ok):
            kw = {k: (float(kwargs[k][i]) if k in arrays else kwargs[k]) for k in kwargs}
            res[i] = _result(fn, float(x[i]), kw)
        return res
    if arr is not None and arr.shape == (m,) and (arr.dtype.kind == "U" or (
            arr.dtype.kind == "O" and set(map(type, arr.tolist())) == {str})):
        res[:] = arr.tolist()  # text per cell (LLM_STRATEGY's reasons)
        return res
    if m <= _LEAF:
        memo: dict[tuple[Any, ...], Any] = {}
        for i in range(m):
            kw = {k: (float(kwargs[k][i]) if k in arrays else kwargs[k]) for k in kwargs}
            rw = {k: (raw[k][i] if k in arrays else raw[k]) for k in raw}
            key = tuple(kw[k] for k in arrays)
            if key not in memo:
                r = _run(fn, kw, rw)
                memo[key] = _table_error(fn) if isinstance(r, list) and not tables else r
            res[i] = memo[key]
        return res
    half = m // 2
    for part in (slice(0, half), slice(half, m)):
        kw = {k: (kwargs[k][part] if k in arrays else kwargs[k]) for k in kwargs}
        rw = {k: (raw[k][part] if k in arrays else raw[k]) for k in raw}
        res[part] = _solve(fn, kw, rw, arrays, tables)
    return res


@contextlib.contextmanager
def _no_gc(n: int) -> Iterator[None]:
    """No cyclic garbage collection while a large range is answered: its million cells are
    new objects that make collections rescan every live one, doubling the time, and the
    call makes no reference cycles."""
    if n < 50_000 or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _cells_at_fault(exc: InputError, m: int) -> np.ndarray | None:
    """The cells an engine error over ``m`` cells names (None when it names none, or all of
    them while the error is not about them one by one)."""
    where = getattr(exc, "where", None)
    if where is None:
        return None
    try:
        mask = np.broadcast_to(np.asarray(where, dtype=bool), (m,))
    except ValueError:
        return None
    return mask if mask.any() else None


def _one(exc: InputError, i: int) -> InputError:
    """The engine error as cell ``i`` alone would have raised it."""
    if isinstance(exc, UnknownNameError):
        return exc

    def pick(v: Any) -> Any:
        if isinstance(v, tuple):
            return tuple(pick(x) for x in v)
        if isinstance(v, np.ndarray) and v.ndim == 1:
            v = v[i] if v.size > 1 else v[0]
        return v.item() if isinstance(v, np.generic | np.ndarray) and np.ndim(v) == 0 else v

    return InputError(exc.argument, exc.rule, pick(exc.value))


def call(name: str, *values: Any) -> Any:
    """Call a catalog function with Excel semantics (see the module docstring).

    Parameters
    ----------
    name : Excel name (``"LLM_API_COST"``).
    *values : cell values: numbers, text, booleans, ``None`` for blanks, Excel errors (as
        :class:`ExcelError` or their text), or ranges (lists of rows / numpy arrays).

    Returns
    -------
    A number, text, boolean, :class:`ExcelError`, or a list of rows (an array or a table).

    Examples
    --------
    >>> call("LLM_API_COST", "gpt-4o", 112.5e6, 37.5e6)
    656.25
    >>> call("LLM_API_COST", "gpt-4o", [[1e6], [2e6]], 0)
    [[2.5], [5.0]]
    >>> call("LLM_API_COST", "gpt-4o", "lots", 0)
    ExcelError('#VALUE!')
    """
    fn = FUNCTIONS.get(str(name).strip().upper())
    if fn is None:
        return NA.because(f"{name!r} is not an llm-tco function")
    vals = list(values)
    if len(vals) > len(fn.args):
        return VALUE.because(f"{fn.name} takes at most {len(fn.args)} arguments "
                             f"({', '.join(a.name for a in fn.args)}); got {len(vals)}")
    vals += [None] * (len(fn.args) - len(vals))
    try:
        grids: list[np.ndarray | None] = []
        for i, (a, v) in enumerate(zip(fn.args, vals, strict=True)):
            if a.table:
                grids.append(None)
                continue
            try:
                g = _grid(v)
            except _CellError as f:
                return f.error.because(f"{a.name}: {f.error.reason}")
            grids.append(g)
            if g is None:
                vals[i] = _scalar_of(v)
        arrays = [(i, g) for i, g in enumerate(grids) if g is not None]
        # The first error among scalar arguments wins, as in Excel; with a range argument
        # it fills every element instead (=A1:A3+NA() is a column of #N/A), below.
        if not arrays or fn.spills:
            for a, v, g in zip(fn.args, vals, grids, strict=True):
                if g is None and not a.table and (err := as_error(v)) is not None:
                    return err
        if not arrays:
            return _call_scalar(fn, vals)
        if fn.spills:
            names = ", ".join(fn.args[i].name for i, _ in arrays)
            return VALUE.because(f"{fn.name} returns a table; give {names} single cells, "
                                 "not ranges")
        try:
            shape = np.broadcast_shapes(*(g.shape for _, g in arrays))
        except ValueError:
            sizes = ", ".join(f"{fn.args[i].name} {g.shape[0]}×{g.shape[1]}" for i, g in arrays)
            return VALUE.because(f"ranges of shapes that do not broadcast: {sizes}")
        if int(np.prod(shape)) > 1_000_000:
            names = ", ".join(fn.args[i].name for i, _ in arrays)
            return NUM.because(f"{names}: more than 1,000,000 results requested")
        n = int(np.prod(shape))
        flat = list(vals)
        for i, g in arrays:
            flat[i] = np.broadcast_to(g, shape).reshape(-1)
        with _no_gc(n):
            cells = elementwise(fn, flat, n)
            return cells.reshape(shape).tolist()
    except _CellError as f:
        return f.error
    except Exception as exc:  # never a traceback in a cell
        return VALUE.because(f"internal error in {fn.name}: {type(exc).__name__}: {exc}")


def why(name: str, *values: Any) -> str:
    """The reason ``call(name, *values)`` gives an Excel error ("" when it gives none, or when
    the error came in through an argument without a reason).

    Examples
    --------
    >>> why("LLM_API_COST", "gpt-4o", -1, 0)
    'input_tokens must be >= 0; got -1'
    """
    res = call(name, *values)
    found = [res] if not isinstance(res, list) else [c for row in res for c in row]
    for c in found:  # the first cell whose error has a reason (one passed in has none)
        if isinstance(c, ExcelError) and c.reason:
            return c.reason
    return ""
