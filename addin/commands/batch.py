"""``llm-tco sweep`` and ``llm-tco simulate``: batch scenarios through a compiled workbook.

Exit codes: 0 ok, 2 bad input (argument, file or cell named in one line on stderr).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from addin.commands._common import bad_input_exits

# Options sweep and simulate share, defined once.
_Outputs = Annotated[
    list[str] | None,
    typer.Option("--outputs", help="Output REF (repeatable or A,B,C). Default: the "
                 "workbook's out_* defined names."),
]
_Workers = Annotated[int, typer.Option(help="Local worker processes.")]
_Dask = Annotated[str | None, typer.Option("--dask", help="Dask scheduler address "
                                           "(tcp://host:8786).")]
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
    from templates.batch import get_plan
    from templates.batch.errors import BatchInputError

    outs = get_plan(book).output_names()
    if not outs:
        raise BatchInputError("--outputs", "is needed: the workbook has no out_* names", None)
    return outs


def _progress_wanted(flag: bool | None) -> bool:
    return sys.stderr.isatty() if flag is None else flag


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``simulate`` to the ``llm-tco`` app."""

    @app.command()
    def sweep(
        book: Annotated[Path, typer.Argument(help="The workbook (.xlsx).")],
        vary: Annotated[
            list[str],
            typer.Option("--vary", help="REF=START:STOP:N[:log] (repeatable); REF is "
                         "Sheet!A1 or a defined name. The full grid is evaluated."),
        ],
        outputs: _Outputs = None,
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Write the table as CSV here "
                                      "(default: CSV on stdout).")
        ] = None,
        chart: Annotated[
            Path | None, typer.Option("--chart", help="PNG of each output over the first "
                                      "varied input.")
        ] = None,
        workers: _Workers = 1,
        dask: _Dask = None,
        progress: _Progress = None,
    ) -> None:
        """Evaluate a grid of input values and tabulate the outputs."""
        from templates.batch.sweep import parse_vary_option
        from templates.batch.sweep import sweep as run_sweep

        with bad_input_exits(), _warnings_as_lines():
            spec = dict(parse_vary_option(v) for v in vary)
            outs = _split(outputs) or _default_outputs(book)
            df = run_sweep(book, spec, outs, workers=workers, dask=dask,
                           progress=_progress_wanted(progress))
            if output is not None:
                df.to_csv(output, index=False)
                print(f"{len(df):,} scenarios → {output}", file=sys.stderr)
            else:
                df.to_csv(sys.stdout, index=False)
            if chart is not None:
                from templates.batch.charts import sweep_chart

                sweep_chart(df, list(spec), outs, chart)
                print(f"chart → {chart}", file=sys.stderr)

    @app.command()
    def simulate(
        book: Annotated[Path, typer.Argument(help="The workbook (.xlsx).")],
        dist: Annotated[
            list[str],
            typer.Option("--dist", help="REF=DIST(...) (repeatable): normal(mean,sd), "
                         "lognormal(mu,sigma) of the underlying normal, uniform(lo,hi), "
                         "triangular(lo,mode,hi), pert(lo,mode,hi)."),
        ],
        outputs: _Outputs = None,
        n: Annotated[int, typer.Option("-n", help="Number of draws.")] = 10_000,
        seed: Annotated[int | None, typer.Option(help="Seed: same seed, same numbers.")] = None,
        compare: Annotated[
            str | None, typer.Option("--compare", help="A,B: report P(A < B), e.g. "
                                     "out_selfhost_monthly,out_api_monthly.")
        ] = None,
        histogram: Annotated[
            Path | None, typer.Option("--histogram", help="Histogram PNG of the outputs.")
        ] = None,
        tornado: Annotated[
            Path | None, typer.Option("--tornado", help="Tornado PNG (inputs swung P10→P90, "
                                      "others at median).")
        ] = None,
        samples: Annotated[
            Path | None, typer.Option("--samples", help="Write every draw and output as CSV.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
        workers: _Workers = 1,
        dask: _Dask = None,
        progress: _Progress = None,
    ) -> None:
        """Monte Carlo: P5/P50/P95, mean, sd per output; P(A < B); histogram; tornado."""
        from templates.batch.distributions import parse_dist_option
        from templates.batch.errors import BatchInputError
        from templates.batch.simulate import simulate as run_simulate

        with bad_input_exits(), _warnings_as_lines():
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
            if as_json:
                print(json.dumps(res.to_dict(), indent=2, allow_nan=False))
                return
            _print_summary(res)


def _print_summary(res: object) -> None:
    from rich.console import Console
    from rich.table import Table

    rows = []
    for o in res.outputs:
        s = res.stats.loc[o]
        rows.append([o, *(f"{s[k]:,.6g}" for k in ("p5", "p50", "p95", "mean", "sd")),
                     f"{int(s['errors']):,}"])
    heads = ("output", "P5", "P50", "P95", "mean", "sd", "errors")
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
