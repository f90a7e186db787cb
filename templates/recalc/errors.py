"""Errors raised by the workbook runtime: each names the file, the cell when there is one,
and the rule that was broken."""

from __future__ import annotations

import os


class WorkbookError(Exception):
    """A workbook cannot be read, recalculated or written safely.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook file the problem is in.
    reason : str
        What is wrong and which rule or limit it broke, in one line.
    cell : str, optional
        The cell (``"Sheet!A1"``) the problem is in, when there is one.

    Examples
    --------
    >>> str(WorkbookError("model.xlsx", "unknown function FOO", cell="Inputs!B2"))
    'model.xlsx: Inputs!B2: unknown function FOO'
    """

    def __init__(self, path: str | os.PathLike[str], reason: str, cell: str | None = None):
        self.path = os.fspath(path)
        self.reason = reason
        self.cell = cell
        where = f"{self.path}: {cell}: " if cell else f"{self.path}: "
        # One line: CI logs and the CLI print it as is.
        super().__init__((where + reason).replace("\n", " "))


class CircularReferenceError(WorkbookError):
    """Formulas refer to each other in a loop and the workbook does not enable iteration."""

    def __init__(self, path: str | os.PathLike[str], cells: list[str]):
        self.cells = list(cells)
        shown = ", ".join(self.cells[:20]) + (" …" if len(self.cells) > 20 else "")
        super().__init__(
            path,
            f"circular reference between {shown}; enable iterative calculation in the "
            "workbook (File > Options > Formulas) or break the loop",
            cell=self.cells[0] if self.cells else None,
        )
