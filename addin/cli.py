"""The ``llm-tco`` command line.

Exit codes CI can trust: 0 ok, 1 a check failed, 2 bad input (file, cell or argument named).
Each command lives in ``addin.commands.<name>`` and adds itself with ``register(app)``;
``main`` registers only the command it runs, and runs ``recalc`` and ``check`` without
typer at all when their arguments need none of it (:mod:`addin.commands._recalc_run`).
"""

from __future__ import annotations

import importlib
from pathlib import Path

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

    import typer


def _new_app() -> typer.Typer:
    # A module global: typer evaluates the callback's annotations (text, as every
    # annotation here) in this module's namespace. Imported here, not at the top, so that
    # `recalc` and `check` can run without it.
    global typer, Annotated
    from typing import Annotated

    import typer

    app = typer.Typer(
        name="llm-tco",
        help="What LLMs really cost: API vs self-hosting vs hybrid, in Excel and from the "
             "terminal.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        suggest_commands=False,  # click (>= 8.2) suggests close names itself
        # Plain click help and errors: typer's rich panels import rich.markdown and
        # markdown-it, 0.16 s before the first line of `--help` is printed.
        rich_markup_mode=None,
    )

    @app.callback()
    def _root(
        catalog: Annotated[Path | None, typer.Option(
            "--catalog", metavar="FILE",
            help="User catalog file (models, GPUs, API prices) merged over the bundled one."
        )] = None,
    ) -> None:
        """What LLMs really cost: API vs self-hosting vs hybrid, in Excel and from the
        terminal."""
        importlib.import_module("addin.commands.catalog").use_catalog_option(catalog)

    return app


# Command → the module that registers it; the order is the order in --help.
_COMMANDS = {
    "report": "report", "template": "template", "prices": "prices", "catalog": "catalog",
    "recalc": "recalc", "check": "recalc", "sweep": "batch", "simulate": "batch",
    "functions": "functions", "addin": "addin",
}


def build_app(command: str | None = None) -> typer.Typer:
    """The command line with every command, or with only the module of ``command``.

    Typer reads the signature and type hints of every registered command before it runs
    one (50 ms for all of them, a quarter of a small workbook's ``recalc``), so a run that
    names a known command registers just that command's module.
    """
    app = _new_app()
    names = [_COMMANDS[command]] if command in _COMMANDS else dict.fromkeys(_COMMANDS.values())
    for name in names:
        importlib.import_module(f"addin.commands.{name}").register(app)
    # --help shows metavars (FILE, REF=VALUE, N), never Python type names (<list[str]>).
    importlib.import_module("addin.commands._common").plain_help(app)
    return app


def _command_of(argv: list[str]) -> str | None:
    """The command named on a command line (after the global ``--catalog FILE``)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--catalog":
            i += 2
            continue
        if arg.startswith("-"):
            return None  # --help, --catalog=FILE …: let the full command line answer
        return arg
    return None


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole command line, for tests and documentation tools
        app = build_app()
        globals()["app"] = app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point of the console script."""
    import atexit
    import gc
    import sys

    # One command, then the process ends: no cyclic garbage collection while it runs. A
    # compiled workbook is millions of long-lived objects; each collection the allocator
    # triggers walks them all (seconds on a million formula cells) and frees nothing, as
    # they live to the end. Reference counting still frees what dies, commands that go on
    # to another workbook collect once in between (check), and --max-memory bounds the
    # rest. At exit, the interpreter's last collection would only walk the same objects
    # (2.5 s for a 100,000-formula chain) to free memory the OS takes back anyway.
    gc.disable()
    atexit.register(gc.freeze)
    argv = sys.argv[1:]
    if argv[:1] in (["recalc"], ["check"]):
        # typer and click, and typer reading the signature, are 35-40 ms of a 0.15 s run
        from addin.commands._recalc_run import fast_main

        if fast_main(argv):
            return
    build_app(_command_of(argv))(prog_name="llm-tco")
