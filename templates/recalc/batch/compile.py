"""Compile a workbook's formula graph once into a plan; evaluate many scenarios at once.

A :class:`Plan` holds every constant cell, every formula cell's resolved syntax tree and a
topological order of the formula cells. :meth:`Plan.evaluate` takes input cells as numpy
arrays of shape ``(n,)`` (one element per scenario) and walks the order once, each node
doing one numpy operation over all ``n`` scenarios, so the per-node interpreter cost is
paid once per batch instead of once per scenario.

Errors are per element: each value carries an ``int8`` error-code array next to its data
(see :mod:`templates.recalc.batch.values`), so ``#DIV/0!`` in scenario 17 leaves scenario 18
untouched.

Fallbacks
---------
* A function in the add-in catalog (``udfs.formulas_adapter.formulas_functions()``) that the
  vectorised table lacks is called element by element (once per scenario).
* A cell using a function known to ``formulas`` but not vectorised here takes its value
  from one plain ``formulas`` calculation done at compile time, as long as no input of the
  batch changes its precedents; a batch whose inputs do change them runs through plain
  ``formulas``, one scenario at a time (slow but correct).
* A multi-cell array formula (a spilled table) is treated the same way: every cell it fills
  is static while its precedents do not vary.
* Syntax this compiler does not parse sends every batch of the workbook through plain
  ``formulas`` one scenario at a time.
  Each fallback is announced with ``warnings.warn`` naming the function and cell.
* A function nobody knows gives ``#NAME?``, as in Excel.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl.utils import column_index_from_string, get_column_letter

from . import functions as fx
from .errors import BatchInputError, workbook_error
from .parser import FormulaSyntaxError, parse
from .values import (
    BLANK,
    ERR_DIV0,
    ERR_NAME,
    ERR_REF,
    R,
    V,
    add_err,
    const,
    error,
    from_python,
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


def file_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes (hex): the plan cache key."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def key_text(key: Key) -> str:
    """``('Sheet Two', 3, 2)`` → ``"'Sheet Two'!B3"``."""
    sheet, r, c = key
    s = f"'{sheet}'" if re.search(r"[^A-Za-z0-9_.]", sheet) else sheet
    return f"{s}!{get_column_letter(c)}{r}"


# Whether the workbook enables iterative calculation (from open_checked), by path.
_ITERATE: dict[str, bool] = {}


def _load_workbook(path: Path) -> Any:
    """Check the file with the runtime's untrusted-workbook rules, then read it (openpyxl)."""
    try:
        from templates.recalc.xlsx_safety import open_checked  # the runtime's zip/XML/size checks
    except ImportError:  # pragma: no cover - only before the runtime module existed
        open_checked = None
    if open_checked is not None:
        checked = open_checked(path)  # raises WorkbookError naming the file and the rule
        _ITERATE[str(path)] = bool(getattr(getattr(checked, "calc", None), "iterate", False))
    elif not path.is_file():
        raise workbook_error(path, "file does not exist")
    import openpyxl

    try:
        return openpyxl.load_workbook(path, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise workbook_error(path, f"not a readable xlsx workbook ({exc})") from exc


class Plan:
    """A compiled workbook: constants, resolved formulas and their evaluation order.

    Build with :func:`compile_workbook` (or :func:`templates.recalc.batch.plan_cache.get_plan`).
    Plans pickle, so they cache on disk and travel to worker processes.
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
        self.whole_fallback: list[tuple[str, str]] = []  # (function or reason, cell)
        self.udf_calls: list[tuple[str, str]] = []
        # Cells using a function only plain formulas implements: their value comes from one
        # plain-formulas calculation while no input changes their precedents.
        self.static_cells: set[Key] = set()
        self.static_values: dict[Key, V] = {}
        self.unvectorised: list[tuple[str, str]] = []
        self._readers: dict[Key, set[Key]] | None = None
        self._big_readers: list[tuple[Key, tuple]] = []
        self._downstream_cache: dict[frozenset, frozenset] = {}
        self._subsets: dict[tuple, list[Key]] = {}
        self._udfs: dict[str, Callable[..., Any]] | None = None
        self._ref_model: Any = None

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
            values (like ``formulas``' ``inputs``); its own precedents are then ignored.
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
        order = None if self.whole_fallback else self._needed(out_keys, frozenset(in_keys))
        if order is not None and self.static_cells and in_keys:
            moved = self._downstream(frozenset(in_keys))
            hit = [k for k in order if k in self.static_cells and k in moved]
            if hit:
                cell = key_text(hit[0])
                fn = next((f for f, c in self.unvectorised if c == cell), None)
                what = fn or f"an array formula ({self.texts.get(hit[0], '')})"
                warnings.warn(
                    f"{Path(self.path).name}: the inputs change {cell}, which uses {what} "
                    "(not vectorised): this batch runs through plain formulas, one scenario "
                    "at a time (slow)",
                    stacklevel=2,
                )
                order = None
        if order is None:
            env = self._evaluate_reference(in_keys, out_keys)
        else:
            static = self.static_values
            env = dict(self.consts)
            env.update(in_keys)
            ev = _Evaluator(env, self)
            formulas = self.formulas
            for k in order:
                if k in static:
                    env[k] = static[k]
                    continue
                try:
                    res = ev.eval(formulas[k])
                except Exception as exc:  # a bug must not become a silent wrong number
                    raise RuntimeError(f"evaluating {key_text(k)}: {exc}") from exc
                if isinstance(res, R):
                    res = res.cells[0][0] if res.rows and res.cols else error(ERR_REF)
                if res.blank:
                    res = const(0.0)  # a formula pointing at an empty cell shows 0
                env[k] = res
        if outputs is None:
            return {k: env[k] for k in self.order}
        return {o: env.get(k, BLANK) for o, k in zip(outputs, out_keys, strict=True)}

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

    def _evaluate_reference(self, in_keys: dict[Key, V], out_keys: list[Key] | None) -> dict:
        """Whole-workbook fallback: plain ``formulas``, one scenario at a time."""
        from .reference import ReferenceModel

        if self._ref_model is None:
            self._ref_model = ReferenceModel(self.path)
        n = max([len(v) for v in in_keys.values()] + [1])
        keys = out_keys if out_keys is not None else list(self.order)
        cols: dict[Key, list] = {k: [] for k in keys}
        for i in range(n):
            vals = {k: v.item(i if len(v) > 1 else 0) for k, v in in_keys.items()}
            sol = self._ref_model.calculate(vals, keys)
            for k in keys:
                cols[k].append(sol.get(k))
        env: dict[Key, V] = {}
        for k, col in cols.items():
            env[k] = _column_value(col)
        return env

    def udfs(self) -> dict[str, Callable[..., Any]]:
        if self._udfs is None:
            self._udfs = _udf_table()
        return self._udfs

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_subsets"] = {}
        state["_udfs"] = None
        state["_ref_model"] = None
        state["_readers"] = None
        state["_big_readers"] = []
        state["_downstream_cache"] = {}
        return state


def _column_value(col: list) -> V:
    vs = [const(x) if x is not None else const(0.0) for x in col]
    if all(v.d.dtype == np.float64 and v.e is None for v in vs):
        return V(np.array([v.d[0] for v in vs]))
    d = np.empty(len(vs), dtype=object)
    e = np.zeros(len(vs), dtype=np.int8)
    for i, v in enumerate(vs):
        x = v.d[0]
        d[i] = x if v.d.dtype == object else (bool(x) if v.d.dtype == bool else float(x))
        if v.e is not None:
            e[i] = v.e[0]
    return V(d, e if e.any() else None)


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
    try:
        from udfs.formulas_adapter import formulas_functions

        return {k.upper(): v for k, v in formulas_functions().items()}
    except Exception as exc:  # the catalog is someone else's moving target
        warnings.warn(f"add-in functions unavailable ({exc})", stacklevel=2)
        return {}


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
        r1, col1 = int(c1.group(2)), column_index_from_string(c1.group(1).upper())
        if m.group("c2"):
            c2 = _ONE_CELL.match(m.group("c2"))
            r2, col2 = int(c2.group(2)), column_index_from_string(c2.group(1).upper())
            r1, r2 = sorted((r1, r2))
            col1, col2 = sorted((col1, col2))
            if (r1, col1) == (r2, col2):
                return ("ref", (sheet, r1, col1))
            return ("rng", sheet, r1, col1, r2, col2)
        return ("ref", (sheet, r1, col1))
    if m.group("col1"):
        a = column_index_from_string(m.group("col1").upper())
        b = column_index_from_string(m.group("col2").upper())
        a, b = sorted((a, b))
        return ("rng", sheet, 1, a, max_r, b)  # whole columns clipped to the used area
    a, b = sorted((int(m.group("row1")), int(m.group("row2"))))
    return ("rng", sheet, a, 1, b, max_c)


# ---------------------------------------------------------------------------------------
# Compilation
# ---------------------------------------------------------------------------------------
class _Compiler:
    def __init__(self, plan: Plan, wb: Any, dims: dict[str, tuple[int, int]]) -> None:
        self.plan = plan
        self.dims = dims
        self.global_names: dict[str, str] = {}
        self.local_names: dict[tuple[str, str], str] = {}
        for name, dn in wb.defined_names.items():
            self.global_names[name.upper()] = dn.attr_text
        for ws in wb.worksheets:
            for name, dn in ws.defined_names.items():
                self.local_names[(ws.title, name.upper())] = dn.attr_text
        self.udfs = plan.udfs()
        self.cell = ""
        self.static_hit = False
        self._name_cache: dict[tuple[str | None, str], tuple] = {}
        self._resolving: set[str] = set()

    def name_node(self, name: str, sheet: str | None) -> tuple | None:
        up = name.upper()
        text = None
        if sheet is not None and (sheet, up) in self.local_names:
            text, ctx = self.local_names[(sheet, up)], sheet
        elif up in self.global_names:
            text, ctx = self.global_names[up], None
        if text is None:
            return None
        ck = (ctx, up)
        if ck in self._name_cache:
            return self._name_cache[ck]
        if up in self._resolving:
            return ("c", error(ERR_NAME))
        self._resolving.add(up)
        try:
            node = self.resolve(parse(text), ctx)
        except (FormulaSyntaxError, BatchInputError):
            node = ("c", error(ERR_REF))
        finally:
            self._resolving.discard(up)
        self._name_cache[ck] = node
        return node

    def resolve(self, node: tuple, sheet: str | None) -> tuple:
        kind = node[0]
        if kind == "num" or kind == "str" or kind == "bool":
            return ("c", const(node[1]))
        if kind == "err":
            return ("c", error(node[1]))
        if kind == "miss":
            return node
        if kind == "reftext":
            text = node[1]
            if "[" in text:
                raise FormulaSyntaxError(f"external or structured reference {text!r}")
            if text.upper().endswith("#REF!"):
                return ("c", error(ERR_REF))
            m = _REF_RE.match(text)
            if m and not (m.group("c1") and not m.group("c2") and self._is_name(text, sheet)):
                try:
                    return _resolve_match(m, sheet, self.plan.sheets, "formula", text, self.dims)
                except BatchInputError:
                    return ("c", error(ERR_REF))
            nm = text
            nsheet = sheet
            if "!" in text:
                s, nm = text.rsplit("!", 1)
                s = s.strip("'").replace("''", "'")
                by_upper = {x.upper(): x for x in self.plan.sheets}
                nsheet = by_upper.get(s.upper(), sheet)
            res = self.name_node(nm, nsheet)
            return res if res is not None else ("c", error(ERR_NAME))
        if kind == "arr":
            return ("c", R([[self.resolve(x, sheet)[1] for x in row] for row in node[1]]))
        if kind in ("neg", "pos", "pct"):
            return (kind, self.resolve(node[1], sheet))
        if kind == "bin":
            return ("bin", node[1], self.resolve(node[2], sheet), self.resolve(node[3], sheet))
        if kind == "fn":
            name = node[1]
            args = tuple(self.resolve(a, sheet) for a in node[2])
            if name in fx.TABLE:
                return ("fn", name, args)
            if name in self.udfs:
                self.plan.udf_calls.append((name, self.cell))
                return ("udf", name, args)
            if name in fx.known_to_formulas():
                self.plan.unvectorised.append((name, self.cell))
                self.static_hit = True
                return ("unvec", name, args)
            warnings.warn(
                f"{name} in {self.cell} is not a known function: it evaluates to #NAME?",
                stacklevel=4,
            )
            return ("c", error(ERR_NAME))
        raise FormulaSyntaxError(f"unknown node {kind}")

    def _is_name(self, text: str, sheet: str | None) -> bool:
        # A defined name can look like a cell address only in odd workbooks ("TAX2024"
        # is a valid column+row), so names win where both readings exist.
        return text.upper() in self.global_names or (sheet, text.upper()) in self.local_names


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


def compile_workbook(path: str | Path) -> Plan:
    """Load ``path`` and compile its formula graph into a :class:`Plan`.

    Raises
    ------
    WorkbookError
        The file is missing or unreadable, or its formulas reference each other in a
        cycle (Excel would need iterative calculation).
    """
    path = Path(path)
    plan = Plan()
    plan.path = str(path)
    plan.sha256 = file_hash(path)
    wb = _load_workbook(path)
    plan.sheets = [ws.title for ws in wb.worksheets]
    dims: dict[str, tuple[int, int]] = {}
    raw: dict[Key, str] = {}
    spills: dict[Key, str] = {}  # anchor of a multi-cell array formula → its range
    for ws in wb.worksheets:
        max_r = max_c = 1
        for (r, c), cell in ws._cells.items():  # sparse dict: only cells that exist
            v = cell.value
            if v is None:
                continue
            max_r, max_c = max(max_r, r), max(max_c, c)
            key = (ws.title, r, c)
            text = getattr(v, "text", None)  # ArrayFormula
            if text is not None:
                if getattr(v, "ref", None) and ":" in str(v.ref):
                    spills[key] = str(v.ref)
                raw[key] = text
            elif isinstance(v, str) and v.startswith("=") and len(v) > 1:
                raw[key] = v
            else:
                plan.consts[key] = const(v)
        dims[ws.title] = (max_r, max_c)
    comp = _Compiler(plan, wb, dims)
    for name in wb.defined_names:
        node = comp.name_node(name, None)
        if node is not None:
            plan.names[name.upper()] = node
            plan.name_text[name.upper()] = name
    for key, text in raw.items():
        comp.cell = key_text(key)
        comp.static_hit = False
        plan.texts[key] = text
        try:
            plan.formulas[key] = comp.resolve(parse(text), key[0])
            if comp.static_hit:
                plan.static_cells.add(key)
        except FormulaSyntaxError as exc:
            plan.whole_fallback.append((str(exc), comp.cell))
            plan.formulas[key] = ("c", error(ERR_NAME))
    # A multi-cell array formula (a spilled table) is not vectorised: every cell it fills
    # is static (value from one plain formulas calculation) with the anchor's precedents.
    for anchor, ref in spills.items():
        m = _REF_RE.match(ref)
        node = plan.formulas.get(anchor)
        if m is None or node is None or plan.whole_fallback:
            plan.whole_fallback.append(("array formula", key_text(anchor)))
            continue
        area = _resolve_match(m, anchor[0], plan.sheets, "array formula", ref, dims)
        cells = [area[1]] if area[0] == "ref" else [
            (anchor[0], r, c) for r in range(area[2], area[4] + 1)
            for c in range(area[3], area[5] + 1)]
        for cell in cells:
            plan.consts.pop(cell, None)
            plan.formulas[cell] = node
            plan.texts[cell] = raw[anchor]
            plan.static_cells.add(cell)
        plan.unvectorised.append(("array formula", key_text(anchor)))
    by_sheet: dict[str, list[Key]] = {}
    for k in plan.formulas:
        by_sheet.setdefault(k[0], []).append(k)
    for k, node in plan.formulas.items():
        out: set[Key] = set()
        _deps(node, plan.formulas, by_sheet, out)
        plan.deps[k] = frozenset(out)
    plan.order = _toposort(plan, path)
    if plan.static_cells and not plan.whole_fallback:
        from .reference import ReferenceModel

        values = ReferenceModel(path).calculate(None, sorted(plan.static_cells))
        for k in plan.static_cells:
            v = from_python(values.get(k))
            plan.static_values[k] = const(0.0) if v.blank else v  # an empty result shows 0
        what = "; ".join(f"{f} in {c}" for f, c in plan.unvectorised[:5])
        warnings.warn(
            f"{path.name}: {what} is not vectorised: its value comes from one plain formulas "
            "calculation; batches whose inputs change its precedents run through plain "
            "formulas one scenario at a time (slow)",
            stacklevel=2,
        )
    if plan.whole_fallback:
        what = "; ".join(f"{f} in {c}" for f, c in plan.whole_fallback[:5])
        warnings.warn(
            f"{path.name}: {what} cannot be vectorised: the whole workbook is evaluated "
            "by plain formulas, one scenario at a time (slow)",
            stacklevel=2,
        )
    if plan.udf_calls:
        what = "; ".join(f"{f} in {c}" for f, c in plan.udf_calls[:5])
        warnings.warn(
            f"{path.name}: add-in function {what} is called once per scenario (not vectorised)",
            stacklevel=2,
        )
    return plan


def _toposort(plan: Plan, path: Path) -> list[Key]:
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
                if _ITERATE.get(str(path)):
                    raise workbook_error(
                        path, "circular references with iterative calculation cannot be "
                        f"vectorised ({' → '.join(cycle[:6])}); use llm-tco recalc per "
                        "scenario", cycle[0])
                try:
                    from templates.recalc.errors import CircularReferenceError
                except ImportError:  # pragma: no cover - before the runtime existed
                    raise workbook_error(path, "circular reference", cycle[0]) from None
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
        if spec.refs:
            # A logical computed inside the call (SUM(A1>0, 1)) is skipped like a range
            # value, a typed TRUE counts as 1, as formulas does.
            args = [_computed_arg(v) if a[0] != "c" else v
                    for a, v in zip(node[2], args, strict=True)]
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


def _computed_arg(v: V | R | None) -> V | R | None:
    if isinstance(v, V) and not v.blank:
        if v.d.dtype == bool:
            return R([[v]])
        if v.d.dtype == object:
            return fx.SkipBools(v.d, v.e)
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
