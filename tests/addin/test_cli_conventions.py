"""The command line a person expects (issue 13, item 5): --help without Python type names,
tables whose headers are never cut in an 80-column terminal, --format everywhere."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from addin.cli import app

COMMANDS = [[], ["report"], ["template"], ["prices"], ["catalog"], ["recalc"], ["check"],
            ["sweep"], ["simulate"], ["functions"], ["addin"], ["addin", "install"],
            ["addin", "export-vba"], ["addin", "config"]]
TYPE_NAMES = ("<list[", "<bool>", "<str>", "<float>", "<int>", "<path>")


def _run(args: list[str], columns: int = 80):
    return CliRunner().invoke(app, args, env={"COLUMNS": str(columns), "NO_COLOR": "1",
                                              "TERM": "dumb"})


def test_every_command_is_listed():
    r = _run(["--help"])
    for cmd in COMMANDS:
        if len(cmd) == 1:
            assert cmd[0] in r.stdout


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "llm-tco")
def test_help_shows_no_python_type_names(args):
    r = _run([*args, "--help"], columns=200)
    assert r.exit_code == 0, r.output
    found = [t for t in TYPE_NAMES if t in r.stdout]
    assert not found, f"{' '.join(args)} --help shows {found}:\n{r.stdout}"


@pytest.mark.parametrize("cmd", [["report"], ["prices"], ["catalog"], ["recalc"], ["check"],
                                 ["sweep"], ["simulate"]])
def test_data_commands_take_table_json_csv(cmd):
    r = _run([*cmd, "--help"], columns=200)
    assert "--format" in r.stdout and "table|json|csv" in r.stdout


@pytest.mark.parametrize("args", [["prices"], ["catalog"], ["catalog", "models"],
                                  ["catalog", "gpus"]])
def test_tables_fit_80_columns_with_whole_headers(args):
    r = _run(args)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert "…" not in r.stdout, r.stdout
    assert max(len(line) for line in lines) <= 80
    # the header row of each table is one line: no header wrapped onto a second line
    heads = [i for i, line in enumerate(lines) if line.startswith("┏")]
    assert heads and all(lines[i + 2].startswith("┡") for i in heads), r.stdout


def test_prices_csv_has_every_field():
    r = _run(["prices", "gpt-4o", "--format", "csv"])
    assert r.exit_code == 0, r.output
    head = r.stdout.splitlines()[0].split(",")
    assert {"model", "cache_write_usd_per_million_tokens",
            "long_context_threshold_tokens"} <= set(head)


def test_bad_format_is_bad_input():
    r = _run(["prices", "--format", "xml"])
    assert r.exit_code == 2
