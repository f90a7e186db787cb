"""Benchmark: compiled batch evaluation vs plain ``formulas`` and LibreOffice, one workbook.

Run: ``.venv/bin/python benchmarks/bench_batch.py [--book PATH] [--json]``

Workbook: the ``api-vs-selfhost`` product template (``templates.build_template``), or the
one given with ``--book``. The output says which.

Figures (wall-clock, this machine):

1. plain ``formulas``: ``ExcelModel().loads(p).finish().calculate()``;
2. ours, single recalculation in process: cold (read + compile + evaluate; there is no
   cross-process plan cache) and from the in-memory plan (hash + evaluate);
3. ours, a 10,000-scenario sweep (100 × 100 grid), end to end through ``sweep()``;
4. plain ``formulas`` compiled per scenario (``model.compile(inputs, outputs)``), timed on
   20 scenarios and extrapolated to 10,000 (said so in the output);
5. LibreOffice headless per file (convert xlsx → xlsx with recalculation forced on load
   in a fresh profile) when ``soffice`` is installed;
6. ours, Monte Carlo of 100,000 draws (3 distributions, with the tornado);
7. ``llm-tco recalc`` end to end in a new process vs a plain-``formulas`` script;
8. ``llm-tco sweep`` (10,000 scenarios) and ``llm-tco simulate`` (100,000 draws) end to end,
   each a new process, as a user runs them.

No assertion here: targets are printed next to the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402


def _timeit(fn, repeat: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _workbook(tmp: Path, given: str | None) -> tuple[Path, str]:
    if given:
        return Path(given), f"given: {given}"
    from templates import build_template

    p = tmp / "api-vs-selfhost.xlsx"
    build_template("api-vs-selfhost", p)
    return p, "the api-vs-selfhost product template"


def _libreoffice(book: Path, tmp: Path) -> dict | None:
    from templates.recalc.libreoffice import find_soffice, libreoffice_recalculate, recalc_profile

    soffice = find_soffice()
    if soffice is None:
        return None
    profile = recalc_profile(tmp / "lo-profile")
    times = []
    for i in range(3):
        t0 = time.perf_counter()
        try:
            libreoffice_recalculate([book], tmp / f"lo-out-{i}", soffice, profile=profile)
        except subprocess.CalledProcessError as exc:
            return {"error": (exc.stderr or b"").decode(errors="replace")[-300:]}
        times.append(time.perf_counter() - t0)
    return {"first_run_s": times[0], "per_file_s": min(times[1:])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--book", help="benchmark this workbook instead")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--no-libreoffice", action="store_true")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    import formulas

    from templates.recalc.batch import clear_memory, compile_workbook, get_plan
    from templates.recalc.batch.simulate import simulate
    from templates.recalc.batch.sweep import sweep
    from templates.recalc.parser import col_letters

    res: dict = {}
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        book, what = _workbook(tmp, args.book)
        res["workbook"] = what
        plan = compile_workbook(book)
        res["formula_cells"] = len(plan.formulas)
        # Outputs: the out_* names; inputs: the two numeric inputs that move the most cells.
        ins, outs = plan.input_names(), plan.output_names()
        if not outs:
            outs = [n for n in plan.name_text.values()
                    if plan.resolve_ref(n) in plan.formulas][:3]
        if len(ins) < 2:
            raise SystemExit(f"need two numeric inputs feeding the outputs; found {ins}")
        # Traffic is the headline uncertainty of a TCO model: vary it first when named.
        traffic = [n for n in ins if n.lower() in ("in_requests_per_day", "requests_per_day")]
        ins = (traffic + [n for n in ins if n not in traffic])[:2]
        res["inputs"], res["outputs"] = ins, outs
        print(f"workbook: {what}\n  {len(plan.formulas):,} formula cells; inputs {ins}; "
              f"outputs {outs}")

        # 1. plain formulas, load + calculate
        def plain():
            return formulas.ExcelModel().loads(str(book)).finish().calculate()

        t_plain, _ = _timeit(plain)
        res["formulas_load_calculate_s"] = t_plain

        # 2. ours, single recalculation, cold and with the plan in memory
        def ours_cold():
            clear_memory()
            return compile_workbook(book).evaluate()

        t_cold, _ = _timeit(ours_cold, 3)
        clear_memory()
        get_plan(book)

        def ours_cached():
            return get_plan(book).evaluate()

        t_cached, _ = _timeit(ours_cached, 5)
        res["ours_single_cold_s"] = t_cold
        res["ours_single_memory_plan_s"] = t_cached

        # 3. ours, 10,000-scenario sweep (100 × 100 grid), end to end (plan in memory)
        base = {i: float(plan.consts[plan.resolve_ref(i)].d[0]) for i in ins}
        vary = {ins[0]: f"{base[ins[0]] * 0.1}:{base[ins[0]] * 10}:100:log",
                ins[1]: f"{base[ins[1]] * 0.5}:{base[ins[1]] * 2}:100"}
        get_plan(book)
        sweep(book, vary, outs)  # warm: subset orders cached
        t_sweep, df = _timeit(lambda: sweep(book, vary, outs), 3)
        res["ours_sweep_10000_s"] = t_sweep
        res["sweep_rows"] = len(df)

        # 4. plain formulas compiled, per scenario, 20 scenarios → extrapolated
        from templates.recalc.formulas_oracle import register_functions

        register_functions()  # our functions and Excel's ROUND, as the oracle runs it
        model = formulas.ExcelModel().loads(str(book)).finish()

        def fkey(ref: str) -> str:  # formulas' cell name, '[book.xlsx]SHEET'!A1
            sheet, r, c = plan.resolve_ref(ref)
            tail = f"]{sheet.upper()}'!{col_letters(c)}{r}"
            return next(k for k in model.cells if k.upper().endswith(tail))

        t0 = time.perf_counter()
        func = model.compile(inputs=[fkey(i) for i in ins], outputs=[fkey(o) for o in outs])
        t_compile = time.perf_counter() - t0
        grid_a = df[ins[0]].to_numpy()
        grid_b = df[ins[1]].to_numpy()
        idx = np.linspace(0, len(df) - 1, 20).astype(int)
        t0 = time.perf_counter()
        for i in idx:
            func(float(grid_a[i]), float(grid_b[i]))
        t20 = time.perf_counter() - t0
        per = t20 / len(idx)
        res["formulas_compile_s"] = t_compile
        res["formulas_compiled_per_scenario_s"] = per
        res["formulas_compiled_10000_extrapolated_s"] = per * 10_000

        # 5. LibreOffice
        lo = None if args.no_libreoffice else _libreoffice(book, tmp)
        res["libreoffice"] = lo

        # 7. End to end as a user runs it: a new process each time (interpreter start,
        # imports, safety checks included), `llm-tco recalc` vs a plain-formulas script.
        cli = Path(sys.executable).with_name("llm-tco")
        plain_script = ("import formulas; "
                        f"formulas.ExcelModel().loads({str(book)!r}).finish().calculate()")
        t_cli_end, _ = _timeit(lambda: subprocess.run(
            [str(cli), "recalc", str(book), "--format", "json"], check=True,
            capture_output=True), repeat=3)
        t_plain_end, _ = _timeit(lambda: subprocess.run(
            [sys.executable, "-c", plain_script], check=True, capture_output=True), repeat=3)
        res["cli_recalc_end_to_end_s"] = t_cli_end
        res["plain_formulas_process_end_to_end_s"] = t_plain_end

        # 6. Monte Carlo, 100,000 draws
        dists = {ins[0]: f"lognormal({np.log(base[ins[0]])}, 0.8)",
                 ins[1]: f"pert({base[ins[1]] * 0.5}, {base[ins[1]]}, {base[ins[1]] * 2})"}
        cmp = None
        low = [o.lower() for o in outs]
        if "out_selfhost_monthly" in low and "out_api_monthly" in low:
            cmp = (outs[low.index("out_selfhost_monthly")], outs[low.index("out_api_monthly")])
        t_mc, mc = _timeit(lambda: simulate(book, dists, 100_000, outs, seed=1, compare=cmp))
        res["ours_monte_carlo_100000_s"] = t_mc
        res["monte_carlo_p_a_less_b"] = mc.p_a_less_b

        # 8. sweep and simulate as a user runs them: a new process each (imports, read,
        # compile, evaluate, output written).
        vary_args = [a for ref, spec in vary.items() for a in ("--vary", f"{ref}={spec}")]
        dist_args = [a for ref, spec in dists.items() for a in ("--dist", f"{ref}={spec}")]
        out_csv = tmp / "sweep.csv"
        t_cli_sweep, _ = _timeit(lambda: subprocess.run(
            [str(cli), "sweep", str(book), *vary_args, "--outputs", ",".join(outs),
             "-o", str(out_csv), "--no-progress"], check=True, capture_output=True), repeat=3)
        t_cli_mc, _ = _timeit(lambda: subprocess.run(
            [str(cli), "simulate", str(book), "-n", "100000", "--seed", "1", *dist_args,
             "--outputs", ",".join(outs), "--format", "json", "--no-progress"],
            check=True, capture_output=True), repeat=3)
        res["cli_sweep_10000_end_to_end_s"] = t_cli_sweep
        res["cli_simulate_100000_end_to_end_s"] = t_cli_mc

    rate_ours = 10_000 / t_sweep
    rate_formulas = 1 / per
    res["sweep_speedup_vs_formulas_compiled"] = rate_ours / rate_formulas
    res["single_speedup_cold_vs_formulas"] = t_plain / t_cold
    res["single_speedup_memory_plan_vs_formulas"] = t_plain / t_cached
    if lo and "per_file_s" in lo:
        res["sweep_speedup_vs_libreoffice_per_file"] = lo["per_file_s"] * rate_ours
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"1. plain formulas load+calculate:            {t_plain:8.3f} s")
    print(f"2. ours single recalc, cold (read+compile):   {t_cold:8.3f} s   "
          f"{t_plain / t_cold:6.1f}× faster than (1)   [target ≥ 10×]")
    print(f"   ours single recalc, plan in memory:        {t_cached:8.3f} s   "
          f"{t_plain / t_cached:6.1f}× faster than (1)")
    print(f"3. ours sweep, 10,000 scenarios (100×100):    {t_sweep:8.3f} s   "
          f"({rate_ours:,.0f} scenarios/s)   [target ≤ 2 s]")
    print(f"4. plain formulas compiled, per scenario:     {per * 1e3:8.2f} ms  "
          f"(timed on 20 scenarios; compile {t_compile:.2f} s not included)")
    print(f"   → 10,000 scenarios EXTRAPOLATED:           {per * 10_000:8.1f} s")
    print(f"   sweep speed-up vs (4):                     "
          f"{rate_ours / rate_formulas:8.0f}×   [target ≥ 1,000×]")
    if lo is None:
        why = "--no-libreoffice" if args.no_libreoffice else "soffice not installed"
        print(f"5. LibreOffice: skipped ({why})")
    elif "error" in lo:
        print(f"5. LibreOffice failed: {lo['error']}")
    else:
        print(f"5. LibreOffice headless per file:             {lo['per_file_s']:8.3f} s   "
              f"(first run with a fresh profile {lo['first_run_s']:.2f} s); "
              f"ours per scenario in the sweep is "
              f"{lo['per_file_s'] * rate_ours:,.0f}× faster")
    print(f"6. ours Monte Carlo, 100,000 draws:           {t_mc:8.3f} s   [target ≤ 10 s]"
          + (f"   P(self-host < API) = {mc.p_a_less_b:.3f}" if cmp else ""))
    print(f"7. `llm-tco recalc` end to end (new process): {t_cli_end:8.3f} s   [target ≤ 2 s]; "
          f"plain formulas script end to end {t_plain_end:.3f} s → "
          f"{t_plain_end / t_cli_end:.1f}×")
    print(f"8. `llm-tco sweep` 10,000 scenarios, new process:    {t_cli_sweep:8.3f} s   "
          "[target ≤ 2 s]")
    print(f"   `llm-tco simulate` 100,000 draws, new process:   {t_cli_mc:8.3f} s   "
          "[target ≤ 10 s]")
    print(f"cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
