"""How many formula cells of a workbook come back with the value Excel stored.

``python -m templates.recalc.agreement BOOK… [--sheet S] [--show N]`` prints, per
workbook, the formula cells, how many agree with Excel's stored value (numbers to 1e-9
relative, text and logicals exactly, errors as the same error), which degraded per cell
and which differ. Cells calling volatile functions (TODAY, NOW, RAND …), and the cells
that read them, are left out: their values change with every recalculation.
The benchmark ``benchmarks/bench_corpus.py`` and the corpus test use :func:`agreement`.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from templates.recalc.errors import WorkbookError
from templates.recalc.values import ExcelError

__all__ = ["BookAgreement", "agreement", "same_value"]


def stored_as(error: Any) -> str:
    """The text Excel writes in the cell XML for an error value. Excel 365 saves #CALC!
    (and the other errors of dynamic arrays and data types) as ``#VALUE!`` in the cell,
    keeping the real error in the rich-value metadata (``xl/richData``), so older readers
    see an error they know."""
    text = str(error)
    return "#VALUE!" if text in ("#CALC!", "#GETTING_DATA") else text


def same_value(stored: Any, computed: Any) -> bool:
    """Excel's stored value and ours agree (numbers to 1e-9 relative)."""
    if stored is None:
        stored = 0.0 if computed == 0.0 else ""
        if computed in ("", None, 0.0):
            return True
    if type(stored) is ExcelError or type(computed) is ExcelError:
        return type(stored) is type(computed) and (
            str(stored) == str(computed) or stored_as(computed) == str(stored))
    if isinstance(stored, bool) or isinstance(computed, bool):
        return type(stored) is type(computed) and stored == computed
    if isinstance(stored, float) and isinstance(computed, float):
        return math.isclose(stored, computed, rel_tol=1e-9, abs_tol=1e-300) or (
            abs(stored - computed) < 1e-12 and max(abs(stored), abs(computed)) < 1e-6)
    return type(stored) is type(computed) and stored == computed


@dataclass
class BookAgreement:
    path: str
    formula_cells: int = 0
    volatile: int = 0
    agree: int = 0
    degraded: dict[str, str] = field(default_factory=dict)
    differ: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    refused: str = ""
    seconds: float = 0.0

    @property
    def counted(self) -> int:
        return self.formula_cells - self.volatile


def agreement(path: str, sheet: str | None = None) -> BookAgreement:
    """Recalculate ``path`` with the engine and compare every formula cell."""
    from templates.recalc.reader import read_book
    from templates.recalc.workbook import CircularReference, Workbook, cell_text

    out = BookAgreement(path)
    t0 = time.perf_counter()
    try:
        data = read_book(path)
    except WorkbookError as exc:
        out.refused = str(exc)
        return out
    stored: dict[tuple[str, int, int], Any] = {}
    for sd in data.sheets:
        for (r, c) in sd.formulas:
            stored[(sd.name, r, c)] = sd.values.get((r, c))
    try:
        wb = Workbook(data)
        values = wb.calculate()
    except CircularReference as exc:
        out.refused = str(exc)
        out.formula_cells = len(stored)
        out.seconds = time.perf_counter() - t0
        return out
    out.seconds = time.perf_counter() - t0
    # Cells reading a volatile cell change with it (=YEAR(TODAY()), statistics over
    # RAND() draws): they are left out like the volatile cells themselves.
    volatile = set(wb.volatile)
    todo = list(volatile)
    while todo:
        for k in wb.readers().get(todo.pop(), ()):
            if k not in volatile:
                volatile.add(k)
                todo.append(k)
    for key, exp in stored.items():
        if sheet is not None and key[0] != sheet:
            continue
        out.formula_cells += 1
        if key in volatile:
            out.volatile += 1
            continue
        if key in wb.degraded:
            out.degraded[cell_text(*key)] = wb.degraded[key]
            continue
        got = values.get(key)
        if same_value(exp, got):
            out.agree += 1
        else:
            out.differ.append((cell_text(*key), wb.cells[key].text, exp, got))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("books", nargs="+")
    ap.add_argument("--sheet")
    ap.add_argument("--show", type=int, default=20, help="differing cells to list per book")
    args = ap.parse_args(argv)
    tot = agree = 0
    for path in args.books:
        a = agreement(path, args.sheet)
        name = path.rsplit("/", 1)[-1]
        if a.refused:
            print(f"{name}: REFUSED {a.refused}")
            tot += a.counted
            continue
        print(f"{name}: {a.agree}/{a.counted} agree, {len(a.degraded)} degraded, "
              f"{len(a.differ)} differ, {a.volatile} volatile, {a.seconds:.2f} s")
        for cell, reason in list(a.degraded.items())[: args.show]:
            print(f"   degraded {cell}: {reason}")
        for cell, text, exp, got in a.differ[: args.show]:
            print(f"   differ {cell}: ={text[:90]}  excel={exp!r} ours={got!r}")
        tot += a.counted
        agree += a.agree
    if len(args.books) > 1:
        print(f"TOTAL {agree}/{tot} = {100 * agree / max(tot, 1):.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
