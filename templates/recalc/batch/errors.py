"""Errors of the batch path: bad arguments name the argument; bad files name the file.

``BatchInputError`` is an :class:`engine.errors.InputError` (a ``ValueError``) so the CLI
maps it to exit code 2 like every other bad input. Workbook problems are the runtime's
``templates.recalc.errors.WorkbookError(path, reason, cell=None)``.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError
from templates.recalc.errors import WorkbookError


class BatchInputError(InputError):
    """A sweep/simulate argument broke a rule: ``argument`` names it, ``rule`` says why."""


def workbook_error(path: str | Path, reason: str, cell: str | None = None) -> WorkbookError:
    """The runtime's workbook error, naming the file, the reason and, if known, the cell."""
    return WorkbookError(path, reason, cell=cell)
