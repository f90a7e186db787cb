"""Reasons that are right: each #NUM!/#VALUE! names the argument at fault and the rule, with
the user's value as typed; overflow says overflow; LLM_WHY gives "" where there is nothing to
explain (issue 15, item 4). And a range call gives, cell for cell, what the cells give one
by one (issue 15, item 1: the vectorised path may not change an answer).

Reference texts are the rules documented in each argument (udfs/functions.py) and Excel's own
limit, 1.7976931348623157e308 (the largest IEEE 754 double, Excel specifications and limits).
"""

import numpy as np
import pytest

import udfs
from tests.robustness import hostile
from udfs import call, why
from udfs.excel_errors import NA, NUM, VALUE

BASE = ("gpt-4o", "Llama-3.1-8B", "H100-SXM")


@pytest.mark.parametrize("name", sorted(udfs.FUNCTIONS))
def test_every_reason_names_an_argument_of_the_signature(name):
    # Property: over seeded hostile calls, a #NUM!/#VALUE! we make names an argument.
    wrong = []
    for i, (n, args) in enumerate(hostile.calls(name, 1_500, seed=99)):
        wrong += [f"call {i} {args!r}: {w}" for w in hostile.bad_reasons(n, args, call(n, *args))]
    assert not wrong, "\n".join(wrong[:10])


def test_overflow_says_overflow():
    got = call("LLM_API_COST", "gpt-4o", 1e308, 1e308)
    assert got == NUM and "overflow" in got.reason and "never" not in got.reason
    assert "input_tokens = 1e+308" in got.reason


def test_never_breaks_even_says_never_and_names_the_argument():
    got = call("BREAKEVEN_MONTHS", 60_000, -5)
    assert got == NUM and "never" in got.reason and "monthly_savings_usd" in got.reason


def test_growth_that_overflows_blames_monthly_growth_without_numpy_reprs():
    # 10 000 × 11^599 requests/day is beyond 1.8e308: the growth is at fault, not the volume.
    for args in ((*BASE, 10_000, 1500, 500, 600, 10), (*BASE, 10_000, 1500, 500, 600, "api", 10)):
        name = "TCO_TABLE" if len(args) == 8 else "TCO_MONTHLY"
        r = why(name, *args)
        assert r.startswith("monthly_growth ") and r.endswith("got 10"), r
        assert "array(" not in r and "requests_per_day must" not in r


def test_values_shown_as_typed():
    assert why("LLM_API_COST", "gpt-4o", -1, 0) == "input_tokens must be >= 0; got -1"
    assert why("LLM_API_COST", "gpt-4o", -0.25, 0) == "input_tokens must be >= 0; got -0.25"
    assert why("HYBRID_COST", *BASE, 10_000, 1500, 500, 1.5) == "share must be <= 1; got 1.5"
    assert why("LLM_API_COST", "gpt-4o", "lots", 0) == \
        "input_tokens must be a number; got text 'lots'"
    assert why("LLM_API_COST", "gpt-4o", "-5", 0) == "input_tokens must be >= 0; got text '-5'"
    r = why("SELFHOST_GPUS", "Llama-3.1-8B", "H100-SXM", 1000, 1500, 500, "fp9")
    assert r.startswith("precision must be one of ") and r.endswith("got 'fp9'")


def test_unknown_names_blame_the_argument_they_are_in():
    assert why("LLM_PRICE", "gpt-4o", "input", "no-such-provider").startswith("provider ")
    assert why("LLM_PRICE", "gpt-4oo", "input").startswith("model ")
    assert why("HYBRID_COST", "gpt-4oo", "Llama-3.1-8B", "H100-SXM", 1, 1, 1, 0.5).startswith(
        "api_model ")
    assert why("HYBRID_COST", "gpt-4o", "Llama-9", "H100-SXM", 1, 1, 1, 0.5).startswith(
        "open_model ")
    assert "did you mean 'gpt-4o'" in why("LLM_API_COST", "gpt-4oo", 1, 1)


