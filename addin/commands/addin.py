"""``llm-tco addin …``: install the Excel add-in (through xlwings), write its configuration,
export the VBA module xlwings generates for our functions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from addin.commands._common import EXIT_BAD_INPUT, bad_input_exits

addin_app = typer.Typer(help="Set up the Excel add-in (xlwings).", no_args_is_help=True)


def xlwings_conf() -> str:
    """The xlwings configuration: this interpreter and our UDF module (xlwings.conf format).

    Rendered from the shipped template ``addin/data/xlwings.conf`` (``string.Template``
    placeholders, so a Windows path's backslashes and braces pass through untouched).
    """
    from importlib.resources import files
    from string import Template

    template = files("addin").joinpath("data/xlwings.conf").read_text(encoding="utf-8")
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    return Template(template).substitute(interpreter_key=key, interpreter=_interpreter())


def _interpreter() -> str:
    """This Python; on Windows its ``pythonw.exe`` (xlwings' default: no console window)."""
    exe = Path(sys.executable)
    if sys.platform.startswith("win") and exe.name.lower() == "python.exe":
        windowless = exe.with_name("pythonw.exe")
        if windowless.exists():
            return str(windowless)
    return str(exe)


@addin_app.command("export-vba")
def export_vba_cmd(
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE", help="File (.bas) to write; stdout if omitted.")] = None,
    workbook_name: Annotated[str, typer.Option(
        metavar="NAME", help="Workbook or add-in the module goes in.")] = "llm_tco.xlam",
) -> None:
    """Write the VBA module xlwings' own generator produces for our functions (any OS)."""
    from addin.vba import export_vba

    with bad_input_exits():
        text = export_vba(workbook_name)
        if output is None:
            typer.echo(text, nl=False)
            return
        from templates.recalc.atomic import atomic_write_bytes

        atomic_write_bytes(output, text.encode("utf-8"))
        from udfs import FUNCTIONS

        typer.echo(f"Wrote {output} ({len(FUNCTIONS)} functions)")


@addin_app.command("config")
def config_cmd(
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE", help="File to write; stdout if omitted.")] = None,
) -> None:
    """Print (or write) the xlwings.conf lines that point Excel at llm-tco's functions."""
    with bad_input_exits():
        if output is None:
            typer.echo(xlwings_conf(), nl=False)
            return
        from templates.recalc.atomic import atomic_write_bytes

        atomic_write_bytes(output, xlwings_conf().encode("utf-8"))
        typer.echo(f"Wrote {output}")


@addin_app.command("install")
def install_cmd() -> None:
    """Install xlwings' Excel add-in and configure it for llm-tco (Windows or macOS Excel)."""
    if not sys.platform.startswith(("win", "darwin")):
        print("llm-tco: error: the Excel add-in needs Excel on Windows or macOS; on this "
              f"system ({sys.platform}) use `llm-tco addin export-vba` and the templates",
              file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    done = subprocess.run([sys.executable, "-m", "xlwings", "addin", "install"], check=False)
    if done.returncode != 0:
        print("llm-tco: error: `xlwings addin install` failed (see above)", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    conf = Path.home() / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    existing = conf.read_text(encoding="utf-8") if conf.exists() else ""
    keep = [ln for ln in existing.splitlines(keepends=True)
            if not ln.startswith(('"UDF MODULES"', '"INTERPRETER_WIN"', '"INTERPRETER_MAC"'))]
    from templates.recalc.atomic import atomic_write_bytes

    atomic_write_bytes(conf, ("".join(keep) + xlwings_conf()).encode("utf-8"))
    typer.echo(f"Configured {conf}: UDF Modules = udfs.xlwings_udfs. In Excel: xlwings tab → "
               "Import Functions, then try =LLM_API_COST(\"gpt-4o\", 112500000, 37500000).")


def register(app: typer.Typer) -> None:
    """Add the ``addin`` command group."""
    app.add_typer(addin_app, name="addin")
