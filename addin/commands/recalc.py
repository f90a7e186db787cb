"""``llm-tco recalc`` and ``llm-tco check``: headless workbook recalculation for people and CI.

Exit codes: 0 ok, 1 ``check`` found stale cells, 2 the file, a cell or an argument is bad
(one line on stderr naming the file, the cell and the reason; never a traceback).
The commands' bodies are in :mod:`addin.commands._recalc_run`, which also runs them
without typer (``addin.cli.main``) when the command line needs none of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from addin.commands import _recalc_run
from addin.commands._common import (
    DEFAULT_MAX_MEMORY_MIB,
    DEFAULT_TIMEOUT_S,
    Format,
    MaxMemory,
    Timeout,
)
from addin.commands._recalc_run import (  # noqa: F401 - the names tests and docs use
    _DEFAULT_MAX_FORMULAS,
    _parse_value,
    _print_values,
    _shown,
)

MaxFormulas = Annotated[int, typer.Option(
    "--max-formulas", metavar="N",
    help="Refuse a workbook above N formula cells (exit 2); N above the default also allows "
    "2 × N cells in all.")]


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
        _recalc_run.run_recalc(book, set_, cells, output, in_place, format, timeout,
                               max_memory, max_formulas)

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
        _recalc_run.run_check(books, rtol, format, timeout, max_memory, max_formulas)