def test_llm_why_of_an_error_without_a_reason_is_empty_text():
    # An error passed in from a cell carries no reason of ours: "" (not the text "#N/A",
    # which ISERROR calls FALSE).
    assert call("LLM_WHY", "LLM_API_COST", "gpt-4o", "#N/A", 1) == ""
    assert why("LLM_API_COST", "gpt-4o", "#DIV/0!", 1) == ""
    assert call("LLM_WHY", "LLM_API_COST", "gpt-4o", 1, 1) == ""


def test_range_reasons_name_the_argument():
    assert "input_tokens" in call("LLM_API_COST", "gpt-4o", [[1], [2]], [[1], [2], [3]]).reason
    assert "input_tokens" in call("LLM_API_COST", "gpt-4o", [[1, 2], [3]], 1).reason
    assert "requests_per_day" in call("TCO_TABLE", *BASE, [[1.0], [2.0]], 1500, 500).reason


# Range calls against the same cells one by one: values from hostile.py's valid and hostile
# pools, so the vectorised path, its bisection and its per-cell errors are all exercised.
@pytest.mark.parametrize("name", sorted(set(udfs.FUNCTIONS) - {"TCO_TABLE", "LLM_WHY"}))
def test_a_range_gives_what_its_cells_give_one_by_one(name):
    fn = udfs.FUNCTIONS[name]
    import random

    rng = random.Random(f"range:{name}")
    for trial in range(6):
        args = [hostile._cell(rng, a) for a in fn.args]
        k = rng.randrange(len(fn.args))  # the argument given as a 40-cell column
        column = [[hostile._valid(rng, fn.args[k]) if rng.random() < 0.8 else
                   hostile._hostile(rng)] for _ in range(40)]
        got = call(name, *args[:k], column, *args[k + 1:])
        for i, (cell,) in enumerate(column):
            one = call(name, *args[:k], cell, *args[k + 1:])
            if isinstance(one, list):
                one = VALUE  # a table in one element of an array is #VALUE!
            g = got[i][0] if isinstance(got, list) else got
            assert g == one and type(g) is type(one), (trial, i, args, k, cell, g, one)
            if isinstance(one, udfs.ExcelError) and one.reason:  # #N/A too (unknown names)
                assert g.reason == one.reason, (trial, i, g.reason, one.reason)


def test_a_million_cell_range_is_one_call():
    # 1000 × 1000 cells broadcast from a column and a row (issue 15's 83 s case).
    col = np.arange(1000.0).reshape(-1, 1) * 1e3
    got = call("LLM_API_COST", "gpt-4o", col, col.T)
    assert len(got) == 1000 and len(got[0]) == 1000
    # gpt-4o list prices (genai-prices 0.2.3): $2.50 in, $10 out per 1M tokens.
    assert got[999][1] == pytest.approx(999e3 * 2.5e-6 + 1e3 * 10e-6, rel=1e-12)


def test_vectorised_strategy_agrees_with_the_engine_rules():
    # engine.strategy_of (ranges) against engine.recommend_strategy (one cell), seeded.
    import engine as e

    rng = np.random.default_rng(15)
    t = 10 ** rng.uniform(5, 9, 2000)
    api = rng.uniform(0, 1e5, 2000)
    own = rng.uniform(0, 1e5, 2000)
    api[::50] = 0.0
    for flags in [(True,) * 6, (True, True, True, False, False, True), (False,) * 6]:
        got = e.strategy_of(t, api, own, *flags)
        want = [e.recommend_strategy(*x, *flags).strategy for x in zip(t, api, own, strict=True)]
        assert got.tolist() == want


