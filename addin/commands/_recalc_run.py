"""The bodies of ``llm-tco recalc`` and ``llm-tco check``, and their run without typer.

:mod:`addin.commands.recalc` declares the two commands to typer and calls
:func:`run_recalc` / :func:`run_check`. :func:`fast_main` runs the same functions straight
from ``sys.argv`` when the arguments are ones it reads exactly as click would (the
options each command declares, spelled out, values converted by the same ``int``,
``float`` and ``Path`` click and typer use); anything else (``--help``, an unknown or
repeated option, a value click would refuse) is left to typer, which gives its usual
answer. Importing typer and click, and typer reading the command's signature, is 35-40 ms
of a cold ``llm-tco recalc`` on a small workbook (0.15 s in all).

Exit codes: 0 ok, 1 ``check`` found stale cells, 2 the file, a cell or an argument is bad
(one line on stderr naming the file, the cell and the reason; never a traceback).
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from addin.commands._plain import (
    DEFAULT_MAX_MEMORY_MIB,
    DEFAULT_TIMEOUT_S,
    EXIT_BAD_INPUT,
    EXIT_CHECK_FAILED,
    EXIT_OK,
    FORMATS,
    Exit,
    bad_input_exits,
    bounded,
    echo,
    fail,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from templates.recalc.xlsx_safety import Limits

#: ``--max-formulas``: the default is ``Limits.max_formula_cells``.
_DEFAULT_MAX_FORMULAS = 2_000_000

_FORMATS = FORMATS


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


def _json_object(values: dict[str, object]) -> str:
    """``json.dumps(values, indent=2)`` for a mapping of scalars, by the C encoder (the
    pure-Python one that ``indent`` selects was a fifth of printing 10,000 cells)."""
    if not values or not all(v is None or type(v) in (float, str, bool, int)
                             for v in values.values()):
        return json.dumps(values, indent=2, allow_nan=False)
    body = json.dumps(values, separators=(",\n  ", ": "), allow_nan=False)
    return "{\n  " + body[1:-1] + "\n}"


def _print_values(values: dict[str, object], fmt: str, title: str) -> None:
    if fmt == "json":
        echo(_json_object(values))
    elif fmt == "csv":
        buf = io.StringIO()
        import csv

        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["cell", "value"])
        writer.writerows((ref, "" if v is None else v) for ref, v in values.items())
        echo(buf.getvalue(), nl=False)
    elif not sys.stdout.isatty():
        # Piped (CI logs, loops, files): aligned plain text. Rich's import alone is a
        # quarter of a small workbook's whole run, and box drawing does not help grep.
        refs = list(values)
        shown = [_shown(v) for v in values.values()]
        width = max(len("cell"), max(map(len, refs), default=0))
        vwidth = max(len("value"), max(map(len, shown), default=0))
        lines = [title, f"{'cell':<{width}}  {'value':>{vwidth}}"]
        lines += [f"{r:<{width}}  {v:>{vwidth}}" for r, v in zip(refs, shown, strict=True)]
        echo("\n".join(lines))
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


def run_recalc(
    book: Path,
    set_: list[str] | None = None,
    cells: list[str] | None = None,
    output: Path | None = None,
    in_place: bool = False,
    format: str = "table",
    timeout: float = DEFAULT_TIMEOUT_S,
    max_memory: int = DEFAULT_MAX_MEMORY_MIB,
    max_formulas: int = _DEFAULT_MAX_FORMULAS,
) -> None:
    """``llm-tco recalc``: recalculate ``book`` and print cells (see the command's help)."""
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


def run_check(
    books: list[Path],
    rtol: float = 1e-9,
    format: str = "table",
    timeout: float = DEFAULT_TIMEOUT_S,
    max_memory: int = DEFAULT_MAX_MEMORY_MIB,
    max_formulas: int = _DEFAULT_MAX_FORMULAS,
) -> None:
    """``llm-tco check``: compare stored values with a recalculation; raises :class:`Exit`
    with 0 (all fresh), 1 (a workbook is stale) or 2 (one could not be read)."""
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
        except Exit:
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
        echo(json.dumps(payload[0] if len(books) == 1 and payload else payload,
                        indent=2, default=str))
    elif format == "csv":
        # One row per stale cell; a fresh workbook is one row with a blank cell.
        buf = io.StringIO()
        import csv

        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["path", "checked", "ok", "cell", "stored", "computed"])
        for r in reports:
            for s in r.stale or [None]:
                w.writerow([r.path, r.checked, r.ok, *((s.ref, s.stored, s.computed)
                                                     if s else ("", "", ""))])
        echo(buf.getvalue(), nl=False)
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
            echo("\n".join(lines))
    raise Exit(worst)


