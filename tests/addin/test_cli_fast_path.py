"""``llm-tco recalc`` / ``check`` without typer (addin.commands._recalc_run.fast_main).

The fast path must call the commands' functions with exactly what typer would pass, and
leave every other command line to typer; a run through it must print and exit the same.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import openpyxl
import pytest
import typer
import typer.main
from openpyxl.workbook.defined_name import DefinedName
from typer.testing import CliRunner

from addin.cli import build_app
from addin.commands import _recalc_run
from addin.commands._recalc_run import COMMANDS, parse_args

ROOT = Path(__file__).resolve().parents[2]


def _click_command(name: str) -> click.Command:
    return typer.main.get_command(build_app(name)).commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_fast_path_declares_what_typer_builds(name):
    """Options, kinds and the positional parameter match the typer command's."""
    options, positional, many = COMMANDS[name]
    cmd = _click_command(name)
    seen = {}
    for p in cmd.params:
        if isinstance(p, click.Argument):
            assert p.name == positional
            assert (p.nargs == -1) == many
            assert isinstance(p.type, click.Path)
            assert (p.type.exists, p.type.readable, p.type.resolve_path, p.type.allow_dash,
                    p.type.writable, p.type.executable) == (False, True, False, False,
                                                             False, False)
            continue
        assert not p.secondary_opts and p.envvar is None and p.callback is None
        if p.is_flag:
            kind = "flag"
        elif p.multiple:
            kind = "multiple"
            assert isinstance(p.type, click.types.StringParamType)
        elif isinstance(p.type, click.Path):
            kind = Path
            assert (p.type.exists, p.type.readable, p.type.resolve_path) == (False, True, False)
        else:
            kind = {click.types.StringParamType: str, click.types.FloatParamType: float,
                    click.types.IntParamType: int}[type(p.type)]
        for opt in p.opts:
            seen[opt] = (p.name, kind)
    assert seen == options
    # the run function's defaults are the command's
    params = inspect.signature(_recalc_run._RUNS[name]).parameters
    for p in cmd.params:
        if not isinstance(p, click.Argument):
            assert params[p.name].default == p.default, p.name


def _typer_kwargs(name: str, argv: list[str], monkeypatch) -> dict | None:
    """What typer calls ``run_<name>`` with for ``argv`` (None if it never calls it)."""
    got = {}
    real = _recalc_run._RUNS[name]

    def capture(*args, **kwargs):
        bound = inspect.signature(real).bind(*args, **kwargs)
        bound.apply_defaults()
        got.update(bound.arguments)

    monkeypatch.setattr(_recalc_run, f"run_{name}", capture)
    CliRunner().invoke(build_app(name), [name, *argv])
    return got or None


