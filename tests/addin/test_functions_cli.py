"""``llm-tco functions`` and the committed reference generated from it."""

import json
from pathlib import Path

from typer.testing import CliRunner

import udfs
from addin import reference
from addin.cli import app

runner = CliRunner()


def test_json_lists_every_function_with_argument_docs():
    res = runner.invoke(app, ["functions", "--format", "json"])
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert [f["name"] for f in data] == list(udfs.FUNCTIONS)
    assert all(a["doc"] for f in data for a in f["arguments"])


def test_table_and_bad_format():
    res = runner.invoke(app, ["functions"], env={"COLUMNS": "300"})
    assert res.exit_code == 0
    assert "LLM_API_COST" in res.output and "[cached_input_tokens]" in res.output
    assert runner.invoke(app, ["functions", "--format", "xml"]).exit_code == 2


def test_committed_reference_is_up_to_date():
    committed = (Path(__file__).parents[2] / "docs" / "functions.md").read_text(encoding="utf-8")
    assert committed.strip() == reference.as_markdown().strip(), (
        "docs/functions.md is stale: run `llm-tco functions --format md > docs/functions.md`")
