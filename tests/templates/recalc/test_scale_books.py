"""The scale benchmark's workbooks (benchmarks/scale_books.py), small, recalculated cell by
cell against their plain-Python references; and the formula-cell limit on the command line.

Correctness only: the timings are benchmarks/bench_scale.py's (issue 15, item 3).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from addin.commands.recalc import _DEFAULT_MAX_FORMULAS, register
from templates.recalc import Recalculation
from templates.recalc.parser import col_letters
from templates.recalc.xlsx_safety import DEFAULT_LIMITS, Limits

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
import scale_books  # benchmarks/ is not a package: imported from its directory


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def run_cli(*args: object):
    return CliRunner().invoke(_app(), [str(a) for a in args])


@pytest.mark.parametrize("shared", [False, True], ids=["cell-by-cell", "excel-shared"])
def test_chain_every_cell(tmp_path: Path, shared: bool) -> None:
    """Chain of 2,000: A1 = 1 and A{r} = A{r-1}+1, so A{r} = r (scale_books.chain's own
    formula, worked by hand; chain() returns A2001 = 2001)."""
    path, last, expected_last = scale_books.chain(tmp_path / "chain.xlsx", 2_000,
                                                  shared=shared)
    values = Recalculation(path).calculate()
    assert len(values) == 2_000
    assert values == {f"Sheet1!A{r}": float(r) for r in range(2, 2_002)}
    assert values[last] == expected_last == 2_001.0


@pytest.mark.parametrize("shared", [False, True], ids=["cell-by-cell", "excel-shared"])
def test_grid_every_cell(tmp_path: Path, shared: bool) -> None:
    """Grid of 40 × 60 (every formula kind, the VLOOKUP and MATCH keys wrapping past the
    100-row table): each cell equals scale_books.grid_value(), the plain-Python reference."""
    rows, cols = 40, 60
    path, n = scale_books.grid(tmp_path / "grid.xlsx", rows, cols, shared=shared)
    expected = scale_books.grid_value(rows, cols)
    values = Recalculation(path).calculate()
    assert n == len(values) == rows * cols
    wrong = {(r, c): (values[f"Grid!{col_letters(c)}{r}"], v)
             for (r, c), v in expected.items()
             if values[f"Grid!{col_letters(c)}{r}"] != v}
    assert not wrong, f"{len(wrong)} cells differ, e.g. {next(iter(wrong.items()))}"


def test_grid_last_cell_on_the_command_line(tmp_path: Path) -> None:
    """What bench_scale.py runs: `recalc BOOK --cells <last cell> --format json`."""
    import json

    path, _ = scale_books.grid(tmp_path / "grid.xlsx", 12, 15)
    r = run_cli("recalc", path, "--cells", "Grid!O12", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"Grid!O12": scale_books.grid_value(12, 15)[(12, 15)]}


def test_limits_admit_a_million_formula_grid() -> None:
    """Issue 15 item 3: a 1,000 × 1,000 grid of formulas plus its inputs (1,000 + 200 cells,
    scale_books.grid's Inputs sheet) is within the default limits."""
    assert DEFAULT_LIMITS.max_formula_cells >= 1_000_000
    assert DEFAULT_LIMITS.max_cells >= 1_000_000 + 1_000 + 200
    assert DEFAULT_LIMITS.max_cells >= DEFAULT_LIMITS.max_formula_cells
    assert DEFAULT_LIMITS.max_formula_cells == _DEFAULT_MAX_FORMULAS  # --max-formulas default


def test_with_max_formulas_keeps_cells_at_twice_the_formulas() -> None:
    limits = Limits().with_max_formulas(3_000_000)
    assert (limits.max_formula_cells, limits.max_cells) == (3_000_000, 6_000_000)
    assert Limits().with_max_formulas(5).max_cells == Limits().max_cells


@pytest.mark.parametrize("command", ["recalc", "check"])
def test_max_formulas_option_refuses_and_names_itself(tmp_path: Path, command: str) -> None:
    """A 30-formula chain under --max-formulas 29: exit 2, one line naming the file, the
    count, the limit and the option; at 30 it passes."""
    path, last, _ = scale_books.chain(tmp_path / "chain.xlsx", 30)
    extra = ["--cells", last] if command == "recalc" else []
    r = run_cli(command, path, *extra, "--max-formulas", 29)
    assert r.exit_code == 2
    assert str(path) in r.stderr
    assert "30 formula cells, above the limit of 29" in r.stderr
    assert "--max-formulas" in r.stderr
    ok = run_cli(command, path, *extra, "--max-formulas", 30)
    # check: the chain's cells store no value, so they are stale (exit 1), not refused
    assert ok.exit_code == (0 if command == "recalc" else 1), ok.output


def test_max_formulas_must_be_positive(tmp_path: Path) -> None:
    path, _, _ = scale_books.chain(tmp_path / "chain.xlsx", 3)
    r = run_cli("recalc", path, "--max-formulas", 0)
    assert r.exit_code == 2
    assert "--max-formulas 0: must be a whole number of at least 1" in r.stderr