def _bound(name: str, kwargs: dict) -> dict:
    bound = inspect.signature(_recalc_run._RUNS[name]).bind(**kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


READ = [
    ("recalc", ["b.xlsx"]),
    ("recalc", ["b.xlsx", "--format", "json"]),
    ("recalc", ["--format=csv", "./dir//b.xlsx"]),
    ("recalc", ["b.xlsx", "--set", "Inputs!B2=5e6", "--set=x=\"1\"", "--cells", "out_x",
                "--cells", "A!B1:C2"]),
    ("recalc", ["b.xlsx", "-o", "out.xlsx", "--timeout", "1e3", "--max-memory", "512",
                "--max-formulas", "10"]),
    ("recalc", ["b.xlsx", "--output=out.xlsx", "--in-place", "--in-place"]),
    ("recalc", ["b.xlsx", "--timeout", "inf", "--max-memory", " 7 ", "--max-formulas", "1_0"]),
    ("recalc", ["b.xlsx", "--format", "xml", "--timeout=-1"]),
    ("recalc", ["b.xlsx", "--set="]),
    ("check", ["a.xlsx"]),
    ("check", ["a.xlsx", "b.xlsx", "--rtol", "1e-6", "c.xlsx", "--format", "json"]),
    ("check", ["--rtol=0", "a.xlsx", "--timeout", "0", "--max-memory", "0"]),
]

LEFT_TO_TYPER = [
    ("recalc", []),
    ("recalc", ["--help"]),
    ("recalc", ["b.xlsx", "--help"]),
    ("recalc", ["b.xlsx", "c.xlsx"]),
    ("recalc", ["b.xlsx", "--format"]),
    ("recalc", ["b.xlsx", "--format", "json", "--format", "csv"]),
    ("recalc", ["b.xlsx", "--timeout", "soon"]),
    ("recalc", ["b.xlsx", "--max-memory", "1.5"]),
    ("recalc", ["b.xlsx", "--in-place=yes"]),
    ("recalc", ["b.xlsx", "--set", "-x"]),
    ("recalc", ["b.xlsx", "--unknown"]),
    ("recalc", ["b.xlsx", "-ofile.xlsx"]),
    ("recalc", ["b.xlsx", "--form", "json"]),
    ("recalc", ["--", "b.xlsx"]),
    ("recalc", ["-"]),
    ("recalc", [""]),
    ("check", []),
    ("check", ["a.xlsx", "--rtol", "x"]),
    ("check", ["a.xlsx", "-o", "x"]),
    ("report", []),
]


@pytest.mark.parametrize(("name", "argv"), READ)
def test_fast_path_passes_what_typer_passes(name, argv, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    fast = parse_args(name, argv)
    assert fast is not None
    assert _bound(name, fast) == _typer_kwargs(name, argv, monkeypatch)


@pytest.mark.parametrize(("name", "argv"), LEFT_TO_TYPER)
def test_anything_else_is_left_to_typer(name, argv, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert parse_args(name, argv) is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_left_to_typer(tmp_path):
    book = tmp_path / "b.xlsx"
    book.write_bytes(b"")
    book.chmod(0)
    assert parse_args("recalc", [str(book)]) is None


def _book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inputs"
    ws["B1"], ws["B2"] = 150_000_000, 5
    ws["B3"] = "=B1/1000000*B2"
    ws["B4"] = '=IF(B3>100,"big","small")'
    ws["B5"] = "=1/0"
    wb.defined_names["out_monthly"] = DefinedName("out_monthly", attr_text="Inputs!$B$3")
    wb.save(path)
    return path


def _main(*args: str, cwd: Path, through_typer: bool = False) -> subprocess.CompletedProcess:
    """``llm-tco ARGS`` in a new process (``main``, or typer's app for the same command),
    with a last stderr line saying whether typer was imported."""
    run = ("build_app(sys.argv[1])(prog_name='llm-tco')" if through_typer else "main()")
    code = ("import sys\nfrom addin.cli import build_app, main\n"
            "sys.argv = ['llm-tco', *sys.argv[1:]]\n"
            f"try:\n    {run}\nfinally:\n"
            "    print('typer imported' if 'typer' in sys.modules else 'no typer',"
            " file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ["recalc", "b.xlsx", "--format", "json"],
    ["recalc", "b.xlsx", "--format", "csv", "--cells", "Inputs!B3:B5", "--set", "Inputs!B2=7"],
    ["recalc", "b.xlsx"],
    ["recalc", "b.xlsx", "--format", "yaml"],
    ["recalc", "missing.xlsx"],
    ["recalc", "b.xlsx", "--cells", "Nowhere!A1"],
    ["recalc", "b.xlsx", "-o", "copy.xlsx", "--format", "json"],
    ["check", "b.xlsx", "missing.xlsx", "--format", "json"],
    ["check", "b.xlsx"],
])
def test_fast_path_prints_and_exits_as_typer(args, tmp_path):
    _book(tmp_path / "b.xlsx")
    fast = _main(*args, cwd=tmp_path)
    assert fast.stderr.endswith("no typer\n")
    if "-o" in args:
        (tmp_path / "copy.xlsx").unlink()
    typer_run = _main(*args, cwd=tmp_path, through_typer=True)
    assert typer_run.stderr.endswith("typer imported\n")
    assert (fast.returncode, fast.stdout) == (typer_run.returncode, typer_run.stdout)
    assert fast.stderr.replace("no typer", "") == typer_run.stderr.replace("typer imported", "")
    if args[-1] == "json":
        json.loads(fast.stdout)


def test_json_output_is_what_json_dumps_indent_2_writes() -> None:
    """recalc --format json prints with the C encoder (_json_object); the reference is
    json.dumps(values, indent=2), the output format users and tests rely on, on seeded
    values of every type a cell holds, strings with separators, quotes and non-ASCII."""
    import json
    import random

    import pytest

    from addin.commands._recalc_run import _json_object

    rng = random.Random(7)
    pool = [1.5, -0.0, 1e300, 3, True, False, None, "", 'x, "y": z', "é ü \n\t", "#N/A"]
    for n in (0, 1, 2, 50, 2_000):
        values = {f"Sheet {i}!A{i}": rng.choice(pool) for i in range(n)}
        assert _json_object(values) == json.dumps(values, indent=2, allow_nan=False)
    nested = {"S!A1": [1.0, 2.0]}  # not a cell value, but the fallback must stay exact
    assert _json_object(nested) == json.dumps(nested, indent=2)
    with pytest.raises(ValueError):
        _json_object({"S!A1": float("nan")})
