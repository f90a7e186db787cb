"""``llm-tco report``: the main job — API vs self-hosting vs hybrid on built-in defaults."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from addin.commands._common import Format, bad_input_exits, check_format, csv_text


def _money(x: float) -> str:
    if not math.isfinite(x):
        return "never"
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


def build_report(
    model: str, requests_per_day: float, input_tokens: float, output_tokens: float,
    cached_share: float, batch_share: float, growth: float, open_model: str, gpu: str,
    precision: str, mode: str, horizon_months: int,
) -> dict[str, object]:
    """Every figure the report prints, as plain numbers (also the --format json output)."""
    import engine as e

    w = e.Workload(requests_per_day, input_tokens, output_tokens, cached_share, batch_share,
                   growth)
    o = e.SelfHost(model=open_model, gpu=gpu, precision=precision, mode=mode)
    price = e.api_price(model)
    api = float(e.api_monthly_cost_usd(price, w))
    own = e.selfhost_monthly_cost(w, o)
    best = e.optimal_hybrid_share(price, w, o)
    be = e.breakeven_volume(price, w, o)
    tco = e.tco_projection(price, w, o, horizon_months=horizon_months, hybrid_share=best.share)
    rec = e.recommend_strategy(float(w.tokens_per_day), api, float(own.total_usd),
                               hybrid_monthly_usd=best.monthly_usd)
    cat = e.catalog_info()
    return {
        "workload": {"requests_per_day": requests_per_day, "input_tokens_per_request": input_tokens,
                     "output_tokens_per_request": output_tokens,
                     "tokens_per_day": float(w.tokens_per_day), "cached_input_share": cached_share,
                     "batch_share": batch_share, "monthly_growth": growth},
        "api": {"model": price.model, "provider": price.provider, "monthly_usd": api,
                "input_usd_per_million_tokens": price.input_usd_per_million_tokens,
                "output_usd_per_million_tokens": price.output_usd_per_million_tokens},
        "selfhost": {"model": o.model, "gpu": o.gpu, "precision": o.precision, "mode": o.mode,
                     "gpus": float(own.gpus), "compute_usd": float(own.compute_usd),
                     "people_usd": float(own.people_usd),
                     "operations_usd": float(own.operations_usd),
                     "finetune_usd": float(own.finetune_usd),
                     "monthly_usd": float(own.total_usd), "one_off_usd": float(o.one_off_usd())},
        "hybrid": {"share": best.share, "monthly_usd": best.monthly_usd},
        "breakeven": {"first_tokens_per_day": float(be.first_tokens_per_day),
                      "continuous_tokens_per_day": float(be.continuous_tokens_per_day)},
        "tco": {"horizon_months": horizon_months,
                "api_total_usd": float(tco.api_cumulative_usd[-1]),
                "selfhost_total_usd": float(tco.selfhost_cumulative_usd[-1]),
                "hybrid_total_usd": float(tco.hybrid_cumulative_usd[-1]),
                "npv_savings_usd": float(tco.npv_savings_usd),
                "payback_month": None if math.isnan(tco.payback_month) else tco.payback_month},
        "strategy": {"recommendation": rec.strategy, "reasons": list(rec.reasons)},
        "prices": {"catalog": cat.package, "version": cat.version, "date": cat.date},
    }


def _print_table(r: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    c = Console()
    w, api, own = r["workload"], r["api"], r["selfhost"]
    hyb, be, tco = r["hybrid"], r["breakeven"], r["tco"]
    assert isinstance(w, dict) and isinstance(api, dict) and isinstance(own, dict)
    assert isinstance(hyb, dict) and isinstance(be, dict) and isinstance(tco, dict)
    c.print(f"[bold]LLM total cost of ownership[/] — {w['tokens_per_day'] / 1e6:,.1f}M tokens/day "
            f"({w['requests_per_day']:,.0f} requests/day × {w['input_tokens_per_request']:,.0f} in "
            f"+ {w['output_tokens_per_request']:,.0f} out)")
    t = Table(title="Monthly cost (month 1, run-rate)")
    t.add_column("option")
    t.add_column("USD / month", justify="right")
    t.add_column("what", overflow="fold")
    t.add_row(f"API {api['model']}", _money(api["monthly_usd"]),
              f"{api['provider']} list prices ${api['input_usd_per_million_tokens']:g} in / "
              f"${api['output_usd_per_million_tokens']:g} out per 1M tokens")
    t.add_row(f"Self-host {own['model']}", _money(own["monthly_usd"]),
              f"{own['gpus']:g}× {own['gpu']} {own['precision']} ({own['mode']}) "
              f"{_money(own['compute_usd'])} + people {_money(own['people_usd'])} + operations "
              f"{_money(own['operations_usd'])} + retraining {_money(own['finetune_usd'])}; "
              f"one-off {_money(own['one_off_usd'])}")
    t.add_row(f"Hybrid ({hyb['share']:.0%} in-house)", _money(hyb["monthly_usd"]),
              "cost-minimising share of traffic routed to the own model")
    c.print(t)
    first = be["first_tokens_per_day"] / 1e6
    c.print(f"Breakeven: self-hosting wins from {first:,.1f}M tokens/day "
            f"with whole GPUs ({be['continuous_tokens_per_day'] / 1e6:,.1f}M continuous)")
    pay = tco["payback_month"]
    c.print(f"{tco['horizon_months']}-month TCO: API {_money(tco['api_total_usd'])}, self-host "
            f"{_money(tco['selfhost_total_usd'])}, hybrid {_money(tco['hybrid_total_usd'])}; "
            f"NPV of self-hosting savings {_money(tco['npv_savings_usd'])}; payback "
            f"{'month ' + format(pay, 'g') if pay else 'not within the horizon'}")
    s = r["strategy"]
    assert isinstance(s, dict)
    c.print(f"[bold]Recommendation: {s['recommendation']}[/] — {s['reasons'][0]}")
    p = r["prices"]
    assert isinstance(p, dict)
    c.print(f"Prices: {p['catalog']} {p['version']}, dated {p['date']}")


def register(app: typer.Typer) -> None:
    """Add ``report`` to the command line."""

    @app.command()
    def report(
        model: Annotated[str, typer.Option(
            metavar="MODEL", help="API model priced from the catalog.")] = "gpt-4o",
        requests_per_day: Annotated[float, typer.Option(min=0, metavar="N")] = 10_000.0,
        input_tokens: Annotated[float, typer.Option(
            min=0, metavar="N", help="Input tokens per request.")] = 1_500.0,
        output_tokens: Annotated[float, typer.Option(
            min=0, metavar="N", help="Output tokens per request.")] = 500.0,
        cached_share: Annotated[float, typer.Option(min=0, max=1, metavar="SHARE")] = 0.0,
        batch_share: Annotated[float, typer.Option(min=0, max=1, metavar="SHARE")] = 0.0,
        growth: Annotated[float, typer.Option(
            metavar="RATE", help="Monthly traffic growth (0.05 = 5%).")] = 0.0,
        open_model: Annotated[str, typer.Option(metavar="MODEL", help="Open model to self-host.")]
        = "Llama-3.1-8B",
        gpu: Annotated[str, typer.Option(metavar="GPU", help="GPU to serve it on.")] = "H100-SXM",
        precision: Annotated[str, typer.Option(metavar="bf16|fp8|fp4|int4…")] = "fp8",
        mode: Annotated[str, typer.Option(metavar="rent|buy", help="rent or buy GPUs.")] = "rent",
        horizon_months: Annotated[int, typer.Option(min=1, max=600, metavar="MONTHS")] = 36,
        output: Annotated[Path, typer.Option(
            "-o", "--output", metavar="FILE", help="Workbook to write.")]
        = Path("llm-tco-report.xlsx"),
        no_workbook: Annotated[bool, typer.Option(help="Print only; write no workbook.")] = False,
        format: Format = "table",
        max_price_age_days: Annotated[
            float, typer.Option(envvar="LLM_TCO_MAX_PRICE_AGE_DAYS", metavar="DAYS",
                                help="Warn when the price catalog is older than this.")
        ] = 180.0,
    ) -> None:
        """Compare API, self-hosting and hybrid monthly cost, breakeven and TCO for a workload."""
        with bad_input_exits():
            check_format(format)
            stale = _price_age_warning(max_price_age_days)
            r = build_report(model, requests_per_day, input_tokens, output_tokens, cached_share,
                             batch_share, growth, open_model, gpu, precision, mode, horizon_months)
            written = None if no_workbook else _write_workbook(output, r)
            if written:
                r["workbook"] = str(written)
            if stale:
                r["warning"] = stale
            if format == "json":
                typer.echo(json.dumps(r, indent=2))
            elif format == "csv":
                typer.echo(csv_text(_flat_rows(r), ["figure", "value"]), nl=False)
            else:
                _print_table(r)
                if written:
                    typer.echo(f"Workbook: {written}")


def _flat_rows(r: object, prefix: str = "") -> list[dict[str, object]]:
    """The report as ``figure,value`` rows: nested keys joined with dots (``api.monthly_usd``),
    list items by index."""
    if isinstance(r, dict):
        items = r.items()
    elif isinstance(r, list | tuple):
        items = ((str(i), v) for i, v in enumerate(r))
    else:
        return [{"figure": prefix, "value": r}]
    rows: list[dict[str, object]] = []
    for k, v in items:
        rows.extend(_flat_rows(v, f"{prefix}.{k}" if prefix else str(k)))
    return rows


def _price_age_warning(max_age_days: float) -> str | None:
    """One line on stderr when the catalog is older than allowed; the message, or None."""
    import sys
    import warnings

    import engine as e

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        msg = e.check_price_age(max_age_days)
    if msg:
        print(f"llm-tco: warning: {msg}", file=sys.stderr)
    return msg


def _write_workbook(path: Path, r: dict[str, object]) -> Path:
    """Write the api-vs-selfhost template filled with the report's inputs."""
    from templates import build_template
    w, api, own = r["workload"], r["api"], r["selfhost"]
    assert isinstance(w, dict) and isinstance(api, dict) and isinstance(own, dict)
    inputs = {
        "api_model": api["model"], "requests_per_day": w["requests_per_day"],
        "input_tokens_per_request": w["input_tokens_per_request"],
        "output_tokens_per_request": w["output_tokens_per_request"],
        "cached_input_share": w["cached_input_share"], "batch_share": w["batch_share"],
        "monthly_growth": w["monthly_growth"], "open_model": own["model"], "gpu": own["gpu"],
        "precision": own["precision"], "mode": own["mode"],
        # the workbook's hybrid is the report's cost-minimising one
        "hybrid_share": r["hybrid"]["share"],  # type: ignore[index]
    }
    # build_template stores the computed values too: `llm-tco check` finds the file fresh.
    return Path(build_template("api-vs-selfhost", path, inputs=inputs))
