"""The ``formulas`` package as a test oracle: recalculation with our functions registered.

Not the product path (that is :class:`templates.recalc.Recalculation`, the engine of this
package); tests compare the engine with it. Nothing in the product imports it.

Headless recalculation of a workbook: ``formulas`` plus our functions, Excel-correct.

>>> from templates.recalc import recalc                      # doctest: +SKIP
>>> recalc("model.xlsx", inputs={"Inputs!B2": 5e6})          # doctest: +SKIP
{'Summary!B4': 1234.5, ...}

:func:`recalc` answers "what would Excel show in these cells"; :class:`Recalculation`
keeps the loaded model and every computed formula cell for write-back and checking.

Where ``formulas`` differs from Excel it is corrected here:

* ROUND / ROUNDUP / ROUNDDOWN round the 15-significant-digit decimal form of the number,
  as Excel does (``ROUND(2.675, 2)`` is 2.68 in Excel; binary rounding gives 2.67).
* Circular references raise :class:`~templates.recalc.errors.CircularReferenceError` naming the
  cells (``formulas`` silently yields 0), unless the workbook enables iterative
  calculation, in which case the loop is iterated as Excel does (see :meth:`_iterate`).

Untrusted files are checked first by :mod:`templates.recalc.xlsx_safety`.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, localcontext
from typing import Any

import numpy as np
import schedula as sh
from openpyxl.utils.cell import coordinate_from_string, range_boundaries
from openpyxl.utils.cell import get_column_letter as _col
from openpyxl.worksheet.formula import ArrayFormula

from templates.recalc import xl_errors
from templates.recalc.errors import CircularReferenceError, WorkbookError
from templates.recalc.xlsx_safety import (
    DEFAULT_LIMITS,
    CheckedWorkbook,
    Limits,
    check_formulas,
    check_used_range,
    open_checked,
)

__all__ = ["Recalculation", "recalc", "register_functions"]

Value = float | str | bool | None

# Excel stores calls to functions that are not its own under prefixes:
# * ``_xll.NAME`` — a function registered by an XLL add-in (PyXLL, Excel-DNA). Writers
#   that round-trip Excel files add it "when saving add-in functions in the 2007 format"
#   (comment in Infragistics' Excel engine), and other formula engines strip ``_XLL.``
#   next to ``_XLFN.``/``_XLWS.`` as Excel storage prefixes.
# * ``_xludf.NAME`` — the prefix for user-defined functions in Excel's list of OOXML
#   formula prefixes (as collected in a StackExchange answer; we found no ECMA-376
#   text for it), seen for UDFs Excel could not resolve when saving.
# * ``[1]!NAME`` — a VBA function in another workbook, typically an .xlam add-in: the
#   formula goes through an external link (``xl/externalLinks/externalLink1.xml``,
#   ECMA-376 Part 1 §18.14). ``formulas`` cannot parse it; xlsx_safety rewrites it to
#   ``NAME`` for our own functions and never opens the link.
# xlwings' classic UDFs are VBA wrappers in the workbook itself, stored unprefixed.
ADDIN_PREFIXES = ("_XLL.", "_XLUDF.")

#: The name the workbook has inside formulas' model, whatever the file is called.
_BOOK_NAME = "workbook.xlsx"

_NODE_RE = re.compile(r"^'?\[(?P<book>[^\]]+)\](?P<sheet>.*?)'?!(?P<ref>[A-Z]+\d+(?::[A-Z]+\d+)?)$")


# --- Excel-correct built-ins -------------------------------------------------------

_DECIMAL = Context(prec=800)


def _excel_round(x: float, digits: float, rounding: str) -> float:
    """Round like Excel: on the 15-significant-digit decimal form, halves away from zero.

    Examples
    --------
    >>> _excel_round(2.675, 2, ROUND_HALF_UP), _excel_round(1.005, 2, ROUND_HALF_UP)
    (2.68, 1.01)
    >>> _excel_round(-2.5, 0, ROUND_HALF_UP), _excel_round(1234.5, -2, ROUND_HALF_UP)
    (-3.0, 1200.0)
    """
    # Excel truncates the digits argument toward zero: ROUND(2.55, 1.9) = ROUND(2.55, 1).
    n = max(-400, min(400, int(digits)))
    with localcontext(_DECIMAL):
        d = Decimal(format(float(x), ".15g"))
        if n >= 0 and d.as_tuple().exponent >= -n:  # type: ignore[operator]
            return float(d)
        return float(d.quantize(Decimal(1).scaleb(-n), rounding=rounding))


def _excel_builtins() -> dict[str, Callable[..., Any]]:
    from formulas.functions import wrap_ufunc

    return {
        "ROUND": wrap_ufunc(functools.partial(_excel_round, rounding=ROUND_HALF_UP)),
        "ROUNDUP": wrap_ufunc(functools.partial(_excel_round, rounding=ROUND_UP)),
        "ROUNDDOWN": wrap_ufunc(functools.partial(_excel_round, rounding=ROUND_DOWN)),
    }


def register_functions(
    functions: dict[str, Callable[..., Any]] | None = None,
) -> set[str]:
    """Register our Excel functions (and Excel-correct built-ins) with ``formulas``.

    ``formulas`` keeps one process-wide function table (``formulas.get_functions()``),
    so registration is global and idempotent.

    Parameters
    ----------
    functions : dict, optional
        Upper-case name → callable taking ``formulas``' argument types; defaults to
        ``udfs.formulas_adapter.formulas_functions()``.

    Returns
    -------
    set of str
        Every name registered, prefixed forms included.
    """
    from formulas import get_functions
    from formulas.functions import wrap_func

    if functions is None:
        from udfs.formulas_adapter import formulas_functions

        functions = formulas_functions()
    table = get_functions()
    registered: set[str] = set()
    for name, fn in _excel_builtins().items():
        table[name] = fn
        registered.add(name)
    for name, fn in functions.items():
        # wrap_func turns formulas' Ranges into arrays and an escaping exception into
        # #VALUE!, the way formulas' own functions behave.
        wrapped = wrap_func(fn)
        for alias in (name.upper(), *(p + name.upper() for p in ADDIN_PREFIXES)):
            table[alias] = wrapped
            registered.add(alias)
    return registered


def _our_function_names(functions: dict[str, Callable[..., Any]] | None) -> set[str]:
    """Names :func:`register_functions` registers, without registering (cheap)."""
    if functions is None:
        from udfs.formulas_adapter import formulas_functions

        functions = formulas_functions()
    names = {"ROUND", "ROUNDUP", "ROUNDDOWN"}
    for name in functions:
        names.update((name.upper(), *(p + name.upper() for p in ADDIN_PREFIXES)))
    return names


_FUNCTION_NAMES_FILE = "formulas_functions.txt"


@functools.cache
def formulas_function_names() -> frozenset[str]:
    """Function names ``formulas`` implements.

    ``formulas.get_functions()`` imports every function module (scipy among them: about a
    second); checking a workbook only needs the names, so they ship in
    ``templates/data/formulas_functions.txt`` for the formulas version that wrote them
    (a test keeps the file current), and any other version asks formulas itself.
    """
    from importlib import resources
    from importlib.metadata import version

    text = resources.files("templates").joinpath("data", _FUNCTION_NAMES_FILE).read_text(
        encoding="utf-8")
    header = text.splitlines()[0]
    if header.startswith(f"# formulas {version('formulas')}:"):
        return frozenset(ln for ln in text.splitlines() if ln and not ln.startswith("#"))
    from formulas import get_functions

    return frozenset(get_functions())


def write_function_names(path: str | None = None) -> str:
    """Regenerate the shipped list of formulas' function names (returns its text)."""
    from importlib import resources
    from importlib.metadata import version

    from formulas import get_functions

    text = (f"# formulas {version('formulas')}: the function names its get_functions() "
            "knows.\n# Generated: python -m templates.recalc.formulas_oracle "
            "--write-function-names; a test keeps it current.\n"
            + "\n".join(sorted(get_functions())) + "\n")
    target = path or str(resources.files("templates").joinpath("data", _FUNCTION_NAMES_FILE))
    from templates.recalc.atomic import atomic_write_bytes

    atomic_write_bytes(target, text.encode("utf-8"))
    return text


