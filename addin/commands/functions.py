"""``llm-tco functions``: the Excel function catalog, for people (table, md) or machines (json)."""

from __future__ import annotations

from typing import Annotated

import typer

from addin.commands._common import bad_input_exits


def register(app: typer.Typer) -> None:
    """Add ``functions`` to the command line."""

    @app.command()
    def functions(
        format: Annotated[str, typer.Option(
            metavar="table|md|json", help="table, md or json.")] = "table",
    ) -> None:
        """List every Excel function with its description and argument docs."""
        from addin import reference

        with bad_input_exits():
            if format == "md":
                typer.echo(reference.as_markdown())
            elif format == "json":
                typer.echo(reference.as_json())
            elif format == "table":
                from rich.console import Console
                from rich.markup import escape
                from rich.table import Table

                from udfs import FUNCTIONS

                t = Table(title="llm-tco Excel functions (category LLM TCO)")
                t.add_column("function", no_wrap=True)
                t.add_column(escape("arguments ([optional])"))
                t.add_column("description")
                for f in FUNCTIONS.values():
                    args = ", ".join(a.name if a.required else f"[{a.name}]" for a in f.args)
                    t.add_row(f.name, escape(args), f.description)
                Console().print(t)
            else:
                from engine.errors import InputError

                raise InputError("--format", "must be 'table', 'md' or 'json'", format)
