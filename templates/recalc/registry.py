"""Excel functions with declarative metadata, and the one way they are called.

Each function of the library is a plain Python function registered with
:func:`xlfunction`, which says what each argument accepts::

    @xlfunction("ROUND", "number, number")
    def ROUND(x: float, digits: float) -> float: ...

Argument kinds (HyperFormula's parameter metadata, pycel's coercions):

``number`` / ``int`` / ``text`` / ``bool``
    a scalar converted as Excel converts it (``int`` truncates toward zero); an error
    argument is the result.
``scalar``
    any scalar as it is, errors propagate; ``scalar_e`` also receives errors (ISERROR).
``array``
    an :class:`~templates.recalc.values.Array` (a reference is read, a scalar is 1×1).
``ref``
    the argument as evaluated: a :class:`~templates.recalc.values.Ref` for a reference.
``any``
    the argument as evaluated, no conversion (SUM-style functions flatten it themselves).
``lazy``
    a zero-argument callable evaluating the argument on demand (IF, IFERROR, CHOOSE).
``lambda``
    a :class:`Lambda` (MAP, REDUCE …).

A ``?`` suffix makes an argument optional (the Python default applies when it is left
out); a trailing ``*`` repeats the last argument, ``repeat=n`` the last ``n`` as a group.
An argument written but empty (``IF(A1,,2)``) is 0, ``""`` or FALSE for the scalar kinds
and an empty cell for the others, as in Excel.

Array behaviour: a scalar-kind argument given an array makes the call element-wise over
the broadcast shape of all such arguments (a single row or column stretches, elements
outside a smaller array are ``#N/A``): ``=ROUND({1.25,2.5},1)`` is ``{1.3,2.5}``.
In a formula that is not an array formula, a multi-cell reference given to a scalar
argument is first reduced by implicit intersection with the formula's row or column.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from templates.recalc.records import FrozenRecord, Record
from templates.recalc.values import (
    DIV0,
    NUM,
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
    to_bool,
    to_number,
    to_text,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FUNCTIONS", "MISSING", "FunctionSpec", "FunctionTable", "Lambda", "call", "xlfunction"]


class _Missing:
    """An argument written but left empty, ``IF(A1,,2)``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

_SCALAR_KINDS = frozenset({"number", "int", "text", "bool", "scalar", "scalar_e"})
#: Kinds that pass a number through unchanged (``int`` truncates, ``text`` and ``bool``
#: convert; ``lazy`` and ``lambda`` expect callables).
_AS_IS_FOR_NUMBERS = frozenset({"number", "scalar", "scalar_e", "any", "ref"})
_KINDS = _SCALAR_KINDS | {"array", "ref", "any", "lazy", "lambda"}


class Param(FrozenRecord):
    """One parameter of an Excel function: its kind (see the module docstring) and
    whether it may be left out."""

    __slots__ = ("kind", "optional")
    kind: str
    optional: bool

    def __init__(self, kind: str, optional: bool) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "optional", optional)


class FunctionSpec(Record):
    """One Excel function: its name, argument kinds and the Python implementation.

    ``min_args``, ``max_args`` (None when arguments repeat) and ``lazy`` (some argument is
    evaluated on demand: IF, IFERROR, CHOOSE …) follow from ``params`` and ``repeat``.
    ``array_args`` are the arguments (0-based) whose expressions Excel evaluates as arrays
    even outside an array formula while keeping references (INDEX's array:
    ``=INDEX(ROW(A1:A3),2)``).
    """

    __slots__ = ("name", "fn", "params", "repeat", "volatile", "context", "doc",
                 "array_args", "min_args", "max_args", "lazy")
    name: str
    fn: Callable[..., Any]
    params: tuple[Param, ...]
    repeat: int  # how many trailing params repeat (0: fixed arity)
    volatile: bool
    context: bool  # the implementation takes the evaluation context first
    doc: str
    array_args: tuple[int, ...]
    min_args: int
    max_args: int | None
    lazy: bool

    def __init__(self, name: str, fn: Callable[..., Any], params: tuple[Param, ...],
                 repeat: int = 0, volatile: bool = False, context: bool = False,
                 doc: str = "", array_args: tuple[int, ...] = ()) -> None:
        self.name, self.fn, self.params, self.repeat = name, fn, params, repeat
        self.volatile, self.context, self.doc, self.array_args = (volatile, context, doc,
                                                                  array_args)
        self.min_args = sum(1 for p in params if not p.optional)
        self.max_args = None if repeat else len(params)
        self.lazy = any(p.kind == "lazy" for p in params)

    def param(self, i: int) -> Param:
        n = len(self.params)
        if i < n:
            return self.params[i]
        group = self.params[n - self.repeat:]
        return group[(i - n) % self.repeat]


