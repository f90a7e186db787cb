"""Corpus checks for one function family, through the real engine.

Each outside workbook in ``../shared/corpus`` is recalculated with
:class:`templates.recalc.workbook.Workbook`; a formula cell counts for a family when
every function it calls is registered and at least one belongs to the family. The
reference is the value Excel stored in the file (numbers to ``rel`` relative).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[4] / ".." / "shared" / "corpus"


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():  # CI has ../shared beside the project: never skip there
        raise FileNotFoundError(f"corpus workbook {path} is missing (../shared/corpus)")
    return path


def _names(node: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(node, tuple) and node:
        if node[0] == "fn":
            out.add(node[1])
        for x in node[1:]:
            if isinstance(x, tuple):
                out |= _names(x)
    return out


@cache
def _computed(name: str) -> tuple[Any, dict]:
    from templates.recalc.reader import read_book
    from templates.recalc.workbook import Workbook

    wb = Workbook(read_book(str(corpus_file(name))))
    return wb, wb.calculate()


def _same(got: Any, exp: Any, rel: float) -> bool:
    if exp is None:
        return got in (None, 0.0, "")
    if isinstance(got, float) and isinstance(exp, float) and not isinstance(got, bool) \
            and not isinstance(exp, bool):
        return math.isclose(got, exp, rel_tol=rel, abs_tol=1e-15)
    return type(got) is type(exp) and got == exp


def mismatches(name: str, family: set[str], sheets: tuple[str, ...] = (),
               rel: float = 1e-9, rel_for: dict[str, float] | None = None) -> tuple[int, list]:
    """(cells checked, [(cell, formula, ours, Excel's)]) for the family's cells."""
    from templates.recalc.parser import FormulaSyntaxError, parse
    from templates.recalc.registry import FUNCTIONS
    from templates.recalc.workbook import cell_text

    wb, values = _computed(name)
    checked, bad = 0, []
    for key, cell in wb.cells.items():
        if sheets and key[0] not in sheets:
            continue
        try:
            used = _names(parse(cell.text))
        except FormulaSyntaxError:
            continue
        if not used & family or not used <= FUNCTIONS.keys():
            continue
        tol = max([rel] + [(rel_for or {}).get(n, rel) for n in used])
        checked += 1
        got = values.get(key)
        if key in wb.degraded or not _same(got, cell.stored, tol):
            bad.append((cell_text(*key), cell.text, wb.degraded.get(key, got), cell.stored))
    return checked, bad
