"""Benchmark: ``llm-tco recalc`` cold on the three product templates vs LibreOffice and formulas.

Run: ``env -u PYTHONDONTWRITEBYTECODE .venv/bin/python benchmarks/bench_templates.py
[--repeat N]``

Each template is generated with ``llm-tco template NAME -o FILE`` (the names from
``llm-tco template --list``: api-vs-selfhost, hybrid, finetune), then recalculated as whole
processes, cold (a new process per run: interpreter start, imports, safety checks, read,
compile and evaluate; ``.pyc`` files written beforehand as ``pip install`` writes them, and
an untimed warm-up run), best
of ``--repeat`` runs (default 3):

- ``llm-tco recalc FILE --format json`` (the venv's ``bin/llm-tco``);
- LibreOffice headless through :func:`templates.recalc.libreoffice.libreoffice_recalculate`
  (``soffice --headless --convert-to xlsx``, recalculation on load, in a fresh user profile
  made for this run; its first start, which initialises the profile, is printed apart);
- plain ``formulas``: ``ExcelModel().loads(FILE).finish().calculate()`` in a new Python
  process (killed after 60 s).

Targets (issue 13): LibreOffice / llm-tco ≥ 10×, formulas / llm-tco ≥ 20×. No assertion.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_corpus import (  # noqa: E402
    FORMULAS_TIMEOUT,
    LO_TIMEOUT,
    PLAIN_FORMULAS,
    cli_path,
    compile_installed,
    run_child,
)

TEMPLATES = ("api-vs-selfhost", "hybrid", "finetune")
TARGET_LO, TARGET_FORMULAS = 10.0, 20.0


def _template_names(cli: str) -> list[str]:
    """Template names from ``llm-tco template --list`` (lines not indented)."""
    run = run_child([cli, "template", "--list"])
    names = [ln.split(":", 1)[0].strip() for ln in run.stdout.decode().splitlines()
             if ln and not ln[0].isspace() and ":" in ln]
    return names or list(TEMPLATES)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per engine; best is kept")
    args = ap.parse_args()
    from templates.recalc import Recalculation
    from templates.recalc.libreoffice import find_soffice, libreoffice_recalculate, recalc_profile

    cli = str(cli_path())
    soffice = find_soffice()
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        script = tmp / "plain_formulas.py"
        script.write_text(PLAIN_FORMULAS, encoding="utf-8")
        names = _template_names(cli)
        books = {}
        for name in names:
            path = tmp / f"{name}.xlsx"
            gen = run_child([cli, "template", name, "-o", str(path)])
            if gen.rc != 0:
                raise SystemExit(f"llm-tco template {name} failed: {gen.stderr.decode()}")
            books[name] = path
        print(f"templates: {', '.join(names)} (generated with `llm-tco template NAME -o`); "
              f"llm-tco: {cli}; LibreOffice: {soffice or 'not installed'}; best of "
              f"{args.repeat} cold processes; cores: {os.cpu_count()}")

        # Warm-up, untimed.
        compile_installed()
        first = next(iter(books.values()))
        run_child([cli, "recalc", str(first), "--format", "json"])
        run_child([sys.executable, "-c", "import formulas"])
        profile = recalc_profile(tmp / "lo-profile") if soffice else None
        lo_first = None
        if soffice:
            t0 = time.perf_counter()
            libreoffice_recalculate([first], tmp / "lo-first", soffice, timeout=LO_TIMEOUT,
                                    profile=profile)
            lo_first = time.perf_counter() - t0

        hdr = (f"{'template':16} {'cells':>8} {'llm-tco':>8} {'LibreOff.':>9} "
               f"{'formulas':>9} {'LO/ours':>8} {'fml/ours':>8}  peak MiB ours/fml")
        print(hdr)
        print("-" * len(hdr))
        tot = {"ours": 0.0, "lo": 0.0, "fml": 0.0}
        fml_timeouts = 0
        for name, path in books.items():
            cells = len(Recalculation(path).formulas)
            ours_runs = [run_child([cli, "recalc", str(path), "--format", "json"],
                                   timeout=LO_TIMEOUT) for _ in range(args.repeat)]
            bad = [r for r in ours_runs if r.rc != 0]
            if bad:
                raise SystemExit(f"llm-tco recalc {name} failed: {bad[0].stderr.decode()}")
            ours = min(r.seconds for r in ours_runs)
            ours_mem = max(r.maxrss_kib for r in ours_runs) / 1024
            lo = None
            if soffice:
                times = []
                for i in range(args.repeat):
                    t0 = time.perf_counter()
                    try:
                        libreoffice_recalculate([path], tmp / f"lo-{name}-{i}", soffice,
                                                timeout=LO_TIMEOUT, profile=profile)
                    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                        break
                    times.append(time.perf_counter() - t0)
                lo = min(times) if times else None
            fml_runs = [run_child([sys.executable, str(script), str(path)],
                                  timeout=FORMULAS_TIMEOUT) for _ in range(args.repeat)]
            fml_ok = [r for r in fml_runs if r.rc == 0]
            timed_out = not fml_ok and any(r.timed_out for r in fml_runs)
            fml = (min(r.seconds for r in fml_ok) if fml_ok
                   else FORMULAS_TIMEOUT if timed_out else None)
            fml_timeouts += timed_out
            fml_mem = max(r.maxrss_kib for r in fml_runs) / 1024
            tot["ours"] += ours
            tot["lo"] += lo or 0.0
            tot["fml"] += fml or 0.0
            lo_txt = f"{lo:.2f} s" if lo is not None else "—"
            fml_txt = (f">{FORMULAS_TIMEOUT:.0f} s" if timed_out
                       else f"{fml:.2f} s" if fml is not None else "error")
            r_lo = f"{lo / ours:.1f}×" if lo is not None else "—"
            r_fml = (f"{'>' if timed_out else ''}{fml / ours:.1f}×" if fml is not None
                     else "—")
            print(f"{name:16} {cells:8,} {ours:6.3f} s {lo_txt:>9} {fml_txt:>9} "
                  f"{r_lo:>8} {r_fml:>8}  {ours_mem:.0f}/{fml_mem:.0f}")
        print("-" * len(hdr))
        o = tot["ours"]
        line = f"{'total':16} {'':8} {o:6.3f} s"
        if soffice:
            line += (f" {tot['lo']:7.2f} s {tot['fml']:7.2f} s {tot['lo'] / o:7.1f}× "
                     f"{'>' if fml_timeouts else ''}{tot['fml'] / o:7.1f}×")
        print(line)
        if soffice:
            print(f"LibreOffice / llm-tco {tot['lo'] / o:.1f}× [target ≥ {TARGET_LO:.0f}×: "
                  f"{'met' if tot['lo'] / o >= TARGET_LO else 'NOT met'}]; "
                  f"LibreOffice's first start with the fresh profile {lo_first:.2f} s "
                  f"(not counted)")
        print(f"formulas / llm-tco {tot['fml'] / o:.1f}× [target ≥ {TARGET_FORMULAS:.0f}×: "
              f"{'met' if tot['fml'] / o >= TARGET_FORMULAS else 'NOT met'}]")
    print(f"benchmark wall time: {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
