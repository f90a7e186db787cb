"""Benchmark: the recalculation engine on the outside workbooks of ``../shared/corpus``.

Run: ``env -u PYTHONDONTWRITEBYTECODE .venv/bin/python benchmarks/bench_corpus.py
[--quick] [--only NAME]… [--corpus DIR]``

Prints figures, not assertions (the corpus test, ``tests/templates/recalc/
test_corpus_agreement.py``, holds the floor):

1. Agreement with Excel's stored values, per workbook, in this process
   (:func:`templates.recalc.agreement.agreement`): formula cells, volatile cells (left
   out), cells that agree, degraded cells (kept Excel's value: not counted as agreeing),
   differing cells, refused workbooks, and the read + calculate time; then the totals and
   the overall agreement = agree / (formula cells − volatile), refused workbooks' cells
   counted as not agreeing.
2. Unless ``--quick``: whole processes, cold (a new process per run, interpreter start,
   imports and safety checks included; ``.pyc`` files written beforehand, as ``pip
   install`` writes them, and one untimed warm-up run), ``--repeat N`` rounds per workbook
   (default 3), each round running the three engines in turn so that a slow spell of
   this shared machine (runs of one workbook differ by up to 40 %) falls on all of them;
   each engine's best round counts, as timeit takes the best of its repeats:

   - ``llm-tco recalc BOOK --format json`` (the venv's ``bin/llm-tco``);
   - LibreOffice headless through :func:`templates.recalc.libreoffice.libreoffice_recalculate`
     (``soffice --headless --convert-to xlsx``, recalculation on load, in a fresh user
     profile made for this run; the profile's first start, which initialises it, is timed
     apart on the first workbook and not counted in the per-workbook figures);
   - plain ``formulas``: ``ExcelModel().loads(BOOK).finish().calculate()`` in a new Python
     process, killed after 60 s (printed ``>60 s``; a ratio with it is a lower bound).

   Then the ratios LibreOffice / llm-tco and formulas / llm-tco per workbook and in total
   (sums over the workbooks both engines finished; formulas' timeouts counted as 60 s),
   the slowest llm-tco workbook with all its runs, the workbooks above 1 s (by their best
   run, and in any run), peak memory (``ru_maxrss`` of the child, from
   ``wait4``, descendants included) on the largest workbook (by file size),
   ``llm-tco --help`` and ``llm-tco check`` over the whole corpus in ONE invocation.

Takes about 10 minutes on 2 cores with the default 3 rounds (the budget is 15;
``formulas`` on formulas_test.xlsx alone is some 50 s a round).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
FORMULAS_TIMEOUT = 60.0
LO_TIMEOUT = 180.0

PLAIN_FORMULAS = (
    "import sys, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "import formulas\n"
    "formulas.ExcelModel().loads(sys.argv[1]).finish().calculate()\n"
)

# The LibreOffice driver run in a child Python so that its wait4 gives soffice's peak
# memory (descendants included) without mixing it with this process's other children.
LO_MEMORY = (
    "import resource, sys\n"
    "from pathlib import Path\n"
    f"sys.path.insert(0, {str(ROOT)!r})\n"
    "from templates.recalc.libreoffice import libreoffice_recalculate\n"
    "libreoffice_recalculate([Path(sys.argv[1])], Path(sys.argv[2]), "
    "profile=Path(sys.argv[3]))\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


@dataclass
class Run:
    """One child process: wall time, exit code, peak memory (KiB), output."""

    seconds: float
    rc: int | None  # None: killed at the timeout
    maxrss_kib: int
    stdout: bytes
    stderr: bytes

    @property
    def timed_out(self) -> bool:
        return self.rc is None


def run_child(cmd: list[str], timeout: float | None = None) -> Run:
    """Run ``cmd`` in its own session; wall time and ``ru_maxrss`` from ``wait4``.

    On timeout the child's process group (the ones this started) is killed.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             env=env, start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t0
        if timer:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return Run(seconds, None if killed.is_set() else p.returncode, usage.ru_maxrss,
                   out.read(), err.read())


def _fmt_s(x: float | None, timed_out: bool = False, failed: str = "") -> str:
    if failed:
        return failed
    if timed_out:
        return f">{FORMULAS_TIMEOUT:.0f} s"
    return "—" if x is None else f"{x:.2f} s"


def _ratio(num: float | None, den: float | None, lower: bool = False) -> str:
    if num is None or den is None or den <= 0:
        return "—"
    return f"{'>' if lower else ''}{num / den:.1f}×"


