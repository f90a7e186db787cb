"""Benchmark: a million formula cells, recalculated as whole processes (issue 15, item 3).

Run: ``env -u PYTHONDONTWRITEBYTECODE .venv/bin/python benchmarks/bench_scale.py
[--no-libreoffice] [--only NAME]… [--keep DIR]``

Builds, in a temporary directory, the workbooks of :mod:`scale_books` (formulas unchanged):

- ``chain-100k`` and ``chain-1M``: ``A1 = 1``, ``A{r} = A{r-1}+1`` (100,000 and 1,000,000
  formula cells), the last cell's value from :func:`scale_books.chain` (``n + 1``);
- ``grid-100k`` (1,000 rows × 100 columns) and ``grid-1M`` (1,000 × 1,000): mixed
  arithmetic, VLOOKUP, INDEX/MATCH and SUMs, the last cell checked against
  :func:`scale_books.grid_value`, the plain-Python reference;
- ``chain-1M-excel`` and ``grid-1M-excel``: the same cells stored as Excel saves a range
  filled down (one shared formula per column, ``t="shared"``); the others write every
  formula out, as openpyxl and most tools do.

For each, as a new process (the venv's ``bin/llm-tco``; wall time and peak memory,
``ru_maxrss`` from ``wait4``, with :func:`bench_corpus.run_child`):

1. ``llm-tco recalc BOOK --cells <last cell> --format json --timeout 0 --max-memory 0``
   (the bounds off so that the figures are measured rather than cut; the child is killed
   after 600 s), the printed value compared with the reference, and the time and memory
   against the issue's bound: **≤ 20 s and ≤ 2 GB**;
2. unless ``--no-libreoffice``: LibreOffice headless on the same file (the baseline the
   issue names; :func:`templates.recalc.libreoffice.libreoffice_recalculate`, recalculation
   on load, a fresh profile whose first start is timed apart on a tiny workbook), killed
   after 180 s (printed ``>180 s``), and the ratio LibreOffice / llm-tco;
3. ``llm-tco check BOOK`` on the 100k versions (their cells store no value, so every
   cell is reported stale: exit 1 is the expected answer).

Figures, no assertions (``tests/templates/recalc/test_scale_books.py`` checks every cell
of small versions). Building the four files takes about a minute.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import scale_books  # noqa: E402  (benchmarks/ is not a package)
from bench_corpus import LO_MEMORY, Run, cli_path, compile_installed, run_child  # noqa: E402

from templates.recalc.parser import col_letters  # noqa: E402

BOUND_S = 20.0
BOUND_MIB = 2 * 1024
OURS_TIMEOUT = 600.0
LO_TIMEOUT = 180.0


@dataclass
class Book:
    """A built workbook: its file, the cell to print and the value it must have."""

    label: str
    path: Path
    formulas: int
    last: str
    expected: float
    build_s: float


def build(label: str, tmp: Path) -> Book:
    t0 = time.perf_counter()
    kind, size, *style = label.split("-")
    shared = style == ["excel"]  # as Excel saves filled-down ranges (shared formulas)
    if kind == "chain":
        n = 100_000 if size == "100k" else 1_000_000
        path, last, expected = scale_books.chain(tmp / f"{label}.xlsx", n, shared=shared)
        formulas = n
    else:
        rows, cols = (1_000, 100) if size == "100k" else (1_000, 1_000)
        path, formulas = scale_books.grid(tmp / f"{label}.xlsx", rows, cols, shared=shared)
        last = f"Grid!{col_letters(cols)}{rows}"
        expected = scale_books.grid_value(rows, cols)[(rows, cols)]
    return Book(label, path, formulas, last, expected, time.perf_counter() - t0)


def _value(run: Run, book: Book) -> str:
    """``ok`` when the child printed the reference value, else what went wrong."""
    if run.timed_out:
        return f"killed at {OURS_TIMEOUT:.0f} s"
    if run.rc != 0:
        err = run.stderr.decode(errors="replace").strip().splitlines()
        return f"exit {run.rc}: {err[-1][:90] if err else ''}"
    try:
        got = json.loads(run.stdout)[book.last]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        return f"unreadable output ({type(exc).__name__}: {exc})"
    if got == book.expected:
        return "ok (exact)"
    if isinstance(got, float) and math.isclose(got, book.expected, rel_tol=1e-12):
        return f"ok within 1e-12 ({got!r} vs {book.expected!r})"
    return f"WRONG: {got!r}, reference {book.expected!r}"


def _verdict(seconds: float, mib: float) -> str:
    t = "≤ 20 s" if seconds <= BOUND_S else "> 20 s"
    m = "≤ 2 GB" if mib <= BOUND_MIB else "> 2 GB"
    return f"{t}, {m}"


def libreoffice(book: Book, tmp: Path, profile: Path) -> tuple[str, float | None]:
    """LibreOffice's time (text) and seconds, or None when it failed or was killed."""
    run = run_child([sys.executable, "-c", LO_MEMORY, str(book.path), str(tmp / f"lo-{book.label}"),
                     str(profile)], timeout=LO_TIMEOUT)
    if run.timed_out:
        return f">{LO_TIMEOUT:.0f} s", None
    if run.rc != 0:
        err = run.stderr.decode(errors="replace").strip().splitlines()
        return f"failed (exit {run.rc}: {err[-1][:60] if err else ''})", None
    mib = int(run.stdout.split()[-1]) / 1024
    return f"{run.seconds:.1f} s, {mib:.0f} MiB", run.seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-libreoffice", action="store_true", help="skip the LibreOffice runs")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="only workbooks whose label contains NAME (chain-100k, chain-1M, "
                    "grid-100k, grid-1M, chain-1M-excel, grid-1M-excel; repeatable)")
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="build the workbooks in DIR and keep them (default: a temp dir)")
    args = ap.parse_args()
    labels = [x for x in ("chain-100k", "grid-100k", "chain-1M", "grid-1M",
                          "chain-1M-excel", "grid-1M-excel")
              if not args.only or any(o in x for o in args.only)]
    if not labels:
        raise SystemExit(f"no workbook label matches {args.only}")
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as td:
        tmp = args.keep or Path(td)
        tmp.mkdir(parents=True, exist_ok=True)
        run(labels, tmp, not args.no_libreoffice, keep=args.keep is not None)
    print(f"\nbenchmark wall time: {time.perf_counter() - t_all:.0f} s")