def test_vectorised_strategy_reasons_are_the_engine_texts():
    # engine.strategy_texts (a range WITH reasons) against str(engine.recommend_strategy) cell
    # by cell, seeded: volumes on and between the rule thresholds (5M, 20M), savings on and
    # near 15 % and on halves of a percent (the "{:.0%}" rounding), zero API cost, per-cell
    # flags (every "missing" combination of a hybrid).
    import engine as e

    rng = np.random.default_rng(16)
    n = 3000
    t = np.concatenate([10 ** rng.uniform(5, 9, n - 6), [0.0, 5e6, 20e6, 4999999.9, 2e7, 1e300]])
    api = rng.choice([0.0, 1e4, 2e4, 123456.789], n)
    own = np.where(rng.random(n) < 0.5, api * (1 - rng.choice([0.15, 0.145, 0.155, 0.5, 0.125,
                                                                 0.005, -0.3], n)),
                   rng.uniform(0, 1e5, n))
    flags = [rng.random(n) < 0.5 for _ in range(6)]
    got = e.strategy_texts(t, api, own, *flags)
    want = [str(e.recommend_strategy(*x[:3], *map(bool, x[3:])))
            for x in zip(t, api, own, *flags, strict=True)]
    assert got.tolist() == want
    assert e.strategy_texts(2e6, 400, 20_000) == str(e.recommend_strategy(2e6, 400, 20_000))


def test_a_range_in_chunks_gives_what_it_gives_whole(monkeypatch):
    # The catalog calls an implementation on chunks of a group (catalog._CHUNK cells, 65,536);
    # with 7-cell chunks a 40-cell column must give the same cells (the scalar path is the
    # reference for both, see test_a_range_gives_what_its_cells_give_one_by_one).
    import random

    from udfs import catalog

    rng = random.Random("chunks")
    for name in sorted(set(udfs.FUNCTIONS) - {"TCO_TABLE", "LLM_WHY"}):
        fn = udfs.FUNCTIONS[name]
        args = [hostile._valid(rng, a) for a in fn.args]
        k = next((i for i, a in enumerate(fn.args) if a.kind == "number"), 0)
        column = [[hostile._valid(rng, fn.args[k]) if rng.random() < 0.8 else
                   hostile._hostile(rng)] for _ in range(40)]
        whole = call(name, *args[:k], column, *args[k + 1:])
        monkeypatch.setattr(catalog, "_CHUNK", 7)
        chunked = call(name, *args[:k], column, *args[k + 1:])
        monkeypatch.undo()
        for (w,), (c,) in zip(whole, chunked, strict=True):
            assert c == w and type(c) is type(w), (name, c, w)
            if isinstance(w, udfs.ExcelError):
                assert c.reason == w.reason, (name, c.reason, w.reason)


def test_llm_why_of_a_range_gives_the_first_reason_there_is():
    # Cell 1 holds an error passed in (no reason), cell 2 a negative count.
    assert why("LLM_API_COST", "gpt-4o", [["#N/A"], [-1]], 1) == \
        "input_tokens must be >= 0; got -1"


def test_cells_that_break_a_cross_argument_rule_get_their_own_reason():
    # cached_input_tokens > input_tokens in cells 1 and 3 only; the rule's own engine error
    # names those elements (InputError.where) and the others are computed.
    got = call("LLM_API_COST", "gpt-4o", [[1e6], [1], [2e6], [5]], 0, [[0], [7], [1e6], [6]])
    for (g,), inp, cached in zip(got, (1e6, 1, 2e6, 5), (0, 7, 1e6, 6), strict=True):
        one = call("LLM_API_COST", "gpt-4o", inp, 0, cached)
        assert g == one and (not isinstance(one, udfs.ExcelError) or g.reason == one.reason)
    assert got[1][0] == NUM and got[1][0].reason.endswith("got 7")
    shares = call("HYBRID_SHARE", *BASE, 10_000, 1500, 500, [[0.2], [0.9]], 0.5)
    assert shares[1][0] == VALUE and "got 0.9" in shares[1][0].reason
    assert isinstance(shares[0][0], float)


