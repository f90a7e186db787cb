"""``llm-tco template``: write a prefilled workbook template (native formulas, no macros)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from addin.commands._common import bad_input_exits


def _parse_set(items: list[str]) -> dict[str, Any]:
    """``INPUT=VALUE`` pairs → inputs; numbers become floats, an empty VALUE a blank."""
    from engine.errors import InputError

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError("--set", "must be INPUT=VALUE", item)
        key = key.removeprefix("in_")
        text = value.strip()
        if text == "":
            out[key] = None
            continue
        try:
            out[key] = float(text.replace("_", "")) if not text.endswith("%") else (
                float(text[:-1]) / 100.0)
        except ValueError:
            out[key] = text
    return out


def register(app: typer.Typer) -> None:
    """Add ``template`` to the command line."""

    @app.command()
    def template(
        name: Annotated[str | None, typer.Argument(
            metavar="NAME", help="Template name (see --list).")] = None,
        output: Annotated[Path | None, typer.Option("-o", "--output", metavar="FILE",
                                                    help="Workbook (.xlsx) to write.")] = None,
        set_: Annotated[list[str] | None, typer.Option(
            "--set", metavar="INPUT=VALUE", help="INPUT=VALUE, repeatable (input names as on "
            "the Inputs sheet, without in_).")] = None,
        scenario: Annotated[str | None, typer.Option(
            metavar="NAME", help="Load a scenario's inputs.")] = None,
        with_udfs: Annotated[bool, typer.Option(
            "--with-udfs", help="Add cross-check cells calling the add-in's functions.")]
        = False,
        list_: Annotated[bool, typer.Option("--list", help="List templates and scenarios.")]
        = False,
    ) -> None:
        """Write a workbook template: inputs, dated prices, native-formula model, charts."""
        from engine.errors import InputError
        from templates.workbooks import TEMPLATES, build_template, scenarios

        if list_:
            for n, desc in TEMPLATES.items():
                typer.echo(f"{n}: {desc}")
                for s, note in scenarios(n).items():
                    typer.echo(f"    --scenario {s}: {note}")
            return
        with bad_input_exits():
            if name is None:
                raise InputError("NAME", "must name a template (one of "
                                 + ", ".join(TEMPLATES) + "; see --list)", None)
            if name not in TEMPLATES:
                raise InputError("template", "must be one of " + ", ".join(TEMPLATES), name)
            if output is None:
                raise InputError("--output", "must give the workbook to write (-o PATH)", None)
            if output.suffix.lower() != ".xlsx":
                raise InputError("--output", "must end in .xlsx", str(output))
            inputs = _parse_set(set_ or [])
            written = build_template(name, output, inputs=inputs, scenario=scenario,
                                     with_udfs=with_udfs)
            typer.echo(f"Wrote {written}")
