"""``llm-tco prices``: API prices from the bundled catalog, with its version and date."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer

from addin.commands._common import bad_input_exits

_SHOWN = ("input", "cached_input", "cache_write", "output", "batch_input", "batch_output")


def register(app: typer.Typer) -> None:
    """Add ``prices`` to the command line."""

    @app.command()
    def prices(
        models: Annotated[list[str] | None, typer.Argument(help="Models to show.")] = None,
        provider: Annotated[str | None, typer.Option(help="Provider id, e.g. openai.")] = None,
        format: Annotated[str, typer.Option(help="table or json.")] = "table",
        max_age_days: Annotated[float, typer.Option(help="Warn when the catalog is older.")]
        = 180.0,
    ) -> None:
        """Show API prices (USD per 1M tokens) and the catalog's version and date."""
        import engine as e

        with bad_input_exits():
            if format not in ("table", "json"):
                raise e.InputError("--format", "must be 'table' or 'json'", format)
            names = models or ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "claude-sonnet-4-5",
                               "claude-haiku-4-5", "gemini-2.5-pro", "gemini-2.5-flash"]
            rows = [e.api_price(m, provider) for m in names]
            info = e.catalog_info()
            stale = e.check_price_age(max_age_days)
            if format == "json":
                typer.echo(json.dumps({"catalog": dataclasses.asdict(info),
                                       "warning": stale,
                                       "prices": [dataclasses.asdict(r) for r in rows]},
                                      indent=2, default=str))
                return
            from rich.console import Console
            from rich.table import Table

            t = Table(title=f"USD per 1M tokens — {info.package} {info.version}, "
                            f"dated {info.date}")
            t.add_column("provider", no_wrap=True)
            t.add_column("model", no_wrap=True)
            for f in _SHOWN:
                t.add_column(f.replace("_", " "), justify="right")
            t.add_column("long-context above", justify="right")
            for r in rows:
                t.add_row(r.provider, r.model,
                          *(f"{getattr(r, f + '_usd_per_million_tokens'):g}" for f in _SHOWN),
                          "—" if r.long_context_threshold_tokens == float("inf")
                          else f"{r.long_context_threshold_tokens:,.0f}")
            Console().print(t)
