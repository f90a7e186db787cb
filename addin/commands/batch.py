"""``llm-tco sweep`` and ``llm-tco simulate``: batch scenarios through a compiled workbook.

Exit codes: 0 ok, 2 bad input (argument, file or cell named in one line on stderr).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from addin.commands._common import (
    DEFAULT_MAX_MEMORY_MIB,
    DEFAULT_TIMEOUT_S,
    Format,
    MaxMemory,
    Timeout,
    bad_input_exits,
    bounded,
    check_format,
    csv_text,
)

# Options sweep and simulate share, defined once (--format: addin.commands._common).
_Book = Annotated[Path, typer.Argument(metavar="BOOK", help="The workbook (.xlsx).")]
_Outputs = Annotated[
    list[str] | None,
    typer.Option("--outputs", metavar="REF[,REF…]", help="Output REF (repeatable or "
                 "A,B,C). Default: the workbook's out_* defined names."),
]
_Workers = Annotated[int, typer.Option(metavar="N", help="Local worker processes.")]
_Dask = Annotated[str | None, typer.Option("--dask", metavar="ADDRESS", help="Dask scheduler "
                                           "address (tcp://host:8786).")]
_Progress = Annotated[bool | None, typer.Option("--progress/--no-progress", help="Progress "
                                                "bar (default: when stderr is a terminal).")]


@contextlib.contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Show fallback warnings as ``llm-tco: warning: …`` lines on stderr (no source line)."""
    import warnings

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"llm-tco: warning: {' '.join(str(message).split())}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        yield


def _split(values: list[str] | None) -> list[str]:
    """Repeatable options that also accept comma-separated lists."""
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def _default_outputs(book: Path) -> list[str]:
    """The workbook's ``out_*`` names, or a bad-input error asking for ``--outputs``."""
    from templates.recalc.batch import get_plan
    from templates.recalc.batch.errors import BatchInputError

    outs = get_plan(book).output_names()
    if not outs:
        raise BatchInputError("--outputs", "is needed: the workbook has no out_* names", None)
    return outs


def _progress_wanted(flag: bool | None) -> bool:
    return sys.stderr.isatty() if flag is None else flag


