"""``llm-tco recalc`` and ``llm-tco check``: headless workbook recalculation for people and CI.

Exit codes: 0 ok, 1 ``check`` found stale cells, 2 the file, a cell or an argument is bad
(one line on stderr naming the file, the cell and the reason; never a traceback).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from addin.commands._common import (
    DEFAULT_MAX_MEMORY_MIB,
    DEFAULT_TIMEOUT_S,
    EXIT_BAD_INPUT,
    EXIT_CHECK_FAILED,
    EXIT_OK,
    FORMATS,
    Format,
    MaxMemory,
    Timeout,
    bad_input_exits,
    bounded,
    fail,
)

if TYPE_CHECKING:
    from templates.recalc.xlsx_safety import Limits

_FORMATS = FORMATS

#: ``--max-formulas``: the default is ``Limits.max_formula_cells``.
_DEFAULT_MAX_FORMULAS = 2_000_000
MaxFormulas = Annotated[int, typer.Option(
    "--max-formulas", metavar="N",
    help="Refuse a workbook above N formula cells (exit 2); N above the default also allows "
    "2 × N cells in all.")]


def _limits(max_formulas: int) -> Limits:
    """``Limits`` for ``--max-formulas N`` (the defaults when N is the default)."""
    from templates.recalc.xlsx_safety import DEFAULT_LIMITS

    if max_formulas < 1:
        fail(f"--max-formulas {max_formulas}: must be a whole number of at least 1")
    if max_formulas == DEFAULT_LIMITS.max_formula_cells:
        return DEFAULT_LIMITS
    return DEFAULT_LIMITS.with_max_formulas(max_formulas)


def _parse_value(text: str) -> object:
    """``--set`` values: numbers, TRUE/FALSE, "quoted text" or bare text.

    Examples
    --------
    >>> _parse_value("1.5e6"), _parse_value("TRUE"), _parse_value('"12"'), _parse_value("gpt-4o")
    (1500000.0, True, '12', 'gpt-4o')
    """
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE"
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped[1:-1].replace('""', '"')
    try:
        return float(stripped.replace("_", ""))
    except ValueError:
        return text


def _parse_sets(sets: list[str] | None) -> dict[str, object]:
    inputs: dict[str, object] = {}
    for item in sets or []:
        ref, sep, value = item.partition("=")
        if not sep or not ref.strip():
            fail(f"--set {item!r}: expected REF=VALUE, e.g. Inputs!B2=5e6")
        inputs[ref.strip()] = _parse_value(value)
    return inputs


def _shown(v: object) -> str:
    """A value for people: whole numbers with separators, amounts to the cent, small
    fractions with 6 significant digits (JSON and CSV carry full precision)."""
    if v is None:
        return ""
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return f"{v:,.0f}"
        return f"{v:,.2f}" if 1 <= abs(v) < 1e15 else f"{v:.6g}"
    return str(v)


def _print_values(values: dict[str, object], fmt: str, title: str) -> None:
    if fmt == "json":
        typer.echo(json.dumps(values, indent=2, allow_nan=False))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["cell", "value"])
        writer.writerows((ref, "" if v is None else v) for ref, v in values.items())
        typer.echo(buf.getvalue(), nl=False)
    elif not sys.stdout.isatty():
        # Piped (CI logs, loops, files): aligned plain text. Rich's import alone is a
        # quarter of a small workbook's whole run, and box drawing does not help grep.
        refs = list(values)
        shown = [_shown(v) for v in values.values()]
        width = max(len("cell"), max(map(len, refs), default=0))
        vwidth = max(len("value"), max(map(len, shown), default=0))
        lines = [title, f"{'cell':<{width}}  {'value':>{vwidth}}"]
        lines += [f"{r:<{width}}  {v:>{vwidth}}" for r, v in zip(refs, shown, strict=True)]
        typer.echo("\n".join(lines))
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console()
        console.print(title, markup=False, highlight=False)  # a long path is not wrapped
        table = Table()
        table.add_column("cell", no_wrap=True)
        table.add_column("value", justify="right")
        for ref, v in values.items():
            table.add_row(ref, _shown(v))
        console.print(table)


def _notes(notes: list[str], path: str) -> None:
    for note in notes:
        print(f"llm-tco: note: {path}: {note}", file=sys.stderr)


_MAX_DEGRADED_NOTES = 20
def _degraded_notes(degraded: dict[str, str], path: str) -> None:
    """One line per cell the engine cannot compute (it keeps Excel's stored value)."""
    items = list(degraded.items())
    for ref, why in items[:_MAX_DEGRADED_NOTES]:
        print(f"llm-tco: note: {path}: {ref} keeps its stored value: {why}", file=sys.stderr)
    if len(items) > _MAX_DEGRADED_NOTES:
        from collections import Counter

        rest = Counter(why for _, why in items[_MAX_DEGRADED_NOTES:])
        top = "; ".join(f"{why} ({n})" for why, n in rest.most_common(3))
        print(f"llm-tco: note: {path}: {len(items) - _MAX_DEGRADED_NOTES} more cells keep "
              f"their stored values: {top}", file=sys.stderr)


def _keyed_as_asked(calc: object, cells: list[str] | None,
                    values: dict[str, object]) -> dict[str, object]:
    """Key each value by the reference the user wrote when it names one cell
    (``--cells in_x`` → ``"in_x"``); ranges and multi-cell names keep cell keys."""
    if not cells:
        return values
    out: dict[str, object] = {}
    for ref in cells:
        resolved = calc.resolve(ref)  # type: ignore[attr-defined]
        if len(resolved) == 1:
            out[ref] = values[resolved[0]]
        else:
            out.update((r, values[r]) for r in resolved)
    return out


def register(app: typer.Typer) -> None:
    """Add ``recalc`` and ``check`` to the command line."""

    @app.command()
    def recalc(
        book: Annotated[Path, typer.Argument(metavar="BOOK", help="The workbook (.xlsx/.xlsm).")],
        set_: Annotated[
            list[str] | None,
            typer.Option("--set", metavar="REF=VALUE",
                         help="REF=VALUE to set before recalculating (repeatable)."),
        ] = None,
        cells: Annotated[
            list[str] | None,
            typer.Option("--cells", metavar="REF",
                         help="REF to print (repeatable). Default: out_* names."),
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", metavar="FILE",
                         help="Write a copy with the computed values."),
        ] = None,
        in_place: Annotated[
            bool, typer.Option("--in-place", help="Write computed values into BOOK.")
        ] = False,
        format: Format = "table",
        timeout: Timeout = DEFAULT_TIMEOUT_S,
        max_memory: MaxMemory = DEFAULT_MAX_MEMORY_MIB,
        max_formulas: MaxFormulas = _DEFAULT_MAX_FORMULAS,
    ) -> None:
        """Recalculate BOOK without Excel and print cells (Excel errors as #N/A etc.).

        REF is Sheet!A1 (sheet case-insensitive, 'Quoted name'!A1 allowed) or a defined
        name. The input file changes only with --in-place, and then atomically.
        """
        with bad_input_exits(any_error=True):
            if format not in _FORMATS:
                fail(f"--format {format!r}: must be one of {', '.join(_FORMATS)}")
            if output is not None and in_place:
                fail("use either -o/--output or --in-place, not both")
            inputs = _parse_sets(set_)
            limits = _limits(max_formulas)
            from templates.recalc import Recalculation

            with bounded(timeout, max_memory, str(book)):
                calc = Recalculation(book, limits=limits)
                shown = _keyed_as_asked(calc, cells, calc.values(inputs, cells))
                # after the calculation: iteration and circular-reference notes come from it
                _notes(calc.checked.notes, calc.path)
                _degraded_notes(calc.degraded, calc.path)
            if output is not None or in_place:
                from templates.recalc.writeback import write_back  # only when writing

                write_back(book, output, in_place=in_place, inputs=inputs, recalculation=calc)
            _print_values(shown, format, title=str(book))

    @app.command()
    def check(
        books: Annotated[
            list[Path], typer.Argument(metavar="BOOK...",
                                       help="Workbooks (.xlsx/.xlsm); shell globs welcome.")
        ],
        rtol: Annotated[float, typer.Option(
            metavar="RTOL", help="Relative tolerance for numbers.")] = 1e-9,
        format: Format = "table",
        timeout: Timeout = DEFAULT_TIMEOUT_S,
        max_memory: MaxMemory = DEFAULT_MAX_MEMORY_MIB,
        max_formulas: MaxFormulas = _DEFAULT_MAX_FORMULAS,
    ) -> None:
        """Exit 0 if every stored formula value matches a recalculation, 1 if a workbook is
        stale, 2 if one cannot be read. Lists each stale cell with both values."""
        with bad_input_exits(any_error=True):
            if format not in _FORMATS:
                fail(f"--format {format!r}: must be one of {', '.join(_FORMATS)}")
            if not rtol >= 0:
                fail(f"--rtol {rtol}: must be >= 0")
            limits = _limits(max_formulas)
        from templates.recalc.check import check as check_workbook

        reports, worst = [], EXIT_OK
        for i, book in enumerate(books):
            if i:
                import gc

                gc.collect()  # the previous workbook's structures (the CLI runs without gc)
            try:
                with bad_input_exits(any_error=True), bounded(timeout, max_memory, str(book)):
                    result = check_workbook(book, rtol=rtol, limits=limits)
            except typer.Exit:
                # Already reported on stderr; go on with the other workbooks.
                worst = EXIT_BAD_INPUT
                continue
            _notes(result.notes, result.path)
            _degraded_notes(result.degraded, result.path)
            if not result.ok and worst == EXIT_OK:
                worst = EXIT_CHECK_FAILED
            reports.append(result)
        if format == "json":
            payload = [{
                "path": r.path, "checked": r.checked, "ok": r.ok,
                "stale": [{"cell": s.ref, "stored": s.stored, "computed": s.computed}
                          for s in r.stale],
            } for r in reports]
            typer.echo(json.dumps(payload[0] if len(books) == 1 and payload else payload,
                                  indent=2, default=str))
        elif format == "csv":
            # One row per stale cell; a fresh workbook is one row with a blank cell.
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["path", "checked", "ok", "cell", "stored", "computed"])
            for r in reports:
                for s in r.stale or [None]:
                    w.writerow([r.path, r.checked, r.ok, *((s.ref, s.stored, s.computed)
                                                         if s else ("", "", ""))])
            typer.echo(buf.getvalue(), nl=False)
        else:
            # One write: a hundred thousand stale cells are as many lines.
            lines = []
            for r in reports:
                if r.ok:
                    lines.append(f"{r.path}: {r.checked} formula cells, all fresh")
                    continue
                lines.append(f"{r.path}: {len(r.stale)} of {r.checked} formula cells are "
                             "stale (stored value differs from recalculation):")
                lines.extend(f"  {s}" for s in r.stale)
            if lines:
                typer.echo("\n".join(lines))
        raise typer.Exit(worst)