#: Every registered function by upper-case Excel name (no ``_xlfn.`` prefix).
class FunctionTable(dict):  # type: ignore[type-arg]  # dict[str, FunctionSpec]
    """Excel name → :class:`FunctionSpec`, filled as the family modules are imported.

    A plain recalculation of a small workbook should not import twenty family modules it
    does not call (about a third of its start-up), so the library package installs a
    ``loader``: asked for a name not registered yet, the table imports the one module that
    defines it (``loader(name)``), and iterating or counting imports them all
    (``loader(None)``) so that listings are always complete.
    """

    __slots__ = ("loader",)

    def __init__(self) -> None:
        super().__init__()
        self.loader: Callable[[str | None], None] | None = None

    def _complete(self) -> None:
        if self.loader is not None:
            self.loader(None)

    def __missing__(self, name: str) -> FunctionSpec:
        if self.loader is not None:
            self.loader(name)
            if dict.__contains__(self, name):
                return dict.__getitem__(self, name)  # type: ignore[no-any-return]
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return self.get(name) is not None

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._complete()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._complete()
        return dict.__len__(self)

    def keys(self):  # type: ignore[no-untyped-def]
        self._complete()
        return dict.keys(self)

    def values(self):  # type: ignore[no-untyped-def]
        self._complete()
        return dict.values(self)

    def items(self):  # type: ignore[no-untyped-def]
        self._complete()
        return dict.items(self)


FUNCTIONS: FunctionTable = FunctionTable()


def _parse_params(spec: str) -> tuple[tuple[Param, ...], int]:
    params = []
    repeat = 0
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    for i, p in enumerate(parts):
        if p.endswith("*"):
            if i != len(parts) - 1:
                raise ValueError(f"only the last argument may repeat: {spec!r}")
            p = p[:-1]
            repeat = max(repeat, 1)
        optional = p.endswith("?")
        kind = p.rstrip("?")
        if kind not in _KINDS:
            raise ValueError(f"unknown argument kind {kind!r} in {spec!r}")
        params.append(Param(kind, optional))
    return tuple(params), repeat