def test_names_screened_as_unknown_are_unknown_to_the_search():
    # engine.certainly_unknown may only say "unknown" where the catalog search (the scalar
    # path, engine.prices._search) finds nothing. Seeded names: the catalog's own model ids
    # mutated (a character changed, added, dropped), with suffixes, provider prefixes, upper
    # case, compact dates, non-ASCII characters, and plain junk; providers likewise.
    import random

    import engine.prices as prices
    from engine.errors import UnknownNameError

    snap = prices._snapshot()
    ids = [m.id for p in snap.providers for m in p.models]
    pids = [p.id for p in snap.providers]
    rng = random.Random(15)

    def mutate(s: str) -> str:
        chars, r = list(s), rng.random()
        if r < 0.25:
            chars[rng.randrange(len(chars))] = rng.choice("abxz09-./é€")
        elif r < 0.5:
            chars.insert(rng.randrange(len(chars) + 1), rng.choice("abxz09-./Ω"))
        elif r < 0.75 and len(chars) > 1:
            del chars[rng.randrange(len(chars))]
        s = "".join(chars)
        return rng.choice([s, s + f"-{rng.randrange(999)}", rng.choice(pids) + "/" + s,
                           s.upper(), s + "-20250101", "é" + s, s])

    models = [mutate(rng.choice(ids)) for _ in range(3000)] + [
        f"model-{i}" for i in range(100)] + ["o1x", "o5", "mistralx", "xtral", " gpt-4o "]
    ascii_only = [m for m in models if m.isascii()]  # the screen lower-cases ASCII apart
    pairs = [(models, [None] * len(models)),
             (models, [rng.choice([*pids, "litellm", "LiteLLM", "nobody", "OpenAI",
                                   mutate(rng.choice(pids))]) for _ in models]),
             (ascii_only, [None] * len(ascii_only)),
             (ascii_only, [rng.choice([*pids, "LiteLLM", "Anthropic", mutate(rng.choice(pids))])
                           for _ in ascii_only])]
    for models, providers in pairs:
        screened = prices.certainly_unknown(models, providers)
        assert 0.3 < screened.mean() < 1  # the screen decides most of them
        for m, p in zip(np.array(models)[screened], np.array(providers, dtype=object)[screened],
                        strict=True):
            with pytest.raises(UnknownNameError):
                prices._search(m, p)


def test_a_range_of_distinct_unknown_names_is_one_quick_call():
    # 20,000 distinct names the catalog does not know: every cell #N/A, each with the reason
    # its scalar call gives (sampled), without a catalog search each.
    import time

    names = [[f"no-such-model-{i}"] for i in range(20_000)]
    t0 = time.perf_counter()
    got = call("LLM_PRICE", names, "input")
    assert time.perf_counter() - t0 < 5  # ~0.1 s; was ~6 s (0.3 ms a search)
    assert all(g == NA for (g,) in got)
    for i in (0, 7, 19_999):
        assert got[i][0].reason == call("LLM_PRICE", names[i][0], "input").reason
    provs = call("LLM_PRICE", "gpt-4o", "input", [[f"prov-{i}"] for i in range(1000)])
    assert provs[5][0] == NA and provs[5][0].reason.startswith("provider ")


