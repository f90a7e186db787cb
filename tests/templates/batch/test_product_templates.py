"""The product templates: cell-for-cell equal to the engine (``recalc``),
at the built-in values and on randomised scenarios of their main inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from templates.recalc.batch import compile_workbook

from .reference import EngineReference
from .test_equality import same

TEMPLATES = ["api-vs-selfhost", "hybrid", "finetune"]
# Each template also with the add-in cross-check cells (evaluated element by element).
VARIANTS = [*TEMPLATES, *(f"{t}+udfs" for t in TEMPLATES)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from templates import build_template

    out = {}
    for name in VARIANTS:
        p = tmp_path_factory.mktemp("tpl") / f"{name.replace('+', '-')}.xlsx"
        if name.endswith("+udfs"):
            build_template(name.removesuffix("+udfs"), p, with_udfs=True)
        else:
            build_template(name, p)
        out[name] = p
    return out


def _check(plan, ref, results, i, inputs_scenario):
    expected = ref.calculate(inputs_scenario)
    bad = []
    for key, v in results.items():
        ours, theirs = v.item(i), expected.get((key[0].upper(), key[1], key[2]))
        if not same(ours, theirs):
            bad.append(f"{plan.describe(key)} {plan.texts[key]}: {ours!r} vs {theirs!r}")
    assert not bad, f"{len(bad)} cells differ, e.g. " + "; ".join(bad[:5])


@pytest.mark.parametrize("name", VARIANTS)
def test_template_matches_the_engine(built, name):
    path = built[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = compile_workbook(path)
    ref = EngineReference(path)
    _check(plan, ref, plan.evaluate(), 0, {})
    ins = plan.input_names()[:4]
    if not ins:
        return
    rng = np.random.default_rng(1)
    keys = {n: plan.resolve_ref(n) for n in ins}
    base = {n: float(plan.consts[keys[n]].d[0]) for n in ins}
    n = 2 if name.endswith("+udfs") else 3  # add-in cells cost engine time per scenario
    arrays = {nm: base[nm] * rng.uniform(0.5, 2.0, n) for nm in ins}
    results = plan.evaluate(arrays)
    for i in range(n):
        _check(plan, ref, results, i, {keys[nm]: float(arrays[nm][i]) for nm in ins})
