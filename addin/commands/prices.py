"""``llm-tco prices``: API prices from the bundled catalog, with its version and date."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer

from addin.commands._common import Format, bad_input_exits, check_format, csv_text

# The table view, short headers so that it fits 80 columns (json/csv have every field).
_SHOWN = (("in", "input"), ("cached", "cached_input"), ("out", "output"),
          ("batch in", "batch_input"), ("batch out", "batch_output"),
          ("cache write", "cache_write"))


def _usd(field: str):
    return lambda r: f"{getattr(r, field + '_usd_per_million_tokens'):g}"


def _long_context(r) -> str:
    t = r.long_context_threshold_tokens
    return "—" if t == float("inf") else f"{t:,.0f}"


def register(app: typer.Typer) -> None:
    """Add ``prices`` to the command line."""

    @app.command()
    def prices(
        models: Annotated[list[str] | None, typer.Argument(
            metavar="MODEL...", help="Models to show.")] = None,
        provider: Annotated[str | None, typer.Option(
            metavar="ID", help="Provider id, e.g. openai.")] = None,
        format: Format = "table",
        max_age_days: Annotated[float, typer.Option(
            metavar="DAYS", help="Warn when the catalog is older.")] = 180.0,
    ) -> None:
        """Show API prices (USD per 1M tokens) and the catalog's version and date."""
        import engine as e

        with bad_input_exits():
            check_format(format)
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
            if format == "csv":
                typer.echo(csv_text([{**dataclasses.asdict(r), "catalog_version": info.version,
                                      "catalog_date": info.date} for r in rows]), nl=False)
                return
            from addin.commands._common import print_fitted_table

            print_fitted_table(
                f"USD per 1M tokens — {info.package} {info.version}, dated {info.date}",
                [("model", "left", lambda r: r.model),
                 ("provider", "left", lambda r: r.provider),
                 *((h, "right", _usd(f)) for h, f in _SHOWN),
                 ("long ctx >", "right", _long_context)], rows)
