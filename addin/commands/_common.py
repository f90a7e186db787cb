"""What every command shares: typer option types and help without Python type names; the
parts that need no typer (exit codes, one-line errors, bounds, echo) live in
:mod:`addin.commands._plain` and are re-exported here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
import typer.core

from addin.commands._plain import (  # noqa: F401 - re-exported for every command
    DEFAULT_MAX_MEMORY_MIB,
    DEFAULT_TIMEOUT_S,
    EXIT_BAD_INPUT,
    EXIT_CHECK_FAILED,
    EXIT_OK,
    FORMATS,
    Exit,
    bad_input_exits,
    bounded,
    check_format,
    echo,
    fail,
)

# --format, defined once: every command that prints data takes table, json or csv.
Format = Annotated[str, typer.Option("--format", metavar="table|json|csv",
                                     help="Output: table, json or csv.")]


def csv_text(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """Rows as CSV text with a header line (``\\n`` line ends, blanks for None)."""
    import csv
    import io

    cols = columns or list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, cols, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if r.get(k) is None else r.get(k) for k in cols})
    return buf.getvalue()


def _no_type_names(param: Any) -> None:
    """Typer (0.2x) prints a Python type in --help (``<bool>``, ``<list[str]>``, ``<path>``)
    where no metavar is given, and for arguments and the built-in ``--help`` even then.
    Flags take no value, so they show none; arguments show their metavar (the name column)
    and no type; options show their metavar."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.metavar = ""
    if getattr(param, "param_type_name", "") == "argument" and hasattr(
            param, "display_type_rich"):
        param.display_type_rich = lambda ctx: None


class PlainHelpCommand(typer.core.TyperCommand):
    """A command whose --help shows metavars (FILE, REF=VALUE, N), never Python types."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for p in params:
            _no_type_names(p)
        return params


class PlainHelpGroup(typer.core.TyperGroup):
    """A command group whose --help shows no Python type names (see PlainHelpCommand)."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for p in params:
            _no_type_names(p)
        return params


def plain_help(app: typer.Typer) -> typer.Typer:
    """Give ``app``, its commands and its sub-groups help without Python type names
    (call after every command is registered)."""
    app.info.cls = app.info.cls or PlainHelpGroup
    for cmd in app.registered_commands:
        if cmd.cls is None or cmd.cls is typer.core.TyperCommand:
            cmd.cls = PlainHelpCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            plain_help(group.typer_instance)
        group.cls = group.cls or PlainHelpGroup
    return app


#: A table column: header, "left" or "right", and the cell text of one item.
Column = tuple[str, str, Callable[[Any], str]]


def print_fitted_table(title: str, columns: list[Column], items: list[Any],
                       console: Any = None) -> list[str]:
    """Print ``items`` as a table that fits the terminal (80 columns in CI): columns are
    kept in order while they fit whole, headers never cut; the names of the columns left
    out are returned (and named under the table: --format json or csv has them all)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    cells = [[fn(it) for _, _, fn in columns] for it in items]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, (h, _, _) in
              enumerate(columns)]
    kept, used = 0, 1  # rich: 1 for the left border, 3 per column (padding and border)
    for w in widths:
        if kept >= 2 and used + w + 3 > console.width:
            break
        used, kept = used + w + 3, kept + 1
    t = Table(title=title)
    for i, (h, justify, _) in enumerate(columns[:kept]):
        t.add_column(h, justify=justify, no_wrap=i > 0, min_width=widths[i] if i else None,
                     overflow="fold")
    for r in cells:
        t.add_row(*r[:kept])
    console.print(t)
    dropped = [h for h, _, _ in columns[kept:]]
    if dropped:
        console.print(f"Not shown at this width: {', '.join(dropped)} (--format json or csv "
                      "has every field).")
    return dropped


Timeout = Annotated[float, typer.Option(
    "--timeout", metavar="SECONDS", help="Wall-clock limit in seconds (0: none); exit 2 past it.")]
MaxMemory = Annotated[int, typer.Option(
    "--max-memory", metavar="MIB", help="Memory limit in MiB (0: none); exit 2 past it.")]

