"""udfs.vectorised: many scenarios at once give exactly the cells udfs.call gives one by one."""


import numpy as np
import pytest

from udfs import call
from udfs.excel_errors import NUM
from udfs.vectorised import FAST, vectorised_functions

RNG = np.random.default_rng(7)
N = 200


def _volumes(n=N):
    x = RNG.uniform(0, 5e6, n)
    x[::17] = -1.0  # out of range → #NUM! in those scenarios only
    x[5] = np.nan
    x[6] = np.inf
    return x


CASES = {
    "LLM_API_COST": ("gpt-4o", _volumes(), _volumes(), None, True),
    "LLM_API_MONTHLY": ("claude-sonnet-4-5", RNG.uniform(0, 1e4, N), _volumes(),
                        RNG.uniform(1, 2e3, N), RNG.uniform(-0.2, 1.2, N), 0.5),
    "BREAKEVEN_MONTHS": (RNG.uniform(-1e4, 1e5, N), RNG.uniform(-100, 1e4, N)),
    "SELFHOST_GPUS": ("Llama-3.1-8B", "H100-SXM", RNG.uniform(0, 5e5, 20), 1500, 500),
    "TOKENS_ESTIMATE": (np.array(["abc", "hello world", "", "12"], dtype=object),),
}


def _one_by_one(name, args, n):
    out = []
    for i in range(n):
        cell = [a[i] if isinstance(a, np.ndarray) else a for a in args]
        out.append(call(name, *[c.item() if isinstance(c, np.generic) else c for c in cell]))
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_cells_as_the_cell_path(name):
    args = CASES[name]
    n = max(len(a) for a in args if isinstance(a, np.ndarray))
    got = vectorised_functions()[name](*args)
    want = _one_by_one(name, args, n)
    assert got.shape == (n,)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert type(g) is type(w) or (isinstance(w, float) and isinstance(g, float)), i
        assert g == w, (name, i, g, w)


def test_clean_inputs_take_one_engine_call_and_give_floats(monkeypatch):
    import udfs.catalog

    assert {"LLM_API_COST", "LLM_API_MONTHLY", "BREAKEVEN_MONTHS"} <= FAST

    def per_cell(*args):  # the element-by-element path must not be taken for clean inputs
        raise AssertionError("a clean scenario was computed cell by cell")

    monkeypatch.setattr(udfs.catalog, "_run", per_cell)
    x = RNG.uniform(0, 1e7, 100_000)
    got = vectorised_functions()["LLM_API_COST"]("gpt-4o", x, x / 3)
    assert got.dtype == float
    # gpt-4o list prices (genai-prices 0.2.3): $2.50 in, $10 out per 1M tokens.
    np.testing.assert_allclose(got, x * 2.5e-6 + x / 3 * 10e-6, rtol=1e-12)


def test_errors_stay_in_their_scenario():
    got = vectorised_functions()["LLM_API_COST"]("gpt-4o", np.array([1e6, -1.0, 2e6]), 0)
    assert list(got) == [2.5, NUM, 5.0] and got[1].reason == "input_tokens must be >= 0; got -1"
    assert list(vectorised_functions()["LLM_API_COST"]("nope", np.array([1.0, 2.0]), 0)) == \
        ["#N/A", "#N/A"]


def test_shapes_are_checked():
    f = vectorised_functions()["LLM_API_COST"]
    with pytest.raises(ValueError):
        f("gpt-4o", np.ones(3), np.ones(4))
    with pytest.raises(ValueError):
        f("gpt-4o", np.ones((2, 2)), 0)
