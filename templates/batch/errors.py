"""Errors of the batch path: bad arguments name the argument; bad files name the file.

``BatchInputError`` is an :class:`engine.errors.InputError` (a ``ValueError``) so the CLI
maps it to exit code 2 like every other bad input. Workbook problems use the runtime's
``templates.errors.WorkbookError(path, reason, cell=None)`` when that module exists, and
:class:`BatchWorkbookError` (same signature) until then.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError


class BatchInputError(InputError):
    """A sweep/simulate argument broke a rule: ``argument`` names it, ``rule`` says why."""


class BatchWorkbookError(ValueError):
    """The workbook cannot be used: names the file, the reason and, if known, the cell."""

    def __init__(self, path: str | Path, reason: str, cell: str | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.cell = cell
        where = f" ({cell})" if cell else ""
        super().__init__(f"{self.path}{where}: {reason}")


def workbook_error(path: str | Path, reason: str, cell: str | None = None) -> Exception:
    """Return the project's workbook error (``templates.errors.WorkbookError`` if present)."""
    try:
        from templates.errors import WorkbookError
    except ImportError:
        return BatchWorkbookError(path, reason, cell)
    try:
        return WorkbookError(path, reason, cell=cell)
    except TypeError:  # a different signature than agreed: do not lose the message
        return BatchWorkbookError(path, reason, cell)