def run(labels: list[str], tmp: Path, with_lo: bool, keep: bool = False) -> None:
    from templates.recalc.libreoffice import find_soffice, libreoffice_recalculate, recalc_profile

    cli = str(cli_path())
    print(f"llm-tco: {cli}; cores: {os.cpu_count()}; bound: ≤ {BOUND_S:.0f} s and "
          f"≤ {BOUND_MIB // 1024} GB per workbook (issue 15, item 3)")
    # Warm-up, untimed: .pyc files written, the interpreter and libraries in the page cache.
    compile_installed()
    warm, warm_last, _ = scale_books.chain(tmp / "warm-up.xlsx", 10)
    run_child([cli, "--help"])
    run_child([cli, "recalc", str(warm), "--cells", warm_last, "--format", "json"])

    soffice = find_soffice() if with_lo else None
    profile = None
    if with_lo and soffice is None:
        print("LibreOffice: not installed (skipped)")
    elif soffice:
        profile = recalc_profile(tmp / "lo-profile")
        t0 = time.perf_counter()
        try:
            libreoffice_recalculate([warm], tmp / "lo-first", soffice, timeout=LO_TIMEOUT,
                                    profile=profile)
            print(f"LibreOffice: {soffice}; its first start (profile set up, tiny workbook, "
                  f"not counted below): {time.perf_counter() - t0:.1f} s")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            print(f"LibreOffice's first start failed ({type(exc).__name__}); skipped")
            profile = None

    hdr = (f"{'workbook':14} {'formulas':>9} {'file':>7} {'llm-tco':>8} {'peak':>8}  "
           f"{'bound':16} {'value':24}" + ("  LibreOffice (time, peak)   LO/ours"
                                           if profile else ""))
    print("\n" + hdr)
    print("-" * len(hdr))
    built: dict[str, Book] = {}
    for label in labels:
        book = build(label, tmp)
        built[label] = book
        ours = run_child([cli, "recalc", str(book.path), "--cells", book.last, "--format",
                          "json", "--timeout", "0", "--max-memory", "0"], timeout=OURS_TIMEOUT)
        mib = ours.maxrss_kib / 1024
        line = (f"{label:14} {book.formulas:>9,} {book.path.stat().st_size / 1e6:>5.1f}MB "
                f"{ours.seconds:>7.1f}s {mib:>5.0f}MiB  {_verdict(ours.seconds, mib):16} "
                f"{_value(ours, book):24}")
        if profile:
            lo_text, lo_s = libreoffice(book, tmp, profile)
            ratio = (f"{lo_s / ours.seconds:.1f}×" if lo_s and ours.rc == 0 else
                     f"≥ {LO_TIMEOUT / ours.seconds:.1f}×" if lo_s is None and ours.rc == 0
                     and lo_text.startswith(">") else "—")
            line += f"  {lo_text:26} {ratio:>7}"
        print(line + f"   (built in {book.build_s:.0f} s)", flush=True)
        if label.endswith("1M") and not keep:
            book.path.unlink()  # tens of MB each: not kept beyond their own run

    small = [b for label, b in built.items() if label.endswith("100k")]
    if small:
        print("\n`llm-tco check` (cells store no value: every cell stale, exit 1 expected)")
        for book in small:
            chk = run_child([cli, "check", str(book.path), "--timeout", "0", "--max-memory",
                             "0"], timeout=OURS_TIMEOUT)
            lines = chk.stdout.count(b"\n")
            print(f"  {book.label:14} {chk.seconds:6.1f} s, peak {chk.maxrss_kib / 1024:4.0f} MiB, "
                  f"exit {'killed' if chk.timed_out else chk.rc}, {lines:,} lines of output")


if __name__ == "__main__":
    main()
