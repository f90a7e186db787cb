"""Imports run one way: batch uses the engine, the engine never imports batch, no module
of ``templates.recalc`` is on an import circle, and sweep/simulate never load ``formulas``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RECALC = ROOT / "templates" / "recalc"


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, top_level_only: bool, files: set[str]) -> set[str]:
    """Modules of this repository ``path`` imports (relative imports resolved;
    ``from pkg import submodule`` is an edge to the submodule only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mod = _module(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # module level, including inside if/try blocks, not in functions
        stack, nodes = list(tree.body), []
        while stack:
            n = stack.pop()
            nodes.append(n)
            if isinstance(n, ast.If | ast.Try | ast.With):
                stack.extend(ast.iter_child_nodes(n))
    out: set[str] = set()
    for n in nodes:
        if isinstance(n, ast.Import):
            out.update(a.name for a in n.names)
        elif isinstance(n, ast.ImportFrom):
            if n.level:
                base = package.split(".")
                base = base[: len(base) - (n.level - 1)]
                target = ".".join(base + ([n.module] if n.module else []))
            else:
                target = n.module or ""
            for a in n.names:
                sub = f"{target}.{a.name}"
                out.add(sub if sub in files else target)
    return {m for m in out if m.startswith("templates.recalc")}


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    files = {_module(p): p for p in RECALC.rglob("*.py")}
    return {m: {t for t in _imports(p, top_level_only, set(files)) if t in files} - {m}
            for m, p in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    for root in sorted(graph):
        if root in state:
            continue
        stack = [(root, iter(sorted(graph[root])))]
        path = [root]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(sorted(graph[nxt]))))
    return None


def test_no_import_circle_in_templates_recalc():
    # Module-level imports (what runs when a module is first imported): a circle there
    # makes the result depend on which module is imported first.
    assert _cycle(_graph(top_level_only=True)) is None


def test_the_engine_never_imports_batch():
    # Any import, even inside a function: the engine core does not depend on batch.
    for mod, targets in _graph(top_level_only=False).items():
        if mod.startswith("templates.recalc.batch"):
            continue
        assert not any(t.startswith("templates.recalc.batch") for t in targets), mod


def test_no_import_circle_inside_batch_even_through_functions():
    # The circle issue 13 removed ran through imports inside functions (compile →
    # reference → formulas_oracle → plan_cache → compile); with the engine never
    # importing batch, a circle can only come back inside batch.
    graph = _graph(top_level_only=False)
    batch = {m: {t for t in ts if t.startswith("templates.recalc.batch")}
             for m, ts in graph.items() if m.startswith("templates.recalc.batch")}
    batch["templates.recalc.batch"] -= {m for m in batch if m != "templates.recalc.batch"}
    assert _cycle(batch) is None


def test_the_graph_check_sees_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


BATCH_MODULES = sorted(_module(p) for p in (RECALC / "batch").glob("*.py"))


@pytest.mark.parametrize("module", BATCH_MODULES)
def test_each_batch_module_imports_first_in_a_fresh_interpreter(module):
    subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, check=True,
                   capture_output=True, timeout=120)


def test_sweep_and_simulate_never_import_formulas(tco_book, tmp_path):
    script = f"""
import sys
from typer.testing import CliRunner
from addin.cli import build_app
runner = CliRunner()
for args in (["sweep", {str(tco_book)!r}, "--vary", "requests_per_day=1e3:1e6:5",
              "--outputs", "total_selfhost"],
             ["simulate", {str(tco_book)!r}, "-n", "2000", "--seed", "1",
              "--dist", "requests_per_day=uniform(1e3,1e6)", "--outputs", "total_selfhost"]):
    res = runner.invoke(build_app(args[0]), args)
    assert res.exit_code == 0, res.output
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("formulas", "schedula",
                                                              "openpyxl"))
print(",".join(loaded))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "", out.stdout