# --- conversion ---------------------------------------------------------------------


def _to_python(value: Any, formula: bool = True) -> Value:
    """A ``formulas`` scalar → float / str / bool / None, errors as Excel strings."""
    if isinstance(value, xl_errors.XlError):
        return xl_errors.error_string(value)
    if value is sh.EMPTY or value is None:
        # A formula that points at an empty cell shows 0 in Excel.
        return 0.0 if formula else None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    if isinstance(value, str):
        return value
    return str(value)


def _cells_of(ref: str) -> list[str]:
    """``"A1:B2"`` → ``["A1", "B1", "A2", "B2"]``; ``"A1"`` → ``["A1"]``."""
    if ":" not in ref:
        return [ref]
    c1, r1, c2, r2 = range_boundaries(ref)
    return [f"{_col(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


# --- the model ----------------------------------------------------------------------


class Recalculation:
    """A workbook loaded, checked and compiled for recalculation.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook (.xlsx / .xlsm).
    limits : Limits, optional
        Bounds for untrusted files (:mod:`templates.recalc.xlsx_safety`).
    functions : dict, optional
        Functions to register instead of the udfs catalog (tests).

    Attributes
    ----------
    path : str
    checked : CheckedWorkbook
        What the safety checks learned (sheets, calc settings, notes).
    sheet_names : list of str
        Worksheet names as written in the workbook.
    formulas : dict[str, str]
        ``"Sheet!A1"`` → formula text, for every formula cell.

    Raises
    ------
    WorkbookError
        The file is unsafe or unreadable, or a formula cannot be evaluated (cell named).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        limits: Limits = DEFAULT_LIMITS,
        functions: dict[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self.limits = limits
        self.checked: CheckedWorkbook = open_checked(self.path, limits)
        self._functions = functions
        known = _our_function_names(functions)
        self._book = self._load_book()
        self.sheet_names = [ws.title for ws in self._book.worksheets]
        self._sheet_by_upper = {s.upper(): s for s in self.sheet_names}
        self.formulas = self._collect_formulas()
        if len(self.formulas) > limits.max_formula_cells:
            raise WorkbookError(
                self.path,
                f"workbook has {len(self.formulas):,} formula cells, above the limit of "
                f"{limits.max_formula_cells:,} for headless recalculation",
            )
        self._check(known)
        # Compiled on first use: compiling with formulas costs seconds per thousand
        # formula cells.
        self._model_cache: Any = None
        self._node_prefix = f"[{_BOOK_NAME}]"
        #: True once a calculation iterated a loop (iterative workbooks only).
        self.iterated = False

    # loading -------------------------------------------------------------------

    def _load_book(self) -> Any:
        from formulas.excel.xlreader import load_workbook

        try:
            # formulas' own reader (keeps dates as serial numbers, as Excel computes).
            # openpyxl warns about parts it drops on load (extensions, slicers); they
            # do not affect values, and the CLI's stderr is for one-line messages.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                book = load_workbook(self.path, data_only=False)
        except WorkbookError:
            raise
        except Exception as exc:  # openpyxl raises many types on malformed parts
            raise WorkbookError(self.path, f"cannot be read as a workbook ({exc})") from None
        for ws in book.worksheets:
            check_used_range(self.path, ws.title, ws.max_row, ws.max_column, self.limits)
        # External links are never followed: formulas maps [n] to files through this.
        book._external_links = []
        return book

    def _collect_formulas(self) -> dict[str, str]:
        out = {}
        for ws in self._book.worksheets:
            for cell in ws._cells.values():
                if cell.data_type == "f":
                    v = cell.value
                    out[f"{ws.title}!{cell.coordinate}"] = (
                        v.text if isinstance(v, ArrayFormula) else str(v)
                    )
        return out

    def _check(self, known: Iterable[str]) -> None:
        quoted = [s for s in self.sheet_names if "'" in s]
        if quoted and self.formulas:
            # formulas 1.3 turns every formula on or referring to such a sheet into #REF!.
            raise WorkbookError(
                self.path,
                f"sheet name {quoted[0]!r} contains an apostrophe, which the headless engine "
                "cannot reference; rename the sheet",
            )

        functions = formulas_function_names() | set(known)
        names = list(self.checked.defined_names)
        cells = list(self.formulas.items()) + [
            (f"defined name {n}", "=" + v) for n, v in self.checked.defined_names.items()
        ]
        rewrites = check_formulas(
            self.path, cells, functions, names, self.checked.external_links, self.limits
        )
        for where, text in rewrites.items():
            if where.startswith("defined name "):
                name = where.removeprefix("defined name ")
                self._book.defined_names[name].attr_text = text[1:]
                continue
            sheet, coord = where.rsplit("!", 1)
            cell = self._book[sheet][coord]
            if isinstance(cell.value, ArrayFormula):
                cell.value.text = text
            else:
                cell.value = text
            self.formulas[where] = text

    def _build_model(self) -> Any:
        import formulas
        from formulas.excel import BOOK

        register_functions(self._functions)

        model = formulas.ExcelModel()
        directory = os.path.dirname(os.path.abspath(self.path))
        filename = _BOOK_NAME
        model.basedir = directory
        # Hand formulas the workbook we loaded and checked, so it neither reads the
        # file a second time nor sees anything the checks did not. It is registered
        # under a fixed, plain name: formulas builds node ids like
        # "'[name.xlsx]SHEET'!A1" and mis-parses file names with quotes or brackets.
        model.books[filename.upper()] = {BOOK: self._book}
        try:
            # formulas draws tqdm progress bars on stderr; the CLI has its own output.
            with contextlib.redirect_stderr(io.StringIO()):
                model.load(os.path.join(directory, filename))
                # finish(circular=True), step by step: formulas' cycle search is a
                # recursive Tarjan that overflows Python's stack on a long chain of
                # cells (a 1,000-month running total), so it runs only when a cheap
                # iterative test finds a loop, and then with a deeper stack.
                model.complete()
                model.anchors()
                model.assemble()
                if _has_cycle(model.dsp.dmap.succ):
                    with _recursion_limit(20 * len(model.dsp.dmap.succ) + 1000):
                        model.solve_circular()
                model.inverse_references()
        except WorkbookError:
            raise
        except Exception as exc:
            from formulas.errors import FormulaError

            if isinstance(exc, FormulaError) and len(exc.args) > 1:
                text = str(exc.args[1])
                cell = next((r for r, f in self.formulas.items() if f == text), None)
                raise WorkbookError(
                    self.path, f"the headless engine cannot parse formula {text!r}", cell
                ) from None
            raise WorkbookError(
                self.path, f"formulas could not compile the workbook ({exc})"
            ) from None
        return model

    # names -----------------------------------------------------------------------

    def node(self, ref: str) -> str:
        """The ``formulas`` node id of ``Sheet!A1`` (``"'[BOOK.XLSX]SHEET'!A1"``)."""
        sheet, coord = ref.rsplit("!", 1)
        return f"'{self._node_prefix}{sheet.upper()}'!{coord}"

    def resolve(self, ref: str) -> list[str]:
        """``Sheet!A1``, ``'My sheet'!A1:B2`` or a defined name → canonical cell refs.

        Raises
        ------
        WorkbookError
            Unknown sheet or name, or not a cell reference.
        """
        text = ref.strip()
        if "!" in text:
            sheet, coord = text.rsplit("!", 1)
            if sheet.startswith("'") and sheet.endswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
            actual = self._sheet_by_upper.get(sheet.upper())
            if actual is None:
                raise WorkbookError(
                    self.path,
                    f"no sheet named {sheet!r} (sheets: {', '.join(self.sheet_names)})",
                    cell=ref,
                )
            coord = coord.replace("$", "").upper()
            if not all(_valid_cell(part) for part in coord.split(":", 1)):
                raise WorkbookError(
                    self.path, "not a cell reference (A1 … XFD1048576)", cell=ref
                )
            cells = _cells_of(coord)
            if len(cells) > self.limits.max_range_cells:
                raise WorkbookError(self.path, "range too large to report", cell=ref)
            return [f"{actual}!{c}" for c in cells]
        for name, value in self.checked.defined_names.items():
            if name.upper() == text.upper():
                return self.resolve(value)
        raise WorkbookError(
            self.path, "neither Sheet!A1 nor a defined name in the workbook", cell=ref
        )

    def output_cells(self) -> list[str]:
        """Default outputs: cells of defined names starting ``out_``, else formula cells."""
        out: list[str] = []
        for name, value in self.checked.defined_names.items():
            if name.lower().startswith("out_"):
                with contextlib.suppress(WorkbookError):
                    out.extend(self.resolve(value))
        return out or list(self.formulas)

    @property
    def _model(self) -> Any:
        if self._model_cache is None:
            self._model_cache = self._build_model()
        return self._model_cache

    # calculation -----------------------------------------------------------------

    def calculate(self, inputs: dict[str, object] | None = None) -> dict[str, Value]:
        """Recalculate with *inputs* overriding cells; return every formula cell's value.

        Parameters
        ----------
        inputs : dict, optional
            REF (``Sheet!A1`` or a single-cell defined name) → value.

        Returns
        -------
        dict[str, Value]
            ``"Sheet!A1"`` → value for every formula cell (and every overridden cell).

        Raises
        ------
        CircularReferenceError
            A loop of formulas and the workbook does not enable iteration.
        """
        node_inputs: dict[str, object] = {}
        overridden: dict[str, Value] = {}
        for ref, value in (inputs or {}).items():
            cells = self.resolve(ref)
            if len(cells) != 1:
                raise WorkbookError(self.path, "an input must be one cell", cell=ref)
            node_inputs[self.node(cells[0])] = value
            overridden[cells[0]] = _to_python(value, formula=False)
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                solution = self._model.calculate(inputs=node_inputs)
        except WorkbookError:
            raise
        except Exception as exc:
            raise WorkbookError(self.path, f"recalculation failed ({exc})") from None
        values = self._values(solution)
        circular = sorted(k for k, v in values.items() if v is _CIRCULAR)
        if circular:
            if not self.checked.calc.iterate:
                raise CircularReferenceError(self.path, self._cycle_cells(circular))
            values = self._iterate(node_inputs, circular)
            self.iterated = True
        values.update(overridden)
        return values

    def _values(self, solution: Any) -> dict[str, Any]:
        from formulas.excel import XlCircular

        out: dict[str, Any] = {}
        for ref in self.formulas:
            node = self.node(ref)
            if node in solution:
                v = solution[node]
                v = v.value[0, 0] if hasattr(v, "value") else v
                out[ref] = _CIRCULAR if isinstance(v, XlCircular) else _to_python(v)
        # Array formulas are one node over their whole range.
        for node, v in solution.items():
            if not isinstance(node, str) or ":" not in node:
                continue
            m = _NODE_RE.match(node)
            if not m:
                continue
            sheet = self._sheet_by_upper.get(m["sheet"].replace("''", "'"))
            if sheet is None:
                continue
            arr = np.asarray(getattr(v, "value", v), dtype=object)
            for i, coord in enumerate(_cells_of(m["ref"])):
                ref = f"{sheet}!{coord}"
                if ref in self.formulas and ref not in out and i < arr.size:
                    out[ref] = _to_python(arr.ravel()[i])
        return out

    def _cycle_cells(self, circular: list[str]) -> list[str]:
        """Narrow the cells showing the circular marker to those on a loop."""
        from formulas.excel.cycle import simple_cycles

        nodes = {self.node(r): r for r in circular}
        on_loop: set[str] = set()
        succ = self._model.dsp.dmap.succ
        try:
            with _recursion_limit(20 * len(succ) + 1000):
                for cycle in simple_cycles(succ):
                    on_loop.update(nodes[n] for n in cycle if n in nodes)
                    if len(on_loop) >= 50:
                        break
        except Exception:  # the marker cells are a fine answer too
            return circular
        return sorted(on_loop) or circular

    def _iterate(self, node_inputs: dict[str, object], circular: list[str]) -> dict[str, Any]:
        """Excel's iterative calculation over the cells of the loop.

        Excel recalculates the loop up to ``iterateCount`` times, stopping when no value
        changes by more than ``iterateDelta`` (ECMA-376 §18.2.2 calcPr), starting from
        the values the cells hold — here the cached values, or 0. Each pass evaluates
        every loop cell's formula in sheet order with the latest values (Gauss-Seidel,
        as Excel's sequential recalculation does); then the whole workbook is
        recalculated with the loop cells fixed at their final values.
        """
        import formulas

        calc = self.checked.calc
        loop = self._cycle_cells(circular)
        funcs = {}
        for ref in loop:
            sheet = ref.rsplit("!", 1)[0]
            name = _BOOK_NAME
            ctx = {"excel": name.upper(), "filename": name, "directory": "", "sheet": sheet.upper()}
            funcs[ref] = formulas.Parser().ast(self.formulas[ref], context=ctx)[1].compile()
        current: dict[str, Any] = {}
        cached = self._cached_values(loop)
        for ref in loop:
            current[self.node(ref)] = cached.get(ref, 0.0)
        base = dict(node_inputs)
        for _ in range(max(1, calc.iterate_count)):
            with contextlib.redirect_stderr(io.StringIO()):
                sol = self._model.calculate(inputs={**base, **current})
            delta = 0.0
            for ref in loop:
                fn = funcs[ref]
                args = []
                for name in fn.inputs:
                    if name in current:
                        args.append(np.asarray([[current[name]]], object))
                    else:
                        v = sol.get(name)
                        args.append(getattr(v, "value", v))
                new = fn(*args)
                new = np.asarray(getattr(new, "value", new), dtype=object).ravel()[0]
                old = current[self.node(ref)]
                if isinstance(new, int | float | np.number) and isinstance(
                    old, int | float | np.number
                ):
                    delta = max(delta, abs(float(new) - float(old)))
                elif new != old:
                    delta = float("inf")
                current[self.node(ref)] = new
            if delta <= calc.iterate_delta:
                break
        with contextlib.redirect_stderr(io.StringIO()):
            sol = self._model.calculate(inputs={**base, **current})
        values = self._values(sol)
        for ref in loop:
            values[ref] = _to_python(current[self.node(ref)])
        return values

    def _cached_values(self, refs: list[str]) -> dict[str, Any]:
        from openpyxl import load_workbook

        # Cached values need a data_only read; only for iterative workbooks, rare.
        wb = load_workbook(self.path, data_only=True, read_only=False)
        out = {}
        for ref in refs:
            sheet, coord = ref.rsplit("!", 1)
            v = wb[sheet][coord].value
            if isinstance(v, int | float) and not isinstance(v, bool):
                out[ref] = float(v)
        return out

    def values(self, inputs: dict[str, object] | None = None,
               cells: list[str] | None = None) -> dict[str, Value]:
        """Values of *cells* (default :meth:`output_cells`) after applying *inputs*."""
        wanted: list[str] = []
        for ref in cells or []:
            wanted.extend(self.resolve(ref))
        if not cells:
            wanted = self.output_cells()
        values = self.calculate(inputs)
        return {ref: values[ref] if ref in values else self.constant(ref) for ref in wanted}

    def constant(self, ref: str) -> Value:
        """The stored value of a non-formula cell."""
        sheet, coord = ref.rsplit("!", 1)
        cell = self._book[sheet]._cells.get(
            (coordinate_from_string(coord)[1], _column_index(coord))
        )
        return _to_python(cell.value, formula=False) if cell is not None else None


_COORD_RE = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")


def _valid_cell(coord: str) -> bool:
    """Whether *coord* is a cell inside Excel's grid (A1 … XFD1048576)."""
    from openpyxl.utils.cell import column_index_from_string

    m = _COORD_RE.match(coord)
    return bool(m) and column_index_from_string(m[1]) <= 16384 and int(m[2]) <= 1_048_576


def _column_index(coord: str) -> int:
    from openpyxl.utils.cell import column_index_from_string

    return column_index_from_string(coordinate_from_string(coord)[0])


def _has_cycle(succ: Any) -> bool:
    """Whether a directed graph (node → successors) has a cycle; Kahn's algorithm.

    Examples
    --------
    >>> _has_cycle({1: {2: {}}, 2: {3: {}}, 3: {}}), _has_cycle({1: {2: {}}, 2: {1: {}}})
    (False, True)
    """
    indegree: dict[Any, int] = dict.fromkeys(succ, 0)
    for node in succ:
        for nxt in succ[node]:
            indegree[nxt] = indegree.get(nxt, 0) + 1
    ready = [n for n, d in indegree.items() if d == 0]
    removed = 0
    while ready:
        node = ready.pop()
        removed += 1
        for nxt in succ.get(node, ()):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return removed < len(indegree)


@contextlib.contextmanager
def _recursion_limit(limit: int) -> Any:
    # Python 3.11+ does not use the C stack for Python-to-Python calls, so a higher
    # limit for formulas' pure-Python recursion is safe.
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


class _Circular:
    """Marker for a cell ``formulas`` resolved as part of a loop."""

    def __repr__(self) -> str:
        return "<circular>"


_CIRCULAR = _Circular()


def recalc(
    path: str | os.PathLike[str],
    inputs: dict[str, object] | None = None,
    cells: list[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Value]:
    """Recalculate a workbook headlessly and return the values of some cells.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook. It is never modified.
    inputs : dict, optional
        REF → value overriding cells before recalculation. REF is ``Sheet!A1`` (sheet
        names case-insensitive, quoted names allowed) or a single-cell defined name.
    cells : list of str, optional
        REFs to report (ranges and multi-cell names expand to their cells). Default:
        the cells of defined names starting with ``out_``; if none, every formula cell.
    limits : Limits, optional
        Bounds for untrusted files.

    Returns
    -------
    dict[str, float | str | bool | None]
        ``"Sheet!A1"`` (sheet as written in the workbook) → value; Excel errors as
        their strings (``"#DIV/0!"``); empty cells as None.

    Raises
    ------
    WorkbookError
        Unsafe or unreadable file, unknown function, bad REF, circular reference.
    """
    calc = Recalculation(path, limits=limits)
    return calc.values(inputs, cells)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-function-names"]:
        write_function_names()
