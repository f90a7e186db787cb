"""Compile a workbook's formula graph once into a plan; evaluate many scenarios at once.

A :class:`Plan` holds every constant cell, every formula cell's resolved syntax tree and a
topological order of the formula cells. :meth:`Plan.evaluate` takes input cells as numpy
arrays of shape ``(n,)`` (one element per scenario) and walks the order once, each node
doing one numpy operation over all ``n`` scenarios, so the per-node interpreter cost is
paid once per batch instead of once per scenario.

The workbook is read once, by the engine's reader (:func:`templates.recalc.reader.read_book`,
after the untrusted-file checks), and parsed by the engine's grammar
(:func:`templates.recalc.parser.parse`): one read, one grammar, shared with ``recalc``.

Errors are per element: each value carries an ``int8`` error-code array next to its data
(see :mod:`templates.recalc.batch.values`), so ``#DIV/0!`` in scenario 17 leaves scenario 18
untouched.

Cells the plan does not vectorise
---------------------------------
* A function in the add-in catalog (``udfs``) is called element by element (once per
  scenario).
* A cell the vectorised table cannot express — a function only the engine implements
  (``TEXT``, ``EDATE``, LET/LAMBDA …), syntax such as ``A1:B2 B1`` or ``Table1[Col]``, a
  multi-cell array formula, a data table — is evaluated by the engine itself
  (:class:`templates.recalc.workbook.Workbook`): once at compile time while no input of
  the batch changes its precedents, otherwise once per distinct combination of the
  inputs that reach it, with those inputs set. No second engine is involved.
* A function nobody knows gives ``#NAME?``, as in Excel.
  Each of these is announced with ``warnings.warn`` naming the function and cell.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from templates.recalc.errors import CircularReferenceError
from templates.recalc.parser import FormulaSyntaxError, col_index, col_letters, parse, shift
from templates.recalc.reader import BookData, area, read_book

from . import functions as fx
from .errors import BatchInputError, workbook_error
from .values import (
    BLANK,
    ERR_DIV0,
    ERR_NAME,
    ERR_REF,
    ERR_VALUE,
    ERROR_CODES,
    ERROR_NAMES,
    R,
    V,
    add_err,
    const,
    error,
    merge_err,
    num_result,
    to_num,
    to_text,
)

Key = tuple[str, int, int]  # (sheet name as in the workbook, row, column), 1-based

_CELL = r"\$?([A-Za-z]{1,3})\$?(\d+)"
_REF_RE = re.compile(
    r"^(?:(?:'(?P<qs>(?:[^']|'')+)'|(?P<s>[^'!:]+))!)?"
    rf"(?:(?P<c1>{_CELL})(?::(?P<c2>{_CELL}))?"
    r"|\$?(?P<col1>[A-Za-z]{1,3}):\$?(?P<col2>[A-Za-z]{1,3})"
    r"|\$?(?P<row1>\d+):\$?(?P<row2>\d+))$"
)
_ONE_CELL = re.compile(_CELL)
_MAX_EXPAND = 200_000  # ranges larger than this are scanned by formula cells, not by area
# Functions whose precedents are not their arguments: a cell using them is re-evaluated
# whenever a batch has inputs.
_DYNAMIC_REFERENCES = frozenset({"INDIRECT", "OFFSET"})
# What the engine compiles besides its function registry (workbook._Compiler.fn).
_ENGINE_FORMS = frozenset({"LET", "LAMBDA", "ANCHORARRAY"})
_OPS = frozenset({"+", "-", "*", "/", "^", "&", "=", "<>", "<", ">", "<=", ">="})


def file_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes (hex): the in-memory plan cache key."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()




def key_text(key: Key) -> str:
    """``('Sheet Two', 3, 2)`` → ``"'Sheet Two'!B3"``."""
    sheet, r, c = key
    s = f"'{sheet}'" if re.search(r"[^A-Za-z0-9_.]", sheet) else sheet
    return f"{s}!{col_letters(c)}{r}"


class _NotVectorised(Exception):  # noqa: N818 - a compile-time outcome, not a failure
    """Raised while resolving a tree the plan cannot vectorise: the engine evaluates it."""


def _text(s: str) -> V:
    return V(np.array([s], dtype=object))


def _value_of(x: Any) -> V:
    """A value as the engine's reader or evaluator holds it → :class:`V` (one scenario).

    An empty result of a formula shows 0, as in Excel.
    """
    from templates.recalc.values import Array, ExcelError

    if isinstance(x, Array):
        x = x.rows[0][0] if x.rows and x.rows[0] else None
    if type(x) is ExcelError:
        return error(ERROR_CODES.get(str(x), ERR_VALUE))
    if x is None:
        return const(0.0)
    if isinstance(x, str):
        return _text(x)
    return const(x)


def _engine_value(v: V, i: int) -> Any:
    """Scenario ``i`` of ``v`` as the engine takes a cell value (errors as ExcelError)."""
    from templates.recalc.values import BY_TEXT

    if v.e is not None:
        code = int(v.e[i if len(v.e) > 1 else 0])
        if code:
            return BY_TEXT[ERROR_NAMES[code]]
    return v.item(i)


class Plan:
    """A compiled workbook: constants, resolved formulas and their evaluation order.

    Build with :func:`compile_workbook` (or :func:`get_plan`). Plans pickle (the read
    workbook data included), so they travel to worker processes; they are never cached
    on disk.
    """

    def __init__(self) -> None:
        self.path = ""
        self.sha256 = ""
        self.sheets: list[str] = []
        self.consts: dict[Key, V] = {}
        self.formulas: dict[Key, tuple] = {}
        self.texts: dict[Key, str] = {}
        self.order: list[Key] = []
        self.deps: dict[Key, frozenset[Key]] = {}
        self.names: dict[str, tuple] = {}  # upper-case defined name → resolved node
        self.name_text: dict[str, str] = {}  # upper-case defined name → name as written
        self.udf_calls: list[tuple[str, str]] = []
        # Cells the engine evaluates (see the module docstring): their value comes from
        # one engine calculation while no input changes their precedents.
        self.static_cells: set[Key] = set()
        self.static_values: dict[Key, V] = {}
        self.unvectorised: list[tuple[str, str]] = []
        # Static cells whose precedents cannot be known before evaluation (INDIRECT …).
        self.dynamic_cells: set[Key] = set()
        self.array_cells: set[Key] = set()  # single-cell array formulas ({=SUM(A1:A3*B1:B3)})
        self.data: BookData | None = None  # the read workbook, for the engine
        self._readers: dict[Key, set[Key]] | None = None
        self._big_readers: list[tuple[Key, tuple]] = []
        self._downstream_cache: dict[frozenset, frozenset] = {}
        self._subsets: dict[tuple, list[Key]] = {}
        self._udfs: dict[str, Callable[..., Any]] | None = None

    # -- references -------------------------------------------------------------------
    def resolve_ref(self, ref: str, argument: str = "REF") -> Key:
        """Resolve ``Sheet!A1`` or a defined name (single cell) to a cell key.

        Raises
        ------
        BatchInputError
            Unknown sheet or name, malformed reference, or a multi-cell range.
        """
        text = ref.strip()
        node = self.names.get(text.upper())
        if node is None:
            m = _REF_RE.match(text)
            if not m or not (m.group("qs") or m.group("s")):
                raise BatchInputError(
                    argument, "must be Sheet!A1 or a defined name of the workbook", ref
                )
            node = _resolve_match(m, None, self.sheets, argument, ref)
        if node[0] != "ref":
            raise BatchInputError(argument, "must name a single cell", ref)
        return node[1]

    def output_names(self) -> list[str]:
        """Defined names starting with ``out_`` that name one cell (the templates' outputs)."""
        return [self.name_text.get(n, n) for n in sorted(self.names)
                if n.startswith("OUT_") and self.names[n][0] == "ref"]

    def input_names(self) -> list[str]:
        """Defined names of numeric constant cells that formulas read: ``in_*`` names
        first, each group ordered by how many formula cells depend on the input.

        A ranking for benchmarks and randomised tests: the inputs that move most of the
        workbook come first.
        """
        users: dict[Key, set[Key]] = {}
        readers: dict[Key, set[Key]] = {}
        for k, node in self.formulas.items():
            for d in self.deps[k]:
                users.setdefault(d, set()).add(k)
            for r in _direct_cells(node):
                readers.setdefault(r, set()).add(k)
        scored = []
        for n, node in self.names.items():
            if node[0] != "ref" or node[1] in self.formulas:
                continue
            v = self.consts.get(node[1])
            if v is None or v.d.dtype != np.float64:
                continue
            seen = set(readers.get(node[1], ()))
            stack = list(seen)
            while stack:
                for u in users.get(stack.pop(), ()):
                    if u not in seen:
                        seen.add(u)
                        stack.append(u)
            if seen:
                # The templates name their inputs in_*: those first, then by reach.
                scored.append((not n.startswith("IN_"), -len(seen), self.name_text.get(n, n)))
        return [n for *_, n in sorted(scored)]

    def describe(self, key: Key) -> str:
        """``Sheet!A1`` text of a key."""
        return key_text(key)

    # -- evaluation -------------------------------------------------------------------
    def _needed(self, outputs: Sequence[Key] | None, inputs: frozenset[Key]) -> list[Key]:
        cache_key = (tuple(outputs) if outputs is not None else None, inputs)
        hit = self._subsets.get(cache_key)
        if hit is not None:
            return hit
        if outputs is None:
            order = [k for k in self.order if k not in inputs]
        else:
            need: set[Key] = set()
            stack = [k for k in outputs if k in self.formulas and k not in inputs]
            while stack:
                k = stack.pop()
                if k in need:
                    continue
                need.add(k)
                stack.extend(d for d in self.deps[k] if d not in inputs and d not in need)
            order = [k for k in self.order if k in need]
        self._subsets[cache_key] = order
        return order

    def evaluate(
        self,
        inputs: Mapping[str | Key, Any] | None = None,
        outputs: Sequence[str | Key] | None = None,
    ) -> dict[Any, V]:
        """Evaluate all scenarios at once.

        Parameters
        ----------
        inputs : mapping
            Cell (``"Sheet!A1"``, defined name or key) → value or array of shape ``(n,)``
            (numbers, bools or strings). A formula cell given here is overridden by the
            values (a what-if on that cell); its own precedents are then ignored.
            Scalars broadcast.
        outputs : sequence, optional
            Cells to return; only their precedents are computed. ``None`` computes and
            returns every formula cell (keyed by cell key).

        Returns
        -------
        dict
            Output (as given) → :class:`~templates.recalc.batch.values.V` with arrays of length 1
            (same in all scenarios) or ``n``.
        """
        inputs = inputs or {}
        in_keys: dict[Key, V] = {}
        for ref, val in inputs.items():
            key = ref if isinstance(ref, tuple) else self.resolve_ref(ref, "inputs")
            in_keys[key] = _as_value(val)
        out_keys = None
        if outputs is not None:
            out_keys = [o if isinstance(o, tuple) else self.resolve_ref(o, "outputs")
                        for o in outputs]
        order = self._needed(out_keys, frozenset(in_keys))
        static = self.static_values
        moved_static: dict[Key, V] = {}
        if self.static_cells and in_keys:
            moved = self._moved(frozenset(in_keys))
            hit = [k for k in order if k in self.static_cells and k in moved]
            if hit:
                moved_static = self._engine_per_scenario(hit, in_keys)
        env = dict(self.consts)
        env.update(in_keys)
        ev = _Evaluator(env, self)
        formulas = self.formulas
        for k in order:
            got = moved_static.get(k)
            if got is None:
                got = static.get(k)
            if got is not None:
                env[k] = got
                continue
            try:
                res = ev.eval(formulas[k])
            except Exception as exc:  # a bug must not become a silent wrong number
                raise RuntimeError(f"evaluating {key_text(k)}: {exc}") from exc
            if isinstance(res, R):
                # An array formula shows its first element; elsewhere a reference to
                # several cells would need Excel's implicit intersection with the
                # formula's own row or column (top-level ranges go to the engine, see
                # compile_workbook): #VALUE!, where that intersection is usually empty.
                if not (res.rows and res.cols):
                    res = error(ERR_REF)
                elif k in self.array_cells or (res.rows == 1 and res.cols == 1):
                    res = res.cells[0][0]
                else:
                    res = error(ERR_VALUE)
            if res.blank:
                res = const(0.0)  # a formula pointing at an empty cell shows 0
            env[k] = res
        if outputs is None:
            return {k: env[k] for k in self.order}
        return {o: env.get(k, BLANK) for o, k in zip(outputs, out_keys, strict=True)}

    def _moved(self, inputs: frozenset[Key]) -> frozenset[Key]:
        """Formula cells a batch with ``inputs`` may change: those downstream of the
        inputs, and the dynamic-reference cells with everything downstream of them."""
        moved = self._downstream(inputs)
        if self.dynamic_cells:
            moved = moved | self.dynamic_cells | self._downstream(frozenset(self.dynamic_cells))
        return moved

    def _engine_per_scenario(self, cells: list[Key], in_keys: dict[Key, V]) -> dict[Key, V]:
        """Values of the static ``cells`` the inputs move, from the engine, per scenario.

        One engine calculation per distinct combination of the inputs that reach these
        cells (a 100 × 100 grid whose second input does not reach them costs 100).
        """
        wanted = set(cells)
        reach = [k for k in in_keys
                 if (self._downstream(frozenset([k])) | self.dynamic_cells) & wanted]
        if self.dynamic_cells & wanted:
            reach = list(in_keys)
        first = cells[0]
        fn = next((f for f, c in self.unvectorised if c == key_text(first)), "a formula")
        warnings.warn(
            f"{Path(self.path).name}: the inputs change {key_text(first)}, which uses {fn} "
            "(not vectorised): the engine evaluates it once per scenario (slow)",
            stacklevel=3,
        )
        n = max([len(v) for v in in_keys.values()] + [1])
        memo: dict[tuple, list[V]] = {}
        rows: list[list[V]] = []
        for i in range(n):
            vals = [(k, _engine_value(in_keys[k], i)) for k in reach]
            sig = tuple((k, type(x).__name__, x) for k, x in vals)
            got = memo.get(sig)
            if got is None:
                book = self._engine(vals)
                got = [_value_of(book.get(k)) for k in cells]
                memo[sig] = got
            rows.append(got)
        return {k: _stack([r[j] for r in rows]) for j, k in enumerate(cells)}

    def _engine(self, inputs: list[tuple[Key, Any]]) -> dict[Key, Any]:
        """One engine calculation of the whole workbook with ``inputs`` set."""
        from templates.recalc.workbook import CircularReference, Workbook

        if self.data is None:
            raise RuntimeError("plan built without the workbook data")
        book = Workbook(self.data)
        for key, value in inputs:
            cell = book.cells.get(key)
            if cell is not None:
                # A formula cell given a value holds it (what-if), as the engine keeps a
                # cell without a compiled formula at its stored value.
                cell.fn = None
                cell.stored = value
            else:
                book.set_input(*key, value)
        try:
            return book.calculate()
        except CircularReference as exc:
            raise CircularReferenceError(self.path, exc.cells) from None

    def _downstream(self, inputs: frozenset[Key]) -> frozenset[Key]:
        """Formula cells whose value depends on any of ``inputs``."""
        hit = self._downstream_cache.get(inputs)
        if hit is not None:
            return hit
        if self._readers is None:
            readers: dict[Key, set[Key]] = {}
            big_readers: list[tuple[Key, tuple]] = []
            for k, node in self.formulas.items():
                big: list[tuple] = []
                for r in _direct_cells(node, big):
                    readers.setdefault(r, set()).add(k)
                big_readers.extend((k, b) for b in big)
            self._readers = readers
            self._big_readers = big_readers
        seen: set[Key] = set()
        stack = list(inputs)
        while stack:
            cell = stack.pop()
            users = set(self._readers.get(cell, ()))
            for k, (sh, r1, c1, r2, c2) in self._big_readers:  # whole-column style ranges
                if cell[0] == sh and r1 <= cell[1] <= r2 and c1 <= cell[2] <= c2:
                    users.add(k)
            for u in users:
                if u not in seen:
                    seen.add(u)
                    stack.append(u)
        out = frozenset(seen)
        self._downstream_cache[inputs] = out
        return out

    def udfs(self) -> dict[str, Callable[..., Any]]:
        if self._udfs is None:
            self._udfs = _udf_table()
        return self._udfs

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_subsets"] = {}
        state["_udfs"] = None
        state["_readers"] = None
        state["_big_readers"] = []
        state["_downstream_cache"] = {}
        return state


def _stack(vs: list[V]) -> V:
    """One-scenario values → one value over the scenarios."""
    if all(v.d.dtype == np.float64 and v.e is None and not v.blank for v in vs):
        return V(np.array([v.d[0] for v in vs]))
    d = np.empty(len(vs), dtype=object)
    e = np.zeros(len(vs), dtype=np.int8)
    for i, v in enumerate(vs):
        x = v.d[0]
        d[i] = x if v.d.dtype == object else (bool(x) if v.d.dtype == bool else float(x))
        if v.e is not None:
            e[i] = v.e[0]
    return V(d, e if e.any() else None)


def _column_value(col: list) -> V:
    return _stack([const(x) if x is not None else const(0.0) for x in col])


def _as_value(val: Any) -> V:
    if isinstance(val, V):
        return val
    arr = np.atleast_1d(np.asarray(val))
    if arr.ndim != 1:
        raise BatchInputError("inputs", "must be scalars or 1-D arrays of scenarios", arr.shape)
    if arr.dtype.kind in "iuf":
        return V(arr.astype(float))
    if arr.dtype.kind == "b":
        return V(arr)
    return _column_value(list(arr))


def _udf_table() -> dict[str, Callable[..., Any]]:
    """The add-in catalog's functions by upper-case name, as the engine binds them."""
    from templates.recalc.workbook import addin_functions
    from udfs import functions as _defines_the_catalog  # noqa: F401

    return addin_functions()


def _resolve_match(m: re.Match, sheet: str | None, sheets: list[str], argument: str, text: str,
                   dims: Mapping[str, tuple[int, int]] | None = None) -> tuple:
    s = m.group("qs")
    s = s.replace("''", "'") if s is not None else m.group("s")
    if s is not None:
        by_upper = {x.upper(): x for x in sheets}
        if s.upper() not in by_upper:
            raise BatchInputError(argument, f"names sheet {s!r}, not in the workbook", text)
        sheet = by_upper[s.upper()]
    if sheet is None:
        raise BatchInputError(argument, "needs a sheet name (Sheet!A1)", text)
    max_r, max_c = (dims or {}).get(sheet, (1, 1))
    if m.group("c1"):
        c1 = _ONE_CELL.match(m.group("c1"))
        r1, col1 = int(c1.group(2)), col_index(c1.group(1))
        if m.group("c2"):
            c2 = _ONE_CELL.match(m.group("c2"))
            r2, col2 = int(c2.group(2)), col_index(c2.group(1))
            r1, r2 = sorted((r1, r2))
            col1, col2 = sorted((col1, col2))
            if (r1, col1) == (r2, col2):
                return ("ref", (sheet, r1, col1))
            return ("rng", sheet, r1, col1, r2, col2)
        return ("ref", (sheet, r1, col1))
    if m.group("col1"):
        a = col_index(m.group("col1"))
        b = col_index(m.group("col2"))
        a, b = sorted((a, b))
        return ("rng", sheet, 1, a, max_r, b)  # whole columns clipped to the used area
    a, b = sorted((int(m.group("row1")), int(m.group("row2"))))
    return ("rng", sheet, a, 1, b, max_c)


# ---------------------------------------------------------------------------------------
# Compilation: the engine's syntax trees (templates.recalc.parser) → plan nodes
# ---------------------------------------------------------------------------------------
class _Compiler:
    """Resolves engine syntax trees into plan nodes: ``("c", V)``, ``("ref", key)``,
    ``("rng", sheet, r1, c1, r2, c2)``, ``("neg"|"pos"|"pct", x)``, ``("bin", op, a, b)``,
    ``("fn", NAME, args)``, ``("udf", NAME, args)``, ``("miss",)``; a cell the plan
    cannot vectorise becomes ``("unvec", why, precedents)``."""

    def __init__(self, plan: Plan, data: BookData, dims: dict[str, tuple[int, int]]) -> None:
        from templates.recalc.registry import FUNCTIONS

        self.plan = plan
        self.data = data
        self.dims = dims
        self.engine_functions = FUNCTIONS
        self.global_names: dict[str, str] = {}
        self.local_names: dict[tuple[str, str], str] = {}
        for (name, local), text in data.names.items():
            if local is None:
                self.global_names[name] = text
            elif 0 <= local < len(data.sheets):
                self.local_names[(data.sheets[local].name, name)] = text
        self.by_upper = {s.upper(): s for s in plan.sheets}
        self.udfs = plan.udfs()
        self.cell = ""
        self.dynamic = False
        self._name_cache: dict[tuple[str | None, str], tuple | _NotVectorised] = {}
        self._resolving: set[str] = set()

    # names ------------------------------------------------------------------------------
    def _name_text(self, name: str, sheet: str | None) -> tuple[str, str | None] | None:
        up = name.upper()
        if sheet is not None and (sheet, up) in self.local_names:
            return self.local_names[(sheet, up)], sheet
        if up in self.global_names:
            return self.global_names[up], None
        return None

    def name_node(self, name: str, sheet: str | None) -> tuple | None:
        """The resolved node of a defined name seen from ``sheet`` (None: unknown name).

        Raises
        ------
        _NotVectorised
            The name's formula is something only the engine evaluates.
        """
        found = self._name_text(name, sheet)
        if found is None:
            return None
        text, ctx = found
        ck = (ctx, name.upper())
        hit = self._name_cache.get(ck)
        if isinstance(hit, _NotVectorised):
            raise hit
        if hit is not None:
            return hit
        if ck[1] in self._resolving:
            return ("c", error(ERR_NAME))
        self._resolving.add(ck[1])
        try:
            node = self.resolve(parse(text), ctx)
        except FormulaSyntaxError:
            node = ("c", error(ERR_REF))
        except _NotVectorised as exc:
            self._name_cache[ck] = exc
            raise
        finally:
            self._resolving.discard(ck[1])
        self._name_cache[ck] = node
        return node

    # references ---------------------------------------------------------------------------
    def _sheet(self, name: str | None, ctx: str | None) -> str | None:
        if name is None:
            return ctx
        return self.by_upper.get(name.upper())

    def _area(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> tuple:
        # Empty rows and columns past the used range hold nothing (the engine's rule).
        max_r, max_c = self.dims.get(sheet, (0, 0))
        if r2 - r1 > 4096:
            r2 = min(r2, max(max_r, r1))
        if c2 - c1 > 256:
            c2 = min(c2, max(max_c, c1))
        if r1 == r2 and c1 == c2:
            return ("ref", (sheet, r1, c1))
        return ("rng", sheet, r1, c1, r2, c2)

    def resolve(self, node: tuple, sheet: str | None) -> tuple:
        kind = node[0]
        if kind == "num" or kind == "bool":
            return ("c", const(node[1]))
        if kind == "str":
            return ("c", _text(node[1]))
        if kind == "err":
            code = ERROR_CODES.get(node[1])
            if code is None:
                raise _NotVectorised(f"error value {node[1]}")
            return ("c", error(code))
        if kind == "miss":
            return node
        if kind == "paren":
            return self.resolve(node[1], sheet)
        if kind == "ref":
            s = self._sheet(node[1], sheet)
            if s is None:
                return ("c", error(ERR_REF))
            return self._area(s, *node[2:6])
        if kind == "name":
            nsheet = self._sheet(node[2], sheet) if node[2] is not None else sheet
            res = self.name_node(node[1], nsheet)
            return res if res is not None else ("c", error(ERR_NAME))
        if kind == "arr":
            return ("c", R([[self.resolve(x, sheet)[1] for x in row] for row in node[1]]))
        if kind in ("neg", "pos", "pct"):
            return (kind, self.resolve(node[1], sheet))
        if kind == "at":
            inner = self.resolve(node[1], sheet)
            if inner[0] == "rng":
                raise _NotVectorised("implicit intersection (@)")
            return inner
        if kind == "op":
            if node[1] not in _OPS:
                raise _NotVectorised(f"the reference operator {node[1]!r}")
            return ("bin", node[1], self.resolve(node[2], sheet), self.resolve(node[3], sheet))
        if kind == "fn":
            name = node[1]
            if name in fx.TABLE:
                return ("fn", name, tuple(self.resolve(a, sheet) for a in node[2]))
            if name in self.udfs:
                args = tuple(self.resolve(a, sheet) for a in node[2])
                self.plan.udf_calls.append((name, self.cell))
                return ("udf", name, args)
            if (name in self.engine_functions or name in _ENGINE_FORMS
                    or self._name_text(name, sheet) is not None):
                raise _NotVectorised(name)
            warnings.warn(
                f"{name} in {self.cell} is not a known function: it evaluates to #NAME?",
                stacklevel=4,
            )
            return ("c", error(ERR_NAME))
        raise _NotVectorised(
            {"spill": "a spill reference (A1#)", "table": "a structured reference",
             "ext": "an external reference", "ref3d": "a 3-D reference",
             "call": "a LAMBDA call"}.get(kind, kind))

    # precedents of what only the engine evaluates ----------------------------------------
    def precedents(self, node: tuple, sheet: str | None, out: list[tuple]) -> None:
        """Every cell or range ``node`` may read (conservatively), as plan nodes."""
        kind = node[0]
        if kind == "ref":
            s = self._sheet(node[1], sheet)
            if s is not None:
                out.append(self._area(s, *node[2:6]))
        elif kind == "ref3d":
            names = [s.upper() for s in self.plan.sheets]
            a, b = node[1].upper(), node[2].upper()
            if a in names and b in names:
                i, j = sorted((names.index(a), names.index(b)))
                for s in self.plan.sheets[i:j + 1]:
                    out.append(self._area(s, *node[3:7]))
        elif kind == "name":
            nsheet = self._sheet(node[2], sheet) if node[2] is not None else sheet
            found = self._name_text(node[1], nsheet)
            if found is not None and found[0] not in self._resolving:
                self._resolving.add(found[0])
                try:
                    self.precedents(parse(found[0]), found[1], out)
                except FormulaSyntaxError:
                    pass  # the engine reports the name's syntax; it has no precedents
                finally:
                    self._resolving.discard(found[0])
        elif kind == "table":
            m = re.match(r"^([A-Za-z_\\][\w.\\]*)?\[", node[1])
            t = self.data.tables.get((m.group(1) or "").upper()) if m else None
            if t is not None:
                out.append(self._area(t.sheet, t.r1, t.c1, t.r2, t.c2))
            else:  # [@Col] inside a table, or an unknown table: any cell may be read
                self.dynamic = True
        elif kind == "ext":
            pass  # the other workbook's cached values: no precedents here
        elif kind == "fn":
            if node[1] in _DYNAMIC_REFERENCES:
                self.dynamic = True
            elif node[1] not in fx.TABLE and node[1] not in self.udfs \
                    and node[1] not in self.engine_functions and node[1] not in _ENGINE_FORMS:
                self.precedents(("name", node[1], None), sheet, out)  # a LAMBDA name
            for a in node[2]:
                self.precedents(a, sheet, out)
        elif kind == "call":
            self.precedents(node[1], sheet, out)
            for a in node[2]:
                self.precedents(a, sheet, out)
        elif kind == "op":
            self.precedents(node[2], sheet, out)
            self.precedents(node[3], sheet, out)
        elif kind in ("neg", "pos", "pct", "at", "spill", "paren"):
            self.precedents(node[1], sheet, out)


def _direct_cells(node: tuple, big: list[tuple] | None = None) -> set[Key]:
    """Cells a syntax tree reads directly (ranges expanded); ranges too large to expand
    are appended to ``big`` as ``(sheet, r1, c1, r2, c2)`` when given."""
    out: set[Key] = set()
    stack = [node]
    while stack:
        nd = stack.pop()
        kind = nd[0]
        if kind == "ref":
            out.add(nd[1])
        elif kind == "rng":
            _, sheet, r1, c1, r2, c2 = nd
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= _MAX_EXPAND:
                out.update((sheet, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
            elif big is not None:
                big.append((sheet, r1, c1, r2, c2))
        elif kind in ("neg", "pos", "pct"):
            stack.append(nd[1])
        elif kind == "bin":
            stack.extend(nd[2:4])
        elif kind in ("fn", "udf", "unvec"):
            stack.extend(nd[2])
    return out


def _deps(node: tuple, formulas: Mapping[Key, tuple], by_sheet: Mapping[str, list[Key]],
          out: set[Key]) -> None:
    kind = node[0]
    if kind == "ref":
        if node[1] in formulas:
            out.add(node[1])
    elif kind == "rng":
        _, sheet, r1, c1, r2, c2 = node
        if (r2 - r1 + 1) * (c2 - c1 + 1) <= _MAX_EXPAND:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (sheet, r, c) in formulas:
                        out.add((sheet, r, c))
        else:
            out.update(k for k in by_sheet.get(sheet, ()) if r1 <= k[1] <= r2 and c1 <= k[2] <= c2)
    elif kind in ("neg", "pos", "pct"):
        _deps(node[1], formulas, by_sheet, out)
    elif kind == "bin":
        _deps(node[2], formulas, by_sheet, out)
        _deps(node[3], formulas, by_sheet, out)
    elif kind in ("fn", "udf", "unvec"):
        for a in node[2]:
            _deps(a, formulas, by_sheet, out)


def _cell_texts(data: BookData) -> tuple[dict[Key, tuple[str, Any]], dict[Key, tuple]]:
    """Formula cells → (text without '=', reader cell); shared formulas expanded.

    Returns the texts and, for shared-formula children, the master's tree shifted to the
    child (the text is shifted for display).
    """
    from templates.recalc.workbook import _shifted_text

    texts: dict[Key, tuple[str, Any]] = {}
    trees: dict[Key, tuple] = {}
    for sd in data.sheets:
        masters = {fc.shared_index or "": (r, c, fc.text) for (r, c), fc in sd.formulas.items()
                   if fc.kind == "shared" and fc.text}
        for (r, c), fc in sd.formulas.items():
            key = (sd.name, r, c)
            text = fc.text
            if fc.kind == "shared" and not text:
                master = masters.get(fc.shared_index or "")
                if master is None:
                    continue
                mr, mc, mtext = master
                with contextlib.suppress(FormulaSyntaxError):  # fails again below, reported
                    trees[key] = shift(parse(mtext), r - mr, c - mc)
                text = _shifted_text(mtext, r - mr, c - mc)
            if text:
                texts[key] = (text, fc)
            elif fc.kind == "dataTable":
                texts[key] = ("TABLE()", fc)
    return texts, trees


def compile_workbook(path: str | Path, data: BookData | None = None) -> Plan:
    """Read ``path`` (or use its already read ``data``) and compile it into a :class:`Plan`.

    Raises
    ------
    WorkbookError
        The file is missing, unsafe or unreadable, or its formulas reference each other
        in a cycle (Excel would need iterative calculation).
    """
    path = Path(path)
    if not path.is_file():
        raise workbook_error(path, "file does not exist")
    plan = Plan()
    plan.path = str(path)
    plan.sha256 = file_hash(path)
    if data is None:
        data = read_book(str(path))
    plan.data = data
    plan.sheets = [s.name for s in data.sheets]
    dims = {s.name: (s.max_row, s.max_col) for s in data.sheets}
    cell_texts, shared_trees = _cell_texts(data)
    for sd in data.sheets:
        for (r, c), v in sd.values.items():
            if (sd.name, r, c) not in cell_texts:
                plan.consts[(sd.name, r, c)] = _constant(v)
    comp = _Compiler(plan, data, dims)
    for name, local in data.names:
        if local is not None:
            continue
        try:
            node = comp.name_node(name, None)
        except _NotVectorised as exc:
            node = ("unvec", str(exc), ())
        if node is not None:
            plan.names[name] = node
            plan.name_text[name] = data.name_text.get(name, name)
    areas: dict[Key, tuple[int, int, int, int]] = {}  # anchor → area a formula fills
    for key, (text, fc) in cell_texts.items():
        comp.cell = key_text(key)
        comp.dynamic = False
        plan.texts[key] = "=" + text
        tree = None
        try:
            if fc.kind == "dataTable":
                raise _NotVectorised("a data table")
            tree = shared_trees.get(key) or parse(text)
            node = comp.resolve(tree, key[0])
            if fc.kind == "array":
                plan.array_cells.add(key)
            elif _top_level_range(node):
                raise _NotVectorised("implicit intersection")
            plan.formulas[key] = node
        except FormulaSyntaxError as exc:
            # The engine reports the cell (it keeps its stored value); so does the plan.
            plan.formulas[key] = ("unvec", f"syntax ({exc})", ())
            plan.static_cells.add(key)
            plan.unvectorised.append((f"syntax the engine degrades ({exc})", comp.cell))
        except _NotVectorised as exc:
            prec: list[tuple] = []
            if tree is not None:
                comp.precedents(tree, key[0], prec)
            plan.formulas[key] = ("unvec", str(exc), tuple(prec))
            plan.static_cells.add(key)
            plan.unvectorised.append((str(exc), comp.cell))
            if comp.dynamic or fc.kind == "dataTable":
                plan.dynamic_cells.add(key)
        if fc.ref and fc.kind in ("array", "dataTable") and ":" in fc.ref:
            areas[key] = area(fc.ref)
    # A multi-cell array formula (a spilled table) is not vectorised: every cell it fills
    # is static (value from the engine) with the anchor's precedents.
    for anchor, (r1, c1, r2, c2) in areas.items():
        node = plan.formulas[anchor]
        for cell in [(anchor[0], r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]:
            plan.consts.pop(cell, None)
            plan.formulas[cell] = node
            plan.texts[cell] = plan.texts[anchor]
            plan.static_cells.add(cell)
            if anchor in plan.dynamic_cells:
                plan.dynamic_cells.add(cell)
        if node[0] != "unvec":
            what = "a data table" if cell_texts[anchor][1].kind == "dataTable" else \
                "array formula"
            plan.unvectorised.append((what, key_text(anchor)))
    by_sheet: dict[str, list[Key]] = {}
    for k in plan.formulas:
        by_sheet.setdefault(k[0], []).append(k)
    for k, node in plan.formulas.items():
        out: set[Key] = set()
        _deps(node, plan.formulas, by_sheet, out)
        plan.deps[k] = frozenset(out)
    plan.order = _toposort(plan, path, data.checked.calc.iterate)
    if plan.static_cells:
        values = plan._engine([])
        for k in plan.static_cells:
            plan.static_values[k] = _value_of(values.get(k))
        what = "; ".join(f"{f} in {c}" for f, c in plan.unvectorised[:5])
        warnings.warn(
            f"{path.name}: {what} is not vectorised: its value comes from the engine's own "
            "calculation; batches whose inputs change its precedents evaluate it once per "
            "scenario (slow)",
            stacklevel=2,
        )
    if plan.udf_calls:
        what = "; ".join(f"{f} in {c}" for f, c in plan.udf_calls[:5])
        warnings.warn(
            f"{path.name}: add-in function {what} is called once per scenario (not vectorised)",
            stacklevel=2,
        )
    return plan


def _top_level_range(node: tuple) -> bool:
    """A range where the cell's one value belongs (``=B2:B9``, ``=A1:A3*2`` outside an
    array formula): Excel intersects it with the formula's row or column."""
    kind = node[0]
    if kind == "rng":
        return True
    if kind == "bin":
        return _top_level_range(node[2]) or _top_level_range(node[3])
    if kind in ("neg", "pos", "pct"):
        return _top_level_range(node[1])
    return False


def _constant(v: Any) -> V:
    """A constant cell as read: ExcelError → error, text stays text (even ``"#N/A"``)."""
    from templates.recalc.values import ExcelError

    if type(v) is ExcelError:
        return error(ERROR_CODES.get(str(v), ERR_VALUE))
    if isinstance(v, str):
        return _text(v)
    return const(v)


_MEMORY: dict[str, Plan] = {}


def get_plan(path: str | Path) -> Plan:
    """The compiled plan of ``path``, compiled at most once per process and file content.

    Plans are kept in memory, keyed by the SHA-256 of the file's bytes (an edited
    workbook is compiled again); nothing is written to disk.
    """
    path = Path(path)
    if not path.is_file():
        raise workbook_error(path, "file does not exist")
    digest = file_hash(path)
    plan = _MEMORY.get(digest)
    if plan is None:
        plan = compile_workbook(path)
        _MEMORY[digest] = plan
    plan.path = str(path)
    return plan


def clear_memory() -> None:
    """Forget the in-memory plans (tests, long-lived processes)."""
    _MEMORY.clear()


def _toposort(plan: Plan, path: Path, iterate: bool) -> list[Key]:
    """Depth-first post-order of formula cells; a cycle is a workbook error."""
    order: list[Key] = []
    state: dict[Key, int] = {}  # 1 visiting, 2 done
    for root in sorted(plan.formulas):
        if state.get(root) == 2:
            continue
        stack: list[tuple[Key, Any]] = [(root, iter(sorted(plan.deps[root])))]
        state[root] = 1
        while stack:
            k, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                state[k] = 2
                order.append(k)
                continue
            st = state.get(nxt)
            if st == 1:
                cycle = [key_text(k) for k, _ in stack[[s[0] for s in stack].index(nxt):]]
                if iterate:
                    raise workbook_error(
                        path, "circular references with iterative calculation cannot be "
                        f"vectorised ({' → '.join(cycle[:6])}); use llm-tco recalc per "
                        "scenario", cycle[0])
                raise CircularReferenceError(path, cycle)
            if st is None:
                state[nxt] = 1
                stack.append((nxt, iter(sorted(plan.deps[nxt]))))
    return order


# ---------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------
class _Evaluator:
    """Walks resolved syntax trees over an environment of cell values."""

    def __init__(self, env: dict[Key, V], plan: Plan) -> None:
        self.env = env
        self.plan = plan
        self.ranges: dict[tuple, R] = {}
        # Function results whose arguments are the same objects and one value in every
        # scenario (the GPU lookup repeated in each projection row): computed once.
        self.memo: dict[tuple, tuple[list, V | R]] = {}
        self.uniform: dict[int, tuple[R, bool]] = {}

    def eval(self, node: tuple, as_range: bool = False) -> V | R:
        kind = node[0]
        if kind == "c":
            return node[1]
        if kind == "ref":
            v = self.env.get(node[1], BLANK)
            return R([[v]]) if as_range else v
        if kind == "rng":
            hit = self.ranges.get(node)
            if hit is None:
                _, sheet, r1, c1, r2, c2 = node
                get = self.env.get
                hit = R([[get((sheet, r, c), BLANK) for c in range(c1, c2 + 1)]
                         for r in range(r1, r2 + 1)])
                self.ranges[node] = hit
            return hit
        if kind == "bin":
            a = self.eval(node[2])
            b = self.eval(node[3])
            if isinstance(a, R) or isinstance(b, R):
                return _array_op(lambda x, y: _binary(node[1], x, y), a, b)
            return _binary(node[1], a, b)
        if kind == "neg" or kind == "pct":
            x = self.eval(node[1])
            if isinstance(x, R):
                return _array_op(lambda u, _: _unary(kind, u), x, x)
            return _unary(kind, x)
        if kind == "pos":
            return self.eval(node[1])
        if kind == "fn":
            spec = fx.TABLE[node[1]]
            args = [None if a[0] == "miss" else self.eval(a, spec.refs) for a in node[2]]
            if all(a is None or self._is_uniform(a) for a in args):
                mkey = (node[1], *(id(a) for a in args), *(a[0] == "c" for a in node[2]))
                hit = self.memo.get(mkey)
                if hit is not None:
                    return hit[1]
                res = self._call(node, spec, args)
                self.memo[mkey] = (args, res)  # args kept alive: their ids stay unique
                return res
            return self._call(node, spec, args)
        if kind == "udf":
            args = [None if a[0] == "miss" else self.eval(a) for a in node[2]]
            return fx.call_elementwise(self.plan.udfs()[node[1]], args)
        if kind == "miss":
            return const(0.0)
        if kind == "unvec":  # only inside static cells, which are never evaluated here
            raise RuntimeError(f"{node[1]} is not vectorised")
        raise RuntimeError(f"unknown node {kind}")

    def _is_uniform(self, a: V | R) -> bool:
        """One value in every scenario (arrays of length 1), for memoisation."""
        if isinstance(a, V):
            return len(a.d) == 1 and (a.e is None or len(a.e) == 1)
        hit = self.uniform.get(id(a))
        if hit is None:
            flag = all(len(c.d) == 1 and (c.e is None or len(c.e) == 1) for c in a.flat())
            self.uniform[id(a)] = hit = (a, flag)  # a kept alive: its id stays unique
        return hit[1]

    def _call(self, node: tuple, spec: Any, args: list) -> V | R:
        # Error values among the arguments come before the function's own conversion
        # errors (ROUND("a", 1/0) is #DIV/0!).
        pre = (merge_err(*(v.e for v in args if isinstance(v, V)))
               if node[1] in fx.ARG_ERRORS_FIRST else None)
        res = spec.impl(*args)
        if pre is not None and isinstance(res, V):
            res = V(res.d, merge_err(pre, res.e))
        return res

    def scalar(self, node: tuple) -> V:
        v = self.eval(node)
        if isinstance(v, R):
            # A range in a scalar slot: Excel's implicit intersection is positional; a
            # 1×1 range is the only case with one answer everywhere.
            return v.cells[0][0] if v.rows == 1 and v.cols == 1 else error(3)
        return v


def _unary(kind: str, v: V) -> V:
    x, e = to_num(v)
    return V(-x, e) if kind == "neg" else V(x / 100.0, e)


def _array_op(fn: Callable[[V, V], V], a: V | R, b: V | R) -> R:
    """Element-by-element operation over ranges (``A1:A5*x``), broadcasting 1-wide sides.

    Positions outside a shorter side are ``#N/A``, as in Excel's array arithmetic.
    """
    ra = a if isinstance(a, R) else R([[a]])
    rb = b if isinstance(b, R) else R([[b]])
    rows, cols = max(ra.rows, rb.rows), max(ra.cols, rb.cols)

    def at(r: R, i: int, j: int) -> V | None:
        ii = 0 if r.rows == 1 else i
        jj = 0 if r.cols == 1 else j
        if ii >= r.rows or jj >= r.cols:
            return None
        return r.cells[ii][jj]

    out = []
    for i in range(rows):
        row = []
        for j in range(cols):
            x, y = at(ra, i, j), at(rb, i, j)
            row.append(error(7) if x is None or y is None else fn(x, y))
        out.append(row)
    return R(out)


def _binary(op: str, a: V, b: V) -> V:
    if op in ("+", "-", "*", "/", "^"):
        x, ea = to_num(a)
        y, eb = to_num(b)
        # Error values in the operands come before errors of converting them (formulas:
        # "a"/(1/0) is #DIV/0!); among each kind the left operand wins.
        e = merge_err(a.e, b.e, ea, eb)
        with np.errstate(all="ignore"):
            if op == "+":
                return num_result(x + y, e)
            if op == "-":
                return num_result(x - y, e)
            if op == "*":
                return num_result(x * y, e)
            if op == "/":
                e = add_err(e, y == 0, ERR_DIV0)
                return num_result(x / np.where(y == 0, 1.0, y), e)
            return fx.power(x, y, e)
    if op == "&":
        x, ea = to_text(a)
        y, eb = to_text(b)
        return V(np.atleast_1d(x + y), merge_err(ea, eb))
    return fx.compare(op, a, b)


__all__ = ["Plan", "compile_workbook", "file_hash", "key_text"]