def test_names_screened_before_factorising_give_what_their_cells_give(monkeypatch):
    # catalog._screen_names screens a range of mostly distinct names for unknown ones before
    # the column is factorised (ranges of >= catalog._SCREEN_MIN cells, 4,096; lowered to 1
    # here so that short ranges take that path). The reference is the scalar call of each
    # cell. Cells: unknown names, catalog ids (gpt-4o, claude-sonnet-4-5, o1: genai-prices'
    # own ids), blanks, blank-looking text, error texts, compact dates, upper case; the other
    # arguments as scalars, as ranges with their own errors, and broadcast as a row.
    from udfs import catalog

    taken: list[bool] = []
    screen = catalog._screen_names

    def spy(*a):
        got = screen(*a)
        taken.append(got is not None)
        return got

    monkeypatch.setattr(catalog, "_SCREEN_MIN", 1)
    monkeypatch.setattr(catalog, "_screen_names", spy)
    names = [f"nosuch-{i}" for i in range(40)] + [
        "gpt-4o", " GPT-4o ", "claude-sonnet-4-5", "o1", "", "  ", "#N/A", "#VALUE!",
        "nosuch-20250101", "gpt-4o-20240513", "NOSUCH-X", "é-model"]
    provs = [f"prov-{i}" for i in range(44)] + ["openai", "", None, "anthropic", "litellm",
                                                "OpenAI", "#REF!", "x"]
    fields = ["input", "output", "bogus", "#DIV/0!", None, " Input "] * 9
    col = lambda xs: [[x] for x in xs]  # noqa: E731
    cases = [
        (col(names), "input", None, True),
        (col(names), col(fields[:len(names)]), None, True),
        (col(names), "output", "openai", True),
        (col(names), "input", col([p or "" for p in provs]), True),
        (col(names), "input", col(provs), True),  # blank (None) providers: not screened
        ("gpt-4o", "input", col(provs), True),
        ("no-such-model", "output", col(provs), True),
        (col(names[:10]), "input", [provs[:6]], True),  # a column against a row: a grid
        (col([*names, 3.0, None, True]), "input", None, True),  # those three: full path
        (col(["gpt-4o", "o1"] * 30), "input", None, False),  # few distinct: factorised
        # distinct, but names the catalog's gpt-4o rules may match: searched, not screened
        (col([f"gpt-4o-{i}" for i in range(60)]), "input", None, False),
        (col(names), "bogus", None, False),  # every cell fails on field first
    ]
    for model, field, provider, screened in cases:
        taken.clear()
        got = call("LLM_PRICE", model, field, provider)
        assert any(taken) == screened, (model, field, provider)
        shape = np.broadcast_shapes(*(np.shape(np.array(v, dtype=object)) for v in
                                      (model, field, provider) if isinstance(v, list)))
        pick = lambda v, i, j: v[i % len(v)][j % len(v[0])] if isinstance(v, list) else v  # noqa: E731
        for i in range(shape[0]):
            for j in range(shape[1]):
                one = call("LLM_PRICE", pick(model, i, j), pick(field, i, j),
                           pick(provider, i, j))
                if isinstance(one, list):
                    one = VALUE  # a table in one element of an array is #VALUE!
                g = got[i][j]
                assert g == one and type(g) is type(one), (i, j, g, one)
                if isinstance(one, udfs.ExcelError) and one.reason:
                    assert g.reason == one.reason, (i, j, g.reason, one.reason)


def test_screened_names_over_scenarios_keep_their_tables(monkeypatch):
    # The scenario API (udfs.vectorised) keeps a table per cell (elementwise tables=True):
    # screened or not, a blank field gives the known names' tables and the others #N/A,
    # each as the scalar call gives it (catalog ids from genai-prices, others made up).
    from udfs import catalog
    from udfs.vectorised import vectorised_functions

    monkeypatch.setattr(catalog, "_SCREEN_MIN", 1)
    names = np.array([f"nosuch-{i}" for i in range(30)] + ["gpt-4o", "o1", " x "])
    got = vectorised_functions()["LLM_PRICE"](names, None)
    for g, name in zip(got, names.tolist(), strict=True):
        one = call("LLM_PRICE", name)
        assert g == one and type(g) is type(one), (name, g, one)
        if isinstance(one, udfs.ExcelError):
            assert g.reason == one.reason


def test_one_model_or_provider_for_every_pair_is_screened_once():
    # engine.certainly_unknown takes a single name for every pair; the answer is the one it
    # gives the name repeated (catalog ids from genai-prices, unknown names made up).
    import engine.prices as prices

    provs = ["openai", "nobody", None, "", "litellm", "prov-7", "anthropic"]
    models = ["gpt-4o", "no-such-model-1", "", "o1", "claude-sonnet-4-5"]
    for m in models:
        assert prices.certainly_unknown(m, provs).tolist() == \
            prices.certainly_unknown([m] * len(provs), provs).tolist()
    for p in provs:
        assert prices.certainly_unknown(models, p).tolist() == \
            prices.certainly_unknown(models, [p] * len(models)).tolist()
    assert prices.certainly_unknown("no-such-model-1", None).tolist() == [True]
