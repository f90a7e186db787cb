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

from addin.commands._common import Format, bad_input_exits


def _num(key: str, scale: float = 1.0, fmt: str | None = None):
    """Numbers as written (2.5, 0.075), thousands with separators (13,500), no exponents."""
    def cell(it: dict[str, Any]) -> str:
        x = it.get(key)
        if x is None:
            return "—"
        x = x / scale
        return format(x, fmt or (",.0f" if abs(x) >= 1000 else "g"))
    return cell


def _experts(it: dict[str, Any]) -> str:
    e, k = it.get("experts"), it.get("experts_per_token")
    return "dense" if not e or e <= 1 else f"{k or '?'}/{e}"


def _context(it: dict[str, Any]) -> str:
    t = it.get("context_tokens")
    return "—" if not t else f"{t / 1024:,.0f}k" if t % 1024 == 0 else f"{t / 1000:,.0f}k"


# The table views: short headers, the columns that matter first, so that they fit 80
# columns; wider terminals show more; --format json or csv has every field and its source.
_MODEL_TABLE = [("name", "left", lambda it: str(it["name"])),
                ("params B", "right", _num("params_b")),
                ("active B", "right", _num("active_params_b")),
                ("attn", "left", lambda it: str(it["attention"])),
                ("experts", "right", _experts),
                ("context", "right", _context),
                ("layers", "right", _num("layers")),
                ("as of", "left", lambda it: str(it["as_of"])),
                ("license", "left", lambda it: str(it["license"]))]
_GPU_TABLE = [("name", "left", lambda it: str(it["name"])),
              ("mem GB", "right", _num("memory_gb")),
              ("TB/s", "right", _num("bandwidth_gb_per_s", 1000, ".3g")),
              ("BF16 TF", "right", _num("bf16_tflops")),
              ("FP8 TF", "right", _num("fp8_tflops")),
              ("FP4 TF", "right", _num("fp4_tflops")),
              ("$/hour", "right", _num("rent_usd_per_hour", fmt=".3g")),
              ("buy $", "right", _num("purchase_usd", fmt=",.0f")),
              ("watts", "right", _num("power_w", fmt=",.0f")),
              ("as of", "left", lambda it: str(it["as_of"]))]
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
        kind: Annotated[str, typer.Argument(metavar="KIND", help="all, models or gpus.")] = "all",
        format: Format = "table",
        catalog_file: Annotated[Path | None, typer.Option(
            "--catalog", metavar="FILE", help="User catalog file merged over the bundled one "
            "(default $LLM_TCO_CATALOG, else ~/.config/llm-tco/catalog.csv if it exists).")]
        = None,
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

            from addin.commands._common import print_fitted_table

            console = Console()
            for name, items in rows.items():
                print_fitted_table(f"{name} ({len(items)}; user catalog: {user or 'none'})",
                                   _MODEL_TABLE if name == "models" else _GPU_TABLE, items,
                                   console)
            console.print("Sources per row: --format json or csv (source / spec_source / "
                          "price_source columns).")
