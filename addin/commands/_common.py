"""What every command shares: error reporting with CI-trustworthy exit codes."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import typer
import typer.core

#: Exit codes: 0 ok, 1 a check failed, 2 bad input.
EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def fail(message: str) -> None:
    """One line on stderr (whitespace folded) and exit code 2."""
    print(f"llm-tco: error: {' '.join(str(message).split())}", file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT)


@contextlib.contextmanager
def bad_input_exits(any_error: bool = False) -> Iterator[None]:
    """Turn bad arguments (``InputError``) and unusable files (``WorkbookError``, ``OSError``)
    into one line on stderr naming the argument or file and the rule, and exit code 2.

    ``any_error``: also for unexpected exceptions (commands handed untrusted workbooks:
    never a traceback for a file we were given).
    """
    from engine.errors import InputError
    from templates.recalc.errors import WorkbookError

    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except (InputError, WorkbookError) as exc:
        fail(str(exc))
    except BrokenPipeError:  # `llm-tco … | head`: the reader left; not an error
        sys.stdout = None  # type: ignore[assignment]  # no second complaint at exit
        raise typer.Exit(0) from None
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    except Exception as exc:
        if not any_error:
            raise
        fail(f"unexpected {type(exc).__name__}: {exc}")


# --format, defined once: every command that prints data takes table, json or csv.
FORMATS = ("table", "json", "csv")
Format = Annotated[str, typer.Option("--format", metavar="table|json|csv",
                                     help="Output: table, json or csv.")]


def check_format(value: str, allowed: tuple[str, ...] = FORMATS) -> str:
    """``value`` if it is one of ``allowed``, else one line on stderr and exit code 2."""
    if value not in allowed:
        fail(f"--format {value!r}: must be one of {', '.join(allowed)}")
    return value


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


#: Default wall-clock bound of one recalc/check/sweep/simulate run, in seconds (``--timeout``).
DEFAULT_TIMEOUT_S = 300.0
#: Default bound on the process's address space, in MiB (``--max-memory``): four times the
#: largest corpus workbook's peak with numpy loaded, far below a CI runner's memory.
DEFAULT_MAX_MEMORY_MIB = 4096

Timeout = Annotated[float, typer.Option(
    "--timeout", metavar="SECONDS", help="Wall-clock limit in seconds (0: none); exit 2 past it.")]
MaxMemory = Annotated[int, typer.Option(
    "--max-memory", metavar="MIB", help="Memory limit in MiB (0: none); exit 2 past it.")]


@contextlib.contextmanager
def bounded(seconds: float, max_memory_mib: int, what: str) -> Iterator[None]:
    """Run a workbook command inside a wall-clock and a memory bound.

    Past ``seconds`` (SIGALRM) or when an allocation would exceed ``max_memory_mib`` of
    address space (RLIMIT_AS, so the kernel refuses it and Python raises MemoryError), the
    command stops with a :class:`~templates.recalc.errors.WorkbookError` naming ``what`` and the
    bound: one line on stderr, exit 2, nothing written.
    """
    import signal

    from templates.recalc.errors import WorkbookError

    old_handler = None
    if seconds > 0 and hasattr(signal, "SIGALRM"):
        def expire(_signum: int, _frame: object) -> None:
            raise WorkbookError(what, f"took longer than {seconds:g} s (--timeout); "
                                "nothing was written")

        old_handler = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    old_limit = None
    try:
        import resource

        if max_memory_mib > 0:
            old_limit = resource.getrlimit(resource.RLIMIT_AS)
            cap = max_memory_mib * 1024 * 1024
            hard = old_limit[1]
            if hard == resource.RLIM_INFINITY or cap <= hard:
                resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):  # no rlimits here (Windows): time bound only
        old_limit = None
    try:
        yield
    except MemoryError:
        raise WorkbookError(what, f"needed more than {max_memory_mib:,} MiB (--max-memory); "
                            "nothing was written") from None
    finally:
        if old_handler is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
        if old_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, old_limit)
