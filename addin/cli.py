"""The ``llm-tco`` command line.

Exit codes CI can trust: 0 ok, 1 a check failed, 2 bad input (file, cell or argument named).
Each command lives in ``addin.commands.<name>`` and adds itself with ``register(app)``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="llm-tco",
    help="What LLMs really cost: API vs self-hosting vs hybrid, in Excel and from the terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _root(
    catalog: Annotated[Path | None, typer.Option(
        "--catalog", metavar="FILE",
        help="User catalog file (models, GPUs, API prices) merged over the bundled one.")] = None,
) -> None:
    """What LLMs really cost: API vs self-hosting vs hybrid, in Excel and from the terminal."""
    importlib.import_module("addin.commands.catalog").use_catalog_option(catalog)


# Order is the order in --help.
_COMMAND_MODULES = ("report", "template", "prices", "catalog", "recalc", "batch", "functions",
                    "addin")

for _name in _COMMAND_MODULES:
    importlib.import_module(f"addin.commands.{_name}").register(app)
# --help shows metavars (FILE, REF=VALUE, N), never Python type names such as <list[str]>.
importlib.import_module("addin.commands._common").plain_help(app)


def main() -> None:
    """Entry point of the console script."""
    import atexit
    import gc

    # The process ends right after the command: the interpreter's last garbage collection
    # would only walk the recalculated workbook's millions of objects (2.5 s for a
    # 100,000-formula chain) to free memory the OS takes back anyway.
    atexit.register(gc.freeze)
    app()