def books(corpus: Path, only: list[str] | None) -> list[Path]:
    found = sorted(p for p in corpus.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm"))
    if only:
        found = [p for p in found if any(o.lower() in p.name.lower() for o in only)]
    return found


# 1. agreement ------------------------------------------------------------------------------
def agreement_table(paths: list[Path]) -> dict[str, object]:
    from templates.recalc.agreement import agreement

    print("1. Agreement with Excel's stored values (this process, templates.recalc.agreement)")
    hdr = (f"{'workbook':28} {'formula':>7} {'volat.':>6} {'agree':>6} {'degr.':>6} "
           f"{'differ':>6} {'agree %':>8} {'time':>7}")
    print(hdr)
    print("-" * len(hdr))
    tot = dict(formula=0, volatile=0, agree=0, degraded=0, differ=0, counted=0, seconds=0.0)
    refused: list[tuple[str, str]] = []
    t_all = time.perf_counter()
    for p in paths:
        a = agreement(str(p))
        tot["formula"] += a.formula_cells
        tot["volatile"] += a.volatile
        tot["agree"] += a.agree
        tot["degraded"] += len(a.degraded)
        tot["differ"] += len(a.differ)
        tot["counted"] += a.counted
        tot["seconds"] += a.seconds
        pct = f"{100 * a.agree / a.counted:7.2f}%" if a.counted else "      —"
        if a.refused:
            refused.append((p.name, a.refused))
            print(f"{p.name:28} {a.formula_cells:7,} {'REFUSED':>6}  {a.refused[:70]}")
            continue
        print(f"{p.name:28} {a.formula_cells:7,} {a.volatile:6,} {a.agree:6,} "
              f"{len(a.degraded):6,} {len(a.differ):6,} {pct:>8} {a.seconds:6.2f}s")
    wall = time.perf_counter() - t_all
    print("-" * len(hdr))
    overall = 100 * tot["agree"] / tot["counted"] if tot["counted"] else 0.0
    print(f"{'TOTAL (' + str(len(paths)) + ' workbooks)':28} {tot['formula']:7,} "
          f"{tot['volatile']:6,} {tot['agree']:6,} {tot['degraded']:6,} {tot['differ']:6,} "
          f"{overall:7.2f}% {tot['seconds']:6.2f}s")
    print(f"overall agreement: {tot['agree']:,} / {tot['counted']:,} counted cells = "
          f"{overall:.2f}%   [target ≥ 99.5%]; degraded {tot['degraded']:,} "
          f"({100 * tot['degraded'] / max(tot['counted'], 1):.2f}%), differ "
          f"{tot['differ']:,} ({100 * tot['differ'] / max(tot['counted'], 1):.2f}%); "
          f"refused workbooks: {len(refused)}; wall {wall:.1f} s")
    for name, why in refused:
        print(f"   refused {name}: {why}")
    return {"overall": overall, **tot}


# 2. whole processes -----------------------------------------------------------------------
def cli_path() -> Path:
    venv = ROOT / ".venv" / "bin" / "llm-tco"
    return venv if venv.exists() else Path(sys.executable).with_name("llm-tco")


def _better(run: Run, than: Run) -> bool:
    """A finished run beats a failed one; between finished runs the faster wins."""
    if run.rc != 0:
        return False
    return than.rc != 0 or run.seconds < than.seconds


def compile_installed() -> None:
    """Write the ``.pyc`` of every module of the project, as ``pip install`` does when it
    installs a package. An editable install (the test command's) writes them only on
    first import, and a module edited since is recompiled by the first process that
    imports it: 0.4–0.6 s once, for a module as large as functions/distributions.py,
    charged to whichever workbook calls it first. Untimed, like the other warm-ups."""
    run = subprocess.run([sys.executable, "-m", "compileall", "-q",
                          *(str(ROOT / pkg) for pkg in ("engine", "udfs", "templates", "addin"))],
                         capture_output=True, env={k: v for k, v in os.environ.items()
                                                   if k != "PYTHONDONTWRITEBYTECODE"})
    if run.returncode:
        raise SystemExit("compileall failed: " + run.stdout.decode(errors="replace")[-500:])


def processes(paths: list[Path], tmp: Path, repeat: int) -> None:
    from templates.recalc.libreoffice import find_soffice, libreoffice_recalculate, recalc_profile

    cli = str(cli_path())
    script = tmp / "plain_formulas.py"
    script.write_text(PLAIN_FORMULAS, encoding="utf-8")
    soffice = find_soffice()
    print(f"\n2. Whole processes, cold, best of {repeat} rounds (llm-tco: {cli}; LibreOffice: "
          f"{soffice or 'not installed'}; formulas killed after {FORMULAS_TIMEOUT:.0f} s)")
    # Warm-up, untimed: .pyc files written, the files in the page cache.
    compile_installed()
    run_child([cli, "--help"])
    run_child([cli, "recalc", str(paths[0]), "--format", "json"])
    run_child([sys.executable, "-c", "import formulas"])

    profile = recalc_profile(tmp / "lo-profile") if soffice else None
    lo_first = None
    if soffice:
        t0 = time.perf_counter()
        try:
            libreoffice_recalculate([paths[0]], tmp / "lo-first", soffice,
                                    timeout=LO_TIMEOUT, profile=profile)
            lo_first = time.perf_counter() - t0
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            print(f"   LibreOffice's first start failed: {exc}")

    hdr = (f"{'workbook':28} {'llm-tco':>8} {'LibreOff.':>9} {'formulas':>9} "
           f"{'LO/ours':>8} {'fml/ours':>8}  notes")
    print(hdr)
    print("-" * len(hdr))
    rows = []
    ours_runs: dict[str, list[float]] = {}
    for i, p in enumerate(paths):
        # `repeat` rounds, each running the three engines in turn, so that a slow spell
        # of the machine falls on all of them; each engine's best round counts
        best: dict[str, Any] = {}
        lo_s, lo_err = None, ""
        for k in range(repeat):
            run = run_child([cli, "recalc", str(p), "--format", "json"], timeout=LO_TIMEOUT)
            ours_runs.setdefault(p.name, []).append(run.seconds)
            if "ours" not in best or _better(run, best["ours"]):
                best["ours"] = run
            if soffice and not lo_err:
                t0 = time.perf_counter()
                try:
                    libreoffice_recalculate([p], tmp / f"lo-{i}-{k}", soffice,
                                            timeout=LO_TIMEOUT, profile=profile)
                    took = time.perf_counter() - t0
                    lo_s = took if lo_s is None else min(lo_s, took)
                except subprocess.CalledProcessError:
                    lo_err = "failed"
                except subprocess.TimeoutExpired:
                    lo_err = f">{LO_TIMEOUT:.0f} s"
            if "fml" not in best or not (best["fml"].rc or best["fml"].timed_out):
                run = run_child([sys.executable, str(script), str(p)], timeout=FORMULAS_TIMEOUT)
                if "fml" not in best or _better(run, best["fml"]):
                    best["fml"] = run
        ours, fml = best["ours"], best["fml"]
        if lo_err:
            lo_s = None
        notes = []
        if ours.rc:
            last = ours.stderr.decode(errors="replace").strip().splitlines()
            notes.append(f"llm-tco exit {ours.rc}" + (f": {last[-1][:60]}" if last else ""))
        fml_failed = ""
        if fml.rc:
            fml_failed = "error"
            last = fml.stderr.decode(errors="replace").strip().splitlines()
            notes.append("formulas: " + (last[-1][:70] if last else f"exit {fml.rc}"))
        ours_s = ours.seconds if ours.rc == 0 else None
        fml_s = None if fml_failed else (FORMULAS_TIMEOUT if fml.timed_out else fml.seconds)
        rows.append((p, ours_s, lo_s, fml_s, fml.timed_out, ours, fml))
        ours_txt = _fmt_s(ours.seconds, failed="" if ours.rc == 0 else f"exit {ours.rc}")
        print(f"{p.name:28} {ours_txt:>8} "
              f"{_fmt_s(lo_s, failed=lo_err):>9} "
              f"{_fmt_s(fml.seconds, fml.timed_out, fml_failed):>9} "
              f"{_ratio(lo_s, ours_s):>8} {_ratio(fml_s, ours_s, fml.timed_out):>8}  "
              + "; ".join(notes))
    print("-" * len(hdr))

    both_lo = [(r[1], r[2]) for r in rows if r[1] is not None and r[2] is not None]
    both_fml = [(r[1], r[3], r[4]) for r in rows if r[1] is not None and r[3] is not None]
    ours_total = sum(r[1] for r in rows if r[1] is not None)
    print(f"totals: llm-tco {ours_total:.2f} s over {sum(r[1] is not None for r in rows)} "
          f"workbooks")
    if both_lo:
        o, lo = sum(a for a, _ in both_lo), sum(b for _, b in both_lo)
        print(f"   LibreOffice / llm-tco: {lo:.2f} s / {o:.2f} s = {lo / o:.1f}× "
              f"({len(both_lo)} workbooks both finished); LibreOffice's first start with "
              f"the fresh profile {lo_first:.2f} s (not counted)"
              if lo_first is not None else
              f"   LibreOffice / llm-tco: {lo:.2f} s / {o:.2f} s = {lo / o:.1f}×")
        ratios = sorted(b / a for a, b in both_lo)
        print(f"   per workbook LibreOffice / llm-tco: min {ratios[0]:.1f}×, median "
              f"{ratios[len(ratios) // 2]:.1f}×, max {ratios[-1]:.1f}×")
    if both_fml:
        o, f = sum(a for a, _, _ in both_fml), sum(b for _, b, _ in both_fml)
        n_to = sum(t for _, _, t in both_fml)
        print(f"   formulas / llm-tco: {'≥ ' if n_to else ''}{f:.2f} s / {o:.2f} s = "
              f"{'>' if n_to else ''}{f / o:.1f}× ({len(both_fml)} workbooks formulas "
              f"finished or timed out; {n_to} timeouts counted as {FORMULAS_TIMEOUT:.0f} s; "
              f"{sum(1 for r in rows if r[3] is None)} formulas errors left out)")
        ratios = sorted(b / a for a, b, _ in both_fml)
        print(f"   per workbook formulas / llm-tco: min {ratios[0]:.1f}×, median "
              f"{ratios[len(ratios) // 2]:.1f}×, max {ratios[-1]:.1f}×")
    done = [r for r in rows if r[1] is not None]
    if done:
        slow = max(done, key=lambda r: r[1])
        runs = ours_runs[slow[0].name]
        print(f"slowest llm-tco workbook: {slow[0].name} {slow[1]:.2f} s (best of {repeat}; "
              f"runs {', '.join(f'{x:.2f}' for x in runs)})")
        above = sorted(n for n, xs in ours_runs.items() if min(xs) > 1.0)
        any_above = sorted(n for n, xs in ours_runs.items() if max(xs) > 1.0)
        print(f"   workbooks above 1 s: {len(above)} by their best run"
              f"{' (' + ', '.join(above) + ')' if above else ''}; {len(any_above)} in some "
              f"run{' (' + ', '.join(any_above) + ')' if any_above else ''}")

    # Peak memory on the largest workbook (file size).
    big = max(paths, key=lambda p: p.stat().st_size)
    ours = run_child([cli, "recalc", str(big), "--format", "json"], timeout=LO_TIMEOUT)
    fml = run_child([sys.executable, str(script), str(big)], timeout=FORMULAS_TIMEOUT)
    line = (f"peak memory (ru_maxrss) on the largest workbook, {big.name} "
            f"({big.stat().st_size / 1024:.0f} KiB): llm-tco {ours.maxrss_kib / 1024:.0f} MiB "
            f"({ours.seconds:.2f} s); formulas {fml.maxrss_kib / 1024:.0f} MiB"
            f"{' (killed at 60 s)' if fml.timed_out else ''}")
    if soffice:
        lo = run_child([sys.executable, "-c", LO_MEMORY, str(big), str(tmp / "lo-mem"),
                        str(profile)], timeout=LO_TIMEOUT)
        if lo.rc == 0 and lo.stdout.strip():
            line += f"; LibreOffice {int(lo.stdout.split()[-1]) / 1024:.0f} MiB"
    print(line)

    helps = [run_child([cli, "--help"]).seconds for _ in range(3)]
    print(f"`llm-tco --help`: {min(helps):.3f} s (best of 3; runs "
          f"{', '.join(f'{h:.3f}' for h in helps)})")

    chk = run_child([cli, "check", *map(str, paths)], timeout=600)
    text = chk.stdout.decode(errors="replace")
    fresh = len(re.findall(r"^\S.*: \d+ formula cells, all fresh$", text, re.M))
    stale = len(re.findall(r"^\S.*: \d+ of \d+ formula cells are stale", text, re.M))
    print(f"`llm-tco check` over the corpus in one invocation ({len(paths)} workbooks): "
          f"{chk.seconds:.2f} s, exit {chk.rc}; {fresh} all fresh, {stale} with stale "
          f"cells, {len(paths) - fresh - stale} other (unreadable/refused); peak "
          f"{chk.maxrss_kib / 1024:.0f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="agreement only (no processes)")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="only workbooks whose file name contains NAME (repeatable)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=3, metavar="N",
                    help="rounds of whole processes per workbook; each engine's best counts "
                         "(default 3)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if not args.corpus.is_dir():
        raise SystemExit(f"corpus not found: {args.corpus}")
    paths = books(args.corpus, args.only)
    if not paths:
        raise SystemExit(f"no workbook of {args.corpus} matches {args.only}")
    t0 = time.perf_counter()
    print(f"corpus: {args.corpus} ({len(paths)} workbooks); cores: {os.cpu_count()}")
    agreement_table(paths)
    if not args.quick:
        with tempfile.TemporaryDirectory() as td:
            processes(paths, Path(td), max(1, args.repeat))
    print(f"\nbenchmark wall time: {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
