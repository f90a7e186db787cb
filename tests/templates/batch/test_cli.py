"""``llm-tco sweep`` / ``simulate``: outputs, and one-line errors with exit code 2."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from addin.commands.batch import register

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def app():
    # Only our commands: the test does not depend on the other commands' modules.
    a = typer.Typer()
    register(a)
    return a


def run(app, *args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_sweep_writes_csv_and_chart(app, tco_book, tmp_path):
    out, png = tmp_path / "r.csv", tmp_path / "r.png"
    r = run(app, "sweep", tco_book, "--vary", "requests_per_day=1000:1e6:5:log",
            "--vary", "gpu_hourly=1:3:2", "--outputs", "out_api_monthly,cheaper",
            "--outputs", "out_selfhost_monthly", "-o", out, "--chart", png)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert len(df) == 10
    assert list(df.columns) == ["requests_per_day", "gpu_hourly", "out_api_monthly", "cheaper",
                                "out_selfhost_monthly"]
    assert png.read_bytes()[:8] == PNG


def test_sweep_csv_on_stdout(app, tco_book):
    r = run(app, "sweep", tco_book, "--vary", "Inputs!B1=1:2:2", "--outputs", "total_api")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == "Inputs!B1,total_api"


def test_simulate_json_is_reproducible(app, tco_book, tmp_path):
    args = ["simulate", tco_book, "--dist", "requests_per_day=lognormal(10,1)",
            "--dist", "gpu_hourly=pert(1.5,2.4,4)", "-n", "3000", "--seed", "5",
            "--outputs", "out_api_monthly,out_selfhost_monthly",
            "--compare", "out_selfhost_monthly,out_api_monthly", "--json"]
    a, b = run(app, *args), run(app, *args)
    assert a.exit_code == 0, a.output
    assert a.stdout == b.stdout
    d = json.loads(a.stdout)
    assert d["n"] == 3000 and d["seed"] == 5
    assert set(d["outputs"]["out_api_monthly"]) == {"p5", "p50", "p95", "mean", "sd", "errors",
                                                    "happens"}
    assert d["outputs"]["out_api_monthly"]["happens"] == 1.0
    assert 0 <= d["compare"]["p_a_less_b"] <= 1
    h, t = tmp_path / "h.png", tmp_path / "t.png"
    r = run(app, *args[:-1], "--histogram", h, "--tornado", t)
    assert r.exit_code == 0 and "P(out_selfhost_monthly < out_api_monthly)" in r.stdout
    assert h.read_bytes()[:8] == PNG and t.read_bytes()[:8] == PNG


def test_json_flag_is_an_alias_of_format_json(app, tco_book):
    args = ["simulate", tco_book, "--dist", "requests_per_day=lognormal(10,1)", "-n", "500",
            "--seed", "3", "--outputs", "out_api_monthly"]
    old, new = run(app, *args, "--json"), run(app, *args, "--format", "json")
    assert old.exit_code == new.exit_code == 0, old.output
    assert old.stdout == new.stdout
    assert "Deprecated" in run(app, "simulate", "--help").stdout


def test_payback_that_never_happens_shows_never_and_its_share(app, tco_book):
    # gpu_hourly around 2: payback in some draws; very dear GPUs: never.
    args = ["simulate", tco_book, "--dist", "gpu_hourly=uniform(1,400)", "-n", "400",
            "--seed", "1", "--outputs", "payback_month,out_api_monthly"]
    r = run(app, *args)
    assert r.exit_code == 0, r.output
    assert "nan" not in r.stdout.lower()
    assert "never" in r.stdout and "happens" in r.stdout
    d = json.loads(run(app, *args, "--format", "json").stdout)
    pay = d["outputs"]["payback_month"]
    assert pay["otherwise"] == "never" and 0 <= pay["happens"] < 1
    rows = run(app, *args, "--format", "csv").stdout.splitlines()
    assert rows[0] == "output,p5,p50,p95,mean,sd,errors,happens,otherwise"
    assert rows[1].startswith("payback_month,") and rows[1].endswith(",never")


def test_sweep_formats(app, tco_book, tmp_path):
    base = ["sweep", tco_book, "--vary", "Inputs!B1=1:2:2", "--outputs", "total_api"]
    d = json.loads(run(app, *base, "--format", "json").stdout)
    assert len(d["scenarios"]) == 2 and d["outputs"] == ["total_api"]
    t = run(app, *base, "--format", "table")
    assert t.exit_code == 0 and "total_api" in t.stdout and "Sweep" in t.stdout
    out = tmp_path / "s.json"
    assert run(app, *base, "--format", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text())["scenarios"] == d["scenarios"]
    assert run(app, *base, "--format", "xml").exit_code == 2


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["sweep", "{book}", "--vary", "requests_per_day=1:2", "--outputs", "total_api"],
         "--vary requests_per_day"),
        (["sweep", "{book}", "--vary", "requests_per_day=1:2:0", "--outputs", "total_api"],
         "N must be >= 1"),
        (["sweep", "{book}", "--vary", "requests_per_day", "--outputs", "total_api"],
         "REF=START:STOP:N"),
        (["sweep", "{book}", "--vary", "Nope!B2=1:2:2", "--outputs", "total_api"],
         "sheet 'Nope'"),
        (["sweep", "{book}", "--vary", "gpu_hourly=1:2:2", "--outputs", "no_such"],
         "--outputs"),
        (["simulate", "{book}", "--dist", "gpu_hourly=gauss(1,2)", "--outputs", "total_api"],
         "unknown distribution"),
        (["simulate", "{book}", "--dist", "gpu_hourly=normal(1,2)", "-n", "0",
          "--outputs", "total_api"], "-n must be"),
        (["simulate", "{book}", "--dist", "gpu_hourly=normal(1,2)", "--outputs", "total_api",
          "--compare", "total_api"], "--compare"),
        (["sweep", "{missing}", "--vary", "gpu_hourly=1:2:2", "--outputs", "total_api"],
         "missing.xlsx"),
    ],
)
def test_bad_input_exits_2_with_one_line(app, tco_book, tmp_path, args, named):
    args = [a.format(book=tco_book, missing=tmp_path / "missing.xlsx") for a in args]
    r = run(app, *args)
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llm-tco: error:")
    assert named in lines[0]
    assert "Traceback" not in r.output


def test_registered_in_the_real_cli():
    from addin.cli import app as real

    names = {c.name or c.callback.__name__ for c in real.registered_commands}
    assert {"sweep", "simulate"} <= names


def test_outputs_default_to_out_names(app, tco_book):
    r = run(app, "sweep", tco_book, "--vary", "gpu_hourly=1:2:2")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "gpu_hourly,out_api_monthly,out_selfhost_monthly"


def test_no_outputs_and_no_out_names_is_bad_input(app, function_book):
    r = run(app, "sweep", function_book, "--vary", "x=1:2:2")
    assert r.exit_code == 2 and "--outputs" in r.stderr


def test_progress_bar_runs_over_chunks(app, tco_book):
    r = run(app, "simulate", tco_book, "--dist", "gpu_hourly=uniform(1,3)", "-n", "25000",
            "--seed", "1", "--progress", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["n"] == 25000


def test_fallback_warning_is_one_stderr_line(app, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["A2"], ws["A3"] = 2.0, "=SUMSQ(A1)", 5.0
    wb.save(tmp_path / "w.xlsx")
    r = run(app, "sweep", tmp_path / "w.xlsx", "--vary", "S!A1=1:2:2", "--outputs", "S!A2")
    assert r.exit_code == 0, r.output
    warn = [ln for ln in r.stderr.splitlines() if ln.startswith("llm-tco: warning:")]
    assert warn and all("SUMSQ" in ln for ln in warn)
    assert r.stdout.splitlines()[1:] == ["1.0,1.0", "2.0,4.0"]