# --- without typer ---------------------------------------------------------------------

#: An option's kind: "flag" (no value), "multiple" (repeatable text) or the converter click
#: applies to its value: ``str``, ``int``, ``float`` or ``Path`` (click.Path, then typer's
#: ``Path(value)``).
_Kind = object

#: Each command's options as declared in :mod:`addin.commands.recalc` (option → parameter,
#: kind), its positional parameter, and whether that takes one value or any number.
#: tests/addin/test_cli_fast_path.py checks this against the command typer builds.
COMMANDS: dict[str, tuple[dict[str, tuple[str, _Kind]], str, bool]] = {
    "recalc": ({
        "--set": ("set_", "multiple"), "--cells": ("cells", "multiple"),
        "-o": ("output", Path), "--output": ("output", Path),
        "--in-place": ("in_place", "flag"), "--format": ("format", str),
        "--timeout": ("timeout", float), "--max-memory": ("max_memory", int),
        "--max-formulas": ("max_formulas", int),
    }, "book", False),
    "check": ({
        "--rtol": ("rtol", float), "--format": ("format", str),
        "--timeout": ("timeout", float), "--max-memory": ("max_memory", int),
        "--max-formulas": ("max_formulas", int),
    }, "books", True),
}

_RUNS: dict[str, Callable[..., None]] = {"recalc": run_recalc, "check": run_check}


def _path(value: str) -> Path | None:
    """``value`` as click.Path (exists=False, readable=True) then typer give it, or None
    where click would refuse it or do something this does not repeat."""
    if not value or "\0" in value:
        return None
    try:
        os.stat(value)
    except OSError:
        return Path(value)  # need not exist
    except ValueError:
        return None
    if not os.access(value, os.R_OK):
        return None  # click: "... is not readable."
    return Path(value)


def parse_args(command: str, argv: list[str]) -> dict[str, Any] | None:
    """The keyword arguments typer would call ``command``'s function with for ``argv``
    (the words after the command's name), or None to leave ``argv`` to typer.

    Read here: each declared option spelled out (``--format json``, ``--format=json``,
    ``-o FILE``), flags, repeatable options, positional values anywhere. Left to typer:
    ``--help``, ``--``, anything else starting with ``-``, an option given twice, a value
    that starts with ``-`` after a space, a value click would not convert, a missing or
    extra positional value.

    Examples
    --------
    >>> parse_args("recalc", ["b.xlsx", "--format=json", "--set", "A1=2"])
    {'format': 'json', 'set_': ['A1=2'], 'book': PosixPath('b.xlsx')}
    >>> parse_args("recalc", ["b.xlsx", "--help"]) is None
    True
    """
    spec = COMMANDS.get(command)
    if spec is None:
        return None
    options, positional, many = spec
    values: dict[str, Any] = {}
    given: set[str] = set()
    paths: list[Path] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("-"):
            path = _path(arg)
            if path is None:
                return None
            paths.append(path)
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in options:
            return None
        param, kind = options[name]
        if kind == "flag":
            if eq:
                return None  # click: "Option '--in-place' does not take a value."
            values[param] = True
            continue
        if not eq:
            if i >= len(argv) or argv[i].startswith("-"):
                return None
            value = argv[i]
            i += 1
        if kind == "multiple":
            values.setdefault(param, []).append(value)
            continue
        if param in given:
            return None
        given.add(param)
        if kind is Path:
            converted = _path(value)
            if converted is None:
                return None
        else:
            try:
                converted = kind(value)
            except ValueError:
                return None
        values[param] = converted
    if not paths or (len(paths) > 1 and not many):
        return None
    values[positional] = paths if many else paths[0]
    return values


def fast_main(argv: list[str]) -> bool:
    """Run ``llm-tco recalc …`` or ``llm-tco check …`` (``argv`` without the program name)
    as typer would, without importing it; False (nothing done) when :func:`parse_args`
    leaves ``argv`` to typer.

    Exceptions end the process as typer's own ``main`` ends it: :class:`Exit` with its
    code, a closed stdout pipe exit 1 with nothing more printed, Ctrl-C exit 130, end of
    input "Aborted!" and exit 1; anything else is a traceback.
    """
    if not argv:
        return False
    kwargs = parse_args(argv[0], argv[1:])
    if kwargs is None:
        return False
    try:
        _RUNS[argv[0]](**kwargs)
    except KeyboardInterrupt:
        sys.exit(130)
    except EOFError:
        print(file=sys.stderr)
        print("Aborted!", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        from click import utils  # as typer's main: no complaint when the streams close

        pacify: Any = utils.PacifyFlushWrapper
        sys.stdout, sys.stderr = pacify(sys.stdout), pacify(sys.stderr)
        sys.exit(1)
    return True