def _cell(x: object) -> str:
    """A table cell: numbers to 6 significant digits with thousands separators."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    return "—" if x != x else f"{x:,.6g}"


def _json_value(x: object) -> object:
    """NaN → null; numpy scalars → Python numbers."""
    if hasattr(x, "item"):
        x = x.item()  # type: ignore[union-attr]
    return None if isinstance(x, float) and x != x else x


def _print_sweep(df: object, fmt: str, book: Path, varied: list[str], outs: list[str]) -> None:
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)  # type: ignore[attr-defined]
        return
    records = [{k: _json_value(v) for k, v in r.items()}
               for r in df.to_dict(orient="records")]  # type: ignore[attr-defined]
    if fmt == "json":
        print(json.dumps({"workbook": str(book), "inputs": varied, "outputs": outs,
                          "scenarios": records}, indent=2, allow_nan=False, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Sweep: {len(records):,} scenarios of {book.name}")
    for col in df.columns:  # type: ignore[attr-defined]
        t.add_column(str(col), justify="right", overflow="fold")
    for r in records:
        t.add_row(*(_cell(v) for v in r.values()))
    Console().print(t)


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``simulate`` to the ``llm-tco`` app."""

    @app.command()
    def sweep(
        book: _Book,
        vary: Annotated[
            list[str],
            typer.Option("--vary", metavar="REF=START:STOP:N[:log]", help="Repeatable; REF "
                         "is Sheet!A1 or a defined name. The full grid is evaluated."),
        ],
        outputs: _Outputs = None,
        output: Annotated[
            Path | None, typer.Option("-o", "--output", metavar="FILE", help="Write the "
                                      "table here (CSV, or JSON with --format json) instead "
                                      "of stdout.")
        ] = None,
        chart: Annotated[
            Path | None, typer.Option("--chart", metavar="PNG", help="PNG of each output "
                                      "over the first varied input.")
        ] = None,
        format: Format = "csv",
        workers: _Workers = 1,
        dask: _Dask = None,
        progress: _Progress = None,
        timeout: Timeout = DEFAULT_TIMEOUT_S,
        max_memory: MaxMemory = DEFAULT_MAX_MEMORY_MIB,
    ) -> None:
        """Evaluate a grid of input values and tabulate the outputs (CSV by default)."""
        from templates.recalc.batch.sweep import parse_vary_option
        from templates.recalc.batch.sweep import sweep as run_sweep

        with bad_input_exits(), _warnings_as_lines(), bounded(timeout, max_memory, str(book)):
            check_format(format)
            spec = dict(parse_vary_option(v) for v in vary)
            outs = _split(outputs) or _default_outputs(book)
            df = run_sweep(book, spec, outs, workers=workers, dask=dask,
                           progress=_progress_wanted(progress))
            if output is not None:
                if format == "json":
                    with contextlib.redirect_stdout(io.StringIO()) as buf:
                        _print_sweep(df, "json", book, list(spec), outs)
                    output.write_text(buf.getvalue(), encoding="utf-8")
                else:
                    df.to_csv(output, index=False)
                print(f"{len(df):,} scenarios → {output}", file=sys.stderr)
            else:
                _print_sweep(df, format, book, list(spec), outs)
            if chart is not None:
                from templates.recalc.batch.charts import sweep_chart

                sweep_chart(df, list(spec), outs, chart)
                print(f"chart → {chart}", file=sys.stderr)

    @app.command()
    def simulate(
        book: _Book,
        dist: Annotated[
            list[str],
            typer.Option("--dist", metavar="REF=DIST(…)", help="Repeatable: normal(mean,sd), "
                         "lognormal(mu,sigma) of the underlying normal, uniform(lo,hi), "
                         "triangular(lo,mode,hi), pert(lo,mode,hi)."),
        ],
        outputs: _Outputs = None,
        n: Annotated[int, typer.Option("-n", metavar="N", help="Number of draws.")] = 10_000,
        seed: Annotated[int | None, typer.Option(metavar="N", help="Seed: same seed, same "
                                                 "numbers.")] = None,
        compare: Annotated[
            str | None, typer.Option("--compare", metavar="A,B", help="Report P(A < B), e.g. "
                                     "out_selfhost_monthly,out_api_monthly.")
        ] = None,
        histogram: Annotated[
            Path | None, typer.Option("--histogram", metavar="PNG",
                                      help="Histogram PNG of the outputs.")
        ] = None,
        tornado: Annotated[
            Path | None, typer.Option("--tornado", metavar="PNG", help="Tornado PNG (inputs "
                                      "swung P10→P90, others at median).")
        ] = None,
        samples: Annotated[
            Path | None, typer.Option("--samples", metavar="CSV",
                                      help="Write every draw and output as CSV.")
        ] = None,
        format: Format = "table",
        as_json: Annotated[bool, typer.Option(
            "--json", help="Deprecated alias of --format json (still works).")] = False,
        workers: _Workers = 1,
        dask: _Dask = None,
        progress: _Progress = None,
        timeout: Timeout = DEFAULT_TIMEOUT_S,
        max_memory: MaxMemory = DEFAULT_MAX_MEMORY_MIB,
    ) -> None:
        """Monte Carlo: P5/P50/P95, mean, sd per output; P(A < B); histogram; tornado."""
        from templates.recalc.batch.distributions import parse_dist_option
        from templates.recalc.batch.errors import BatchInputError
        from templates.recalc.batch.simulate import simulate as run_simulate

        with bad_input_exits(), _warnings_as_lines(), bounded(timeout, max_memory, str(book)):
            check_format(format)
            if as_json:
                format = "json"
            dists = dict(parse_dist_option(d) for d in dist)
            outs = _split(outputs) or _default_outputs(book)
            cmp = None
            if compare is not None:
                cmp = [c.strip() for c in compare.split(",")]
                if len(cmp) != 2 or not all(cmp):
                    raise BatchInputError("--compare", "must be two outputs: A,B", compare)
            res = run_simulate(book, dists, n, outs, seed, compare=cmp, workers=workers,
                               dask=dask, progress=_progress_wanted(progress))
            if histogram is not None:
                res.histogram(histogram)
            if tornado is not None:
                res.tornado_chart(tornado)
            if samples is not None:
                res.samples.to_csv(samples, index=False)
            if format == "json":
                print(json.dumps(res.to_dict(), indent=2, allow_nan=False))
            elif format == "csv":
                print(csv_text(_summary_rows(res), list(_CSV_COLUMNS)), end="")
            else:
                _print_summary(res)


_STATS = ("p5", "p50", "p95", "mean", "sd")
_CSV_COLUMNS = ("output", *_STATS, "errors", "happens", "otherwise")


def _summary_rows(res: object) -> list[dict[str, object]]:
    """One row per output: the statistics, the share of draws with a number (``happens``)
    and the text the others gave (``otherwise``, e.g. "never"); blank where there is none."""
    rows = []
    for o in res.outputs:
        s = res.stats.loc[o]
        rows.append({"output": o, **{k: _json_value(s[k]) for k in _STATS},
                     "errors": int(s["errors"]), "happens": float(s["happens"]),
                     "otherwise": res.otherwise.get(o)})
    return rows


def _print_summary(res: object) -> None:
    from rich.console import Console
    from rich.table import Table

    rows, partial = [], False
    for r in _summary_rows(res):
        never = r["otherwise"] or "—"
        stats = [(never if k.startswith("p") else "—") if r[k] is None else f"{r[k]:,.6g}"
                 for k in _STATS]
        partial = partial or r["happens"] < 1
        rows.append([r["output"], *stats, f"{r['errors']:,}", f"{r['happens']:.1%}"])
    heads = ("output", "P5", "P50", "P95", "mean", "sd", "errors", "happens")
    if not partial:  # every draw gave a number: the column says nothing
        heads, rows = heads[:-1], [r[:-1] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    # Wide enough that names and numbers are never cut (CI logs default to 80 columns).
    console = Console(width=max(80, sum(widths) + 3 * len(widths) + 1))
    t = Table(title=f"Monte Carlo: {res.n:,} draws, seed {res.seed}")
    for h, w in zip(heads, widths, strict=True):
        t.add_column(h, justify="left" if h == "output" else "right", no_wrap=True, min_width=w)
    for r in rows:
        t.add_row(*r)
    console.print(t)
    if res.compare is not None:
        a, b = res.compare
        p = res.p_a_less_b
        console.print(f"P({a} < {b}) = {p:.4f}" if p is not None else f"P({a} < {b}) = n/a")
    for note in res.notes:
        console.print(f"note: {note}")
