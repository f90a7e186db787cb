"""``templates.builders`` (the name issue 5 gives the builders) is the same API as
``templates.workbooks``; the builders' own tests are test_workbooks.py and test_golden.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import templates
import templates.builders as builders
import templates.workbooks as workbooks


def test_alias_is_the_same_api() -> None:
    for name in builders.__all__:
        assert getattr(builders, name) is getattr(workbooks, name)
    assert templates.build_template is builders.build_template
    assert sorted(builders.TEMPLATES) == ["api-vs-selfhost", "finetune", "hybrid"]


def test_report_call_writes_the_default_workbook(tmp_path: Path) -> None:
    # llm-tco report calls build_template("api-vs-selfhost", path) with engine defaults.
    path = builders.build_template("api-vs-selfhost", tmp_path / "r.xlsx")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    assert any(n.startswith("xl/charts/chart") for n in names)
    assert not any("vbaProject" in n for n in names)
