"""xlwings' real VBA wrapper generator, run on Linux with only the Windows COM modules stubbed."""

import re
import sys

from typer.testing import CliRunner

import udfs
from addin.cli import app
from addin.vba import export_vba


def test_generator_writes_every_function_and_argument_doc():
    vba = export_vba()
    assert vba.startswith('Attribute VB_Name = "xlwings_udfs"')
    for f in udfs.FUNCTIONS.values():
        # the wrapper xlwings' generate_vba_wrapper writes, with optional arguments marked
        sig = re.search(rf"^Function {f.name}\((.*)\)$", vba, re.M)
        assert sig, f"no VBA wrapper for {f.name}"
        params = [p.strip() for p in sig.group(1).split(",")]
        expected = [a.name if a.required else f"Optional {a.name}" for a in f.args]
        assert params == expected
        assert f'XLPy.CallUDF("udfs.xlwings_udfs", "{f.name}"' in vba
        # descriptions and argument docs, as xlwings registers them with MacroOptions
        reg = re.search(rf'Application.MacroOptions Macro:="{f.name}", (.*?)\)\n',
                        vba.replace(" _\n", ""), re.S)
        assert reg, f"no MacroOptions for {f.name}"
        assert f.description.replace('"', '""') in reg.group(1)
        assert 'Category:="LLM TCO"' in reg.group(1)
        for a in f.args:
            assert a.doc[:255].replace('"', '""') in reg.group(1), f"{f.name}.{a.name}"
    # the COM stubs do not outlive the export
    assert "pythoncom" not in sys.modules or not isinstance(sys.modules["pythoncom"],
                                                             type(sys))


def test_export_cli_writes_the_module(tmp_path):
    out = tmp_path / "llm_tco.bas"
    res = CliRunner().invoke(app, ["addin", "export-vba", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8") == export_vba()


def test_install_on_linux_says_why_and_exits_2():
    res = CliRunner().invoke(app, ["addin", "install"])
    if sys.platform.startswith("linux"):
        assert res.exit_code == 2 and "Windows or macOS" in res.output


def test_config_points_xlwings_at_our_module():
    res = CliRunner().invoke(app, ["addin", "config"])
    assert res.exit_code == 0 and '"UDF MODULES","udfs.xlwings_udfs"' in res.output


def test_config_is_rendered_from_the_shipped_template():
    import sys
    from importlib.resources import files

    shipped = files("addin").joinpath("data/xlwings.conf").read_text(encoding="utf-8")
    assert '"UDF MODULES","udfs.xlwings_udfs"' in shipped
    res = CliRunner().invoke(app, ["addin", "config"])
    first = res.output.splitlines()[0]
    assert first.startswith(('"INTERPRETER_WIN","', '"INTERPRETER_MAC","'))
    assert "$" not in res.output and sys.executable.rsplit("python", 1)[0] in first


def test_tables_use_native_spill_unless_legacy_excel_is_asked_for():
    import importlib

    from addin.vba import _com_stubs
    from udfs import FUNCTIONS
    from udfs.xlwings_udfs import build_udfs

    def opts(legacy):
        # xlwings' real decorators (the public xw.func is a no-op off Windows/macOS).
        with _com_stubs():
            xu = importlib.import_module("xlwings.udfs")
            mod = build_udfs(xu.xlfunc, xu.xlarg, xu.xlret, legacy=legacy)
        return {n: getattr(mod, n).__xlfunc__["ret"]["options"] for n in FUNCTIONS}

    assert all("expand" not in o for o in opts(False).values())
    legacy = opts(True)
    assert legacy["TCO_TABLE"].get("expand") == "table"
    assert "expand" not in legacy["LLM_API_COST"]
