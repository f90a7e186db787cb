"""``llm-tco catalog``: the open models and GPUs the engine knows (bundled + the user's file).

Also the global ``--catalog FILE`` option (``llm-tco --catalog my.csv report``): the user
catalog merged over the bundled one for every command; see docs/catalog.md.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from addin.commands._common import bad_input_exits

_MODEL_TABLE = ("name", "params_b", "active_params_b", "layers", "attention", "experts",
                "experts_per_token", "context_tokens", "license", "as_of")
_GPU_TABLE = ("name", "memory_gb", "bandwidth_gb_per_s", "bf16_tflops", "fp8_tflops",
              "fp4_tflops", "power_w", "rent_usd_per_hour", "purchase_usd", "as_of")
KINDS = ("all", "models", "gpus")


def use_catalog_option(path: Path | None) -> None:
    """Apply ``--catalog FILE`` (bad files exit 2 with file, row, column and rule)."""
    if path is None:
        return
    from engine.catalogs import use_catalog

    with bad_input_exits():
        use_catalog(path)


def _rows(kind: str) -> dict[str, list[dict[str, Any]]]:
    import engine as e

    out: dict[str, list[dict[str, Any]]] = {}
    if kind in ("all", "models"):
        out["models"] = [{**dataclasses.asdict(m), "aliases": "|".join(m.aliases)}
                         for m in e.open_models().values()]
    if kind in ("all", "gpus"):
        out["gpus"] = [{**dataclasses.asdict(g), "aliases": "|".join(g.aliases)}
                       for g in e.gpus().values()]
    return out


def register(app: typer.Typer) -> None:
    """Add ``catalog`` to the command line."""

    @app.command()
    def catalog(
        kind: Annotated[str, typer.Argument(help="all, models or gpus.")] = "all",
        format: Annotated[str, typer.Option(help="table, json or csv.")] = "table",
        catalog_file: Annotated[Path | None, typer.Option(
            "--catalog", help="User catalog file merged over the bundled one (default "
            "$LLM_TCO_CATALOG, else ~/.config/llm-tco/catalog.csv if it exists).")] = None,
    ) -> None:
        """List the open models and GPUs: geometry, specs, indicative prices, sources, dates."""
        use_catalog_option(catalog_file)
        with bad_input_exits():
            from engine.catalogs import user_catalog_path
            from engine.errors import InputError

            if kind not in KINDS:
                raise InputError("kind", "must be one of " + ", ".join(KINDS), kind)
            if format not in ("table", "json", "csv"):
                raise InputError("--format", "must be 'table', 'json' or 'csv'", format)
            rows = _rows(kind)
            user = user_catalog_path()
            if format == "json":
                typer.echo(json.dumps({"user_catalog": str(user) if user else None, **rows},
                                      indent=2, default=str))
                return
            if format == "csv":
                buf = io.StringIO()
                for name, items in rows.items():
                    w = csv.DictWriter(buf, ["kind", *items[0].keys()], lineterminator="\n")
                    w.writeheader()
                    for it in items:
                        w.writerow({"kind": name[:-1], **it})
                typer.echo(buf.getvalue(), nl=False)
                return
            from rich.console import Console
            from rich.table import Table

            console = Console()
            for name, items in rows.items():
                cols = _MODEL_TABLE if name == "models" else _GPU_TABLE
                t = Table(title=f"{name} ({len(items)}; user catalog: {user or 'none'})")
                for col in cols:
                    t.add_column(col.replace("_", " "), no_wrap=col == "name",
                                 justify="left" if col in ("name", "attention", "license",
                                                           "as_of") else "right")
                for it in items:
                    t.add_row(*("—" if it[c] is None else f"{it[c]:g}"
                                if isinstance(it[c], float) else str(it[c]) for c in cols))
                console.print(t)
            console.print("Sources per row: --format json or csv (source / spec_source / "
                          "price_source columns).")