def xlfunction(
    name: str,
    params: str = "",
    *,
    repeat: int | None = None,
    volatile: bool = False,
    context: bool = False,
    aliases: tuple[str, ...] = (),
    array_args: tuple[int, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an Excel function (see the module docstring for ``params``).

    ``repeat`` overrides how many trailing arguments repeat (SUMIFS repeats a pair);
    ``context=True`` passes the evaluation context (cell, workbook) as first argument.
    """
    parsed, star = _parse_params(params)

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        spec = FunctionSpec(name.upper(), fn, parsed, repeat if repeat is not None else star,
                            volatile, context, (fn.__doc__ or "").strip().split("\n")[0],
                            array_args)
        for n in (name, *aliases):
            if dict.__contains__(FUNCTIONS, n.upper()):
                raise ValueError(f"{n.upper()} is registered twice")
            FUNCTIONS[n.upper()] = spec
        return fn

    return deco


class Lambda:
    """A LAMBDA value: parameters and a body evaluated in a fresh scope per call."""

    __slots__ = ("body", "call", "params")

    def __init__(self, params: tuple[str, ...], call: Callable[..., Any]) -> None:
        self.params = params
        self.call = call  # call(*values) -> value

    def __call__(self, *args: Any) -> Any:
        if len(args) > len(self.params):
            raise XLFail(VALUE, f"LAMBDA takes {len(self.params)} arguments, got {len(args)}")
        return self.call(*args)

    def __repr__(self) -> str:
        return f"Lambda({', '.join(self.params)})"


# --- calling ----------------------------------------------------------------------------

_ZERO = {"number": 0.0, "int": 0.0, "text": "", "bool": False, "scalar": None,
         "scalar_e": None}


def _intersect(ref: Ref, ctx: Any) -> Any:
    """Implicit intersection of a multi-cell reference with the formula's cell."""
    if ref.r1 == ref.r2 and ref.c1 == ref.c2:
        return ref.value()
    cell = getattr(ctx, "cell", None)
    if cell is None:
        return VALUE
    sheet, row, col = cell
    if ref.sheet != sheet and ref.nrows > 1 and ref.ncols > 1:
        return VALUE
    if ref.c1 == ref.c2 and ref.r1 <= row <= ref.r2:
        return ref.book.cell_value(ref.sheet, row, ref.c1)
    if ref.r1 == ref.r2 and ref.c1 <= col <= ref.c2:
        return ref.book.cell_value(ref.sheet, ref.r1, col)
    return VALUE


def _scalar(kind: str, v: Any) -> Any:
    if kind == "number":
        return to_number(v)
    if kind == "int":
        x = to_number(v)
        if not math.isfinite(x):
            raise XLFail(NUM)
        return float(math.trunc(x))
    if kind == "text":
        return to_text(v)
    if kind == "bool":
        return to_bool(v)
    if kind == "scalar":
        if type(v) is ExcelError:
            raise XLFail(v)
        return v
    return v  # scalar_e


def normalise(v: Any) -> Any:
    """A Python result as a cell value: ints → float, non-finite → ``#NUM!``,
    nested lists → :class:`Array`, numpy scalars → Python."""
    t = type(v)
    if t is float:
        return v if math.isfinite(v) else NUM
    if t is str or t is bool or t is ExcelError or v is None:
        return v
    if t is int:
        return float(v)
    if isinstance(v, (Array, Ref, MultiRef, Lambda)):
        return v
    if isinstance(v, list):
        rows = v if v and isinstance(v[0], list) else [v]
        return Array([[normalise(x) for x in row] for row in rows])
    item = getattr(v, "item", None)  # numpy scalar
    if item is not None and getattr(v, "ndim", 1) == 0:
        return normalise(item())
    if hasattr(v, "tolist"):
        return normalise(v.tolist())
    return v


def apply_converted(spec: FunctionSpec, ctx: Any, args: list[Any]) -> Any:
    """Call ``spec`` with arguments :func:`call` has converted (or that need none: see
    :func:`passes_as_is`); Python's arithmetic failures become Excel's errors."""
    try:
        res = spec.fn(ctx, *args) if spec.context else spec.fn(*args)
    except XLFail as exc:
        return exc.error
    except ZeroDivisionError:
        return DIV0
    except (OverflowError, ValueError):
        # math domain errors (sqrt(-1), log(0)) and overflows are Excel's #NUM!
        return NUM
    if type(res) is float and res - res == 0.0:  # a finite number, the commonest answer
        return res
    return normalise(res)


def _element(v: Any) -> Any:
    """One element of an element-wise result: an array or reference an element's call
    returns stands for its top-left value (Excel: ``=TAKE({1,2;3,4},1,{1;2})`` is
    ``{1;1}``)."""
    if isinstance(v, Ref):
        return v.value()
    if isinstance(v, Array):
        return v.rows[0][0] if v.rows and v.rows[0] else VALUE
    if isinstance(v, MultiRef):
        return VALUE
    return v


#: What an argument of each kind may be for :func:`call` to pass it unchanged (see
#: :func:`passes_as_is`): 0 a number, 1 anything but a missing argument, 2 a logical,
#: 3 an array.
_AS_IS_CODE = {"number": 0, "scalar": 0, "scalar_e": 0, "any": 1, "ref": 1, "bool": 2,
               "array": 3}


def passes_as_is(spec: FunctionSpec, kinds: tuple[str, ...]) -> tuple[int, ...] | None:
    """Per argument, the values :func:`call` would pass to ``spec`` unchanged (a code of
    ``_AS_IS_CODE``: a number for ``number``/``scalar``, anything but a missing argument
    for ``any``/``ref`` — INDEX's, MATCH's and SUM's ranges —, a logical for ``bool``, an
    array for ``array``). A compiled call whose values are all such skips :func:`call`.
    None when some argument always needs it."""
    n = len(kinds)
    if spec.lazy or n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
        return None
    codes = tuple(_AS_IS_CODE.get(k, -1) for k in kinds)
    return None if -1 in codes else codes


def arg_kinds(spec: FunctionSpec, n: int) -> tuple[str, ...]:
    """The kinds of ``spec``'s first ``n`` arguments (a compiled call knows its count)."""
    fixed = len(spec.params)
    # past a fixed arity the call is refused (#VALUE!) before any kind is looked at
    return tuple(spec.param(i).kind if spec.repeat or i < fixed else "any" for i in range(n))


def call(spec: FunctionSpec, ctx: Any, args: list[Any],
         kinds: tuple[str, ...] | None = None) -> Any:
    """Call ``spec`` with evaluated arguments (lazy ones as thunks), Excel-style;
    ``kinds``, when given, is :func:`arg_kinds` of ``len(args)``."""
    n = len(args)
    if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
        return VALUE  # Excel refuses such a formula at entry; a file can still hold one
    if kinds is None:
        kinds = arg_kinds(spec, n)
    conv: list[Any] = []
    lifted: list[int] = []
    for i, a in enumerate(args):
        kind = kinds[i]
        if type(a) is float and kind in _AS_IS_FOR_NUMBERS:
            conv.append(a)  # a number needs no conversion for these kinds
            continue
        if kind == "any" or kind == "ref":  # INDEX's, MATCH's, SUM's ranges: as they are
            conv.append(None if a is MISSING else a)
            continue
        if a is MISSING:
            conv.append(_ZERO.get(kind))
            continue
        if kind in _SCALAR_KINDS:
            if isinstance(a, Ref):
                if a.r1 == a.r2 and a.c1 == a.c2:
                    a = a.value()
                elif getattr(ctx, "array_mode", True):
                    a = a.array()
                else:
                    a = _intersect(a, ctx)
            elif isinstance(a, MultiRef):
                a = VALUE
            if isinstance(a, Array):
                if a.nrows == 1 and a.ncols == 1:
                    a = a.rows[0][0]
                else:
                    lifted.append(i)
                    conv.append(a)
                    continue
            try:
                conv.append(_scalar(kind, a))
            except XLFail as exc:
                if lifted or any(isinstance(x, Array) for x in args[i + 1:]):
                    conv.append(exc.error)  # element-wise: this error is one element's
                    lifted.append(-1 - i)
                    continue
                return exc.error
        elif kind == "array":
            if isinstance(a, Ref):
                conv.append(a.array())
            elif isinstance(a, Array):
                conv.append(a)
            elif isinstance(a, MultiRef):
                return VALUE
            else:
                conv.append(Array([[a]]))
        elif kind == "lazy" and (isinstance(a, Lambda) or not callable(a)):
            conv.append(lambda v=a: v)  # a value, not a thunk: an eta-reduced IF's call
        else:
            conv.append(a)
    if not lifted:
        return apply_converted(spec, ctx, conv)
    if not any(i >= 0 for i in lifted):
        for i in lifted:  # an error kept for broadcasting, but nothing broadcasts
            return conv[-1 - i]
        return apply_converted(spec, ctx, conv)
    # element-wise over the broadcast shape
    arrays = [conv[i] for i in lifted if i >= 0]
    nr = max(a.nrows for a in arrays)
    nc = max(a.ncols for a in arrays)
    errs = {-1 - i for i in lifted if i < 0}
    kinds = [spec.param(i).kind for i in range(n)]
    out = []
    for r in range(nr):
        row = []
        for c in range(nc):
            el = list(conv)
            bad = None
            for i in lifted:
                if i < 0:
                    continue
                v = conv[i].get(r, c)
                try:
                    el[i] = _scalar(kinds[i], v)
                except XLFail as exc:
                    bad = exc.error
                    break
            if bad is None:
                for i in errs:
                    bad = conv[i]
                    break
            row.append(bad if bad is not None else _element(apply_converted(spec, ctx, el)))
        out.append(row)
    return Array(out)
