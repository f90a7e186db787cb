"""Statistical functions (descriptive statistics, distributions, regression) against Excel:
its stored values in the outside corpus (every formula cell of the family in
formulas_test.xlsx 'STATISTICAL' and pycel_stats.xlsx), Microsoft's documented examples
and hand-worked cases."""

from __future__ import annotations

import re
from typing import Any

import pytest

from templates.recalc.functions import xlcall
from templates.recalc.values import DIV0, NA, NUM, REF, VALUE, Array

from ._corpus import mismatches
from ._families import family

STATS = family("statistics", "conditional", "distributions", "regression")

# formulas_test.xlsx was saved in a day-first locale: its column I holds texts such as
# "29/02/1900" and some formulas type "26/08"; Excel read them as dates there, en-US
# Excel (our reading) does not, so cells that read them differ
_DAY_FIRST = re.compile(r"\bI\d+\b|C\d+:[J-Q]\d+|\"\d\d?/\d\d")
_FROM_DAY_FIRST_CELL = {"STATISTICAL!AC37"}  # FORECAST(S37, …), S37 reads I37


def test_statistical_sheet_matches_excel() -> None:
    # Excel's stored value of every formula cell of the family in 'STATISTICAL' (numbers
    # to 1e-9 relative), apart from the day-first date texts
    checked, bad = mismatches("formulas_test.xlsx", STATS, ("STATISTICAL",))
    ours = [b for b in bad if not _DAY_FIRST.search(b[1]) and b[0] not in _FROM_DAY_FIRST_CELL]
    assert not ours, "\n".join(map(str, ours[:20]))
    assert checked >= 1700 and len(bad) < 100


def test_pycel_stats_matches_excel() -> None:
    # Excel's stored values: SLOPE/INTERCEPT/FORECAST/TREND/LINEST over rows and columns,
    # mismatched sizes (#N/A, #REF!), no spread (#DIV/0!), LINEST statistics
    checked, bad = mismatches("pycel_stats.xlsx", STATS)
    assert not bad, "\n".join(map(str, bad[:20]))
    assert checked >= 140


def _ok(got: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        return isinstance(got, float) and got == pytest.approx(expected, rel=1e-7, abs=1e-15)
    return got == expected and type(got) is type(expected)


A = Array([[10.0, 7.0, 9.0, 27.0, 2.0]])
D = Array([[4.0, 5.0, 8.0, 7.0, 11.0, 4.0, 3.0]])


@pytest.mark.parametrize(("fn", "args", "expected"), [
    # Microsoft's documentation examples (to the digits they show)
    ("AVERAGE", (A,), 11.0), ("AVERAGE", (A, 5.0), 10.0), ("MEDIAN", (Array([[1.0, 2.0, 3.0,
     4.0, 5.0, 6.0]]),), 3.5), ("MAX", (A, 30.0), 30.0), ("MIN", (A, 0.0), 0.0),
    ("AVEDEV", (Array([[4.0, 5.0, 6.0, 7.0, 5.0, 4.0, 3.0]]),), 1.020408163),
    ("DEVSQ", (D,), 48.0), ("GEOMEAN", (D,), 5.476987),
    ("HARMEAN", (D,), 5.028376), ("KURT", (Array([[3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 5.0, 6.0,
     4.0, 7.0]]),), -0.151799637), ("SKEW", (Array([[3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 5.0, 6.0,
     4.0, 7.0]]),), 0.359543), ("SKEW.P", (Array([[3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 5.0, 6.0,
     4.0, 7.0]]),), 0.303193),
    ("STDEV.S", (Array([[1345.0, 1301.0, 1368.0, 1322.0, 1310.0, 1370.0, 1318.0, 1350.0,
     1303.0, 1299.0]]),), 27.46391572),
    ("STDEV.P", (Array([[1345.0, 1301.0, 1368.0, 1322.0, 1310.0, 1370.0, 1318.0, 1350.0,
     1303.0, 1299.0]]),), 26.05455814),
    ("VAR.S", (Array([[1345.0, 1301.0, 1368.0, 1322.0, 1310.0, 1370.0, 1318.0, 1350.0,
     1303.0, 1299.0]]),), 754.2666667),
    ("VAR.P", (Array([[1345.0, 1301.0, 1368.0, 1322.0, 1310.0, 1370.0, 1318.0, 1350.0,
     1303.0, 1299.0]]),), 678.84),
    ("TRIMMEAN", (Array([[4.0, 5.0, 6.0, 7.0, 2.0, 3.0, 4.0, 5.0, 1.0, 2.0, 3.0]]), 0.2),
     3.777777778),
    ("STANDARDIZE", (42.0, 40.0, 1.5), 1.333333333), ("STANDARDIZE", (1.0, 0.0, 0.0), NUM),
    ("MODE.SNGL", (Array([[5.6, 4.0, 4.0, 3.0, 2.0, 4.0]]),), 4.0),
    ("MODE", (Array([[1.0, 2.0, 3.0]]),), NA),
    ("LARGE", (Array([[3.0, 5.0, 3.0, 5.0, 4.0], [4.0, 2.0, 4.0, 6.0, 7.0]]), 3.0), 5.0),
    ("LARGE", (Array([[3.0, 5.0, 3.0, 5.0, 4.0], [4.0, 2.0, 4.0, 6.0, 7.0]]), 7.0), 4.0),
    ("SMALL", (Array([[3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 6.0, 4.0, 7.0]]), 4.0), 4.0),
    ("SMALL", (Array([[1.0, 4.0, 8.0, 3.0, 7.0, 12.0, 54.0, 8.0, 23.0]]), 2.0), 3.0),
    ("RANK.EQ", (3.5, Array([[7.0], [3.5], [3.5], [1.0], [2.0]]), 1.0), 3.0),
    ("RANK.EQ", (7.0, Array([[7.0], [3.5], [3.5], [1.0], [2.0]]), 1.0), 5.0),
    ("RANK.AVG", (94.0, Array([[89.0, 88.0, 92.0, 101.0, 94.0, 97.0, 95.0]])), 4.0),
    ("PERCENTILE.INC", (Array([[1.0, 3.0, 2.0, 4.0]]), 0.3), 1.9),
    ("PERCENTILE.EXC", (Array([[1.0, 2.0, 3.0, 6.0, 6.0, 6.0, 7.0, 8.0, 9.0]]), 0.25), 2.5),
    ("PERCENTILE.EXC", (Array([[1.0, 2.0, 3.0, 6.0, 6.0, 6.0, 7.0, 8.0, 9.0]]), 0.01), NUM),
    ("QUARTILE.INC", (Array([[1.0, 2.0, 4.0, 7.0, 8.0, 9.0, 10.0, 12.0]]), 1.0), 3.5),
    ("QUARTILE.EXC", (Array([[6.0, 7.0, 15.0, 36.0, 39.0, 40.0, 41.0, 42.0, 43.0, 47.0,
     49.0]]), 1.0), 15.0),
    ("PERCENTRANK.INC", (Array([[13.0, 12.0, 11.0, 8.0, 4.0, 3.0, 2.0, 1.0, 1.0, 1.0]]), 2.0),
     0.333),
    ("PERCENTRANK.INC", (Array([[13.0, 12.0, 11.0, 8.0, 4.0, 3.0, 2.0, 1.0, 1.0, 1.0]]), 5.0),
     0.583),
    ("PERCENTRANK.EXC", (Array([[1.0, 2.0, 3.0, 6.0, 6.0, 6.0, 7.0, 8.0, 9.0]]), 7.0), 0.7),
    ("PERCENTRANK.EXC", (Array([[1.0, 2.0, 3.0, 6.0, 6.0, 6.0, 7.0, 8.0, 9.0]]), 5.43), 0.381),
    ("CORREL", (Array([[3.0, 2.0, 4.0, 5.0, 6.0]]), Array([[9.0, 7.0, 12.0, 15.0, 17.0]])),
     0.997054486),
    ("PEARSON", (Array([[9.0, 7.0, 5.0, 3.0, 1.0]]), Array([[10.0, 6.0, 1.0, 5.0, 3.0]])),
     0.699379),
    ("RSQ", (Array([[2.0, 3.0, 9.0, 1.0, 8.0, 7.0, 5.0]]),
             Array([[6.0, 5.0, 11.0, 7.0, 5.0, 4.0, 4.0]])), 0.05795),
    ("COVARIANCE.P", (Array([[3.0, 2.0, 4.0, 5.0, 6.0]]), Array([[9.0, 7.0, 12.0, 15.0,
     17.0]])), 5.2),
    ("COVARIANCE.S", (Array([[2.0, 4.0, 8.0]]), Array([[5.0, 11.0, 12.0]])), 9.666666667),
    ("SLOPE", (Array([[2.0, 3.0, 9.0, 1.0, 8.0, 7.0, 5.0]]),
               Array([[6.0, 5.0, 11.0, 7.0, 5.0, 4.0, 4.0]])), 0.305556),
    ("INTERCEPT", (Array([[2.0, 3.0, 9.0, 1.0, 8.0]]), Array([[6.0, 5.0, 11.0, 7.0, 5.0]])),
     0.0483871),
    ("STEYX", (Array([[2.0, 3.0, 9.0, 1.0, 8.0, 7.0, 5.0]]),
               Array([[6.0, 5.0, 11.0, 7.0, 5.0, 4.0, 4.0]])), 3.305719),
    ("FORECAST.LINEAR", (30.0, Array([[6.0, 7.0, 9.0, 15.0, 21.0]]),
                         Array([[20.0, 28.0, 31.0, 38.0, 40.0]])), 10.607253),
    ("FISHER", (0.75,), 0.972955), ("FISHERINV", (0.972955,), 0.75),
    ("PROB", (Array([[0.0, 1.0, 2.0, 3.0]]), Array([[0.2, 0.3, 0.1, 0.4]]), 2.0), 0.1),
    ("PROB", (Array([[0.0, 1.0, 2.0, 3.0]]), Array([[0.2, 0.3, 0.1, 0.4]]), 1.0, 3.0), 0.8),
    ("NORM.DIST", (42.0, 40.0, 1.5, True), 0.9087888), ("NORM.DIST", (42.0, 40.0, 1.5, False),
     0.10934005), ("NORM.INV", (0.908789, 40.0, 1.5), 42.000002),
    ("NORM.S.DIST", (1.333333, True), 0.908788726), ("NORM.S.DIST", (1.333333, False),
     0.164010148), ("NORM.S.INV", (0.908789,), 1.3333347), ("NORMSDIST", (1.333333,),
     0.908788726), ("PHI", (0.75,), 0.301137432), ("GAUSS", (2.0,), 0.47724987),
    ("LOGNORM.DIST", (4.0, 3.5, 1.2, True), 0.0390836), ("LOGNORM.DIST", (4.0, 3.5, 1.2,
     False), 0.0176176), ("LOGNORM.INV", (0.039084, 3.5, 1.2), 4.0000252),
    ("T.DIST", (60.0, 1.0, True), 0.99469533), ("T.DIST", (8.0, 3.0, False), 0.00073691),
    ("T.DIST.2T", (1.959999998, 60.0), 0.054644930), ("T.DIST.RT", (1.959999998, 60.0),
     0.027322465), ("TDIST", (1.959999998, 60.0, 2.0), 0.054644930),
    ("T.INV", (0.75, 2.0), 0.8164966), ("T.INV.2T", (0.546449, 60.0), 0.606533076),
    ("CHISQ.DIST", (0.5, 1.0, True), 0.52049988), ("CHISQ.DIST", (2.0, 3.0, False),
     0.20755375), ("CHISQ.DIST.RT", (18.307, 10.0), 0.0500006), ("CHISQ.INV", (0.93, 1.0),
     3.283020287), ("CHISQ.INV", (0.6, 2.0), 1.832581464), ("CHISQ.INV.RT", (0.050001, 10.0),
     18.306973),
    ("F.DIST", (15.2069, 6.0, 4.0, True), 0.99), ("F.DIST", (15.2069, 6.0, 4.0, False),
     0.0012238), ("F.DIST.RT", (15.2069, 6.0, 4.0), 0.01), ("F.INV", (0.01, 6.0, 4.0),
     0.10930991), ("F.INV.RT", (0.01, 6.0, 4.0), 15.20686),
    ("BETA.DIST", (2.0, 8.0, 10.0, True, 1.0, 3.0), 0.6854706), ("BETA.DIST", (2.0, 8.0, 10.0,
     False, 1.0, 3.0), 1.4837646), ("BETA.INV", (0.685470581, 8.0, 10.0, 1.0, 3.0), 2.0),
    ("GAMMA.DIST", (10.00001131, 9.0, 2.0, False), 0.032639), ("GAMMA.DIST", (10.00001131,
     9.0, 2.0, True), 0.068094), ("GAMMA.INV", (0.068094, 9.0, 2.0), 10.0000112),
    ("BINOM.DIST", (6.0, 10.0, 0.5, False), 0.2050781), ("BINOM.DIST", (6.0, 10.0, 0.5,
     True), 0.828125), ("BINOM.DIST.RANGE", (60.0, 0.75, 48.0), 0.084),
    ("BINOM.DIST.RANGE", (60.0, 0.75, 45.0, 50.0), 0.5236), ("BINOM.INV", (6.0, 0.5, 0.75),
     4.0),
    ("NEGBINOM.DIST", (10.0, 5.0, 0.25, True), 0.3135141), ("NEGBINOM.DIST", (10.0, 5.0, 0.25,
     False), 0.0550487),
    ("HYPGEOM.DIST", (1.0, 4.0, 8.0, 20.0, True), 0.4654), ("HYPGEOM.DIST", (1.0, 4.0, 8.0,
     20.0, False), 0.3633),
    ("POISSON.DIST", (2.0, 5.0, True), 0.124652), ("POISSON.DIST", (2.0, 5.0, False),
     0.084224),
    ("EXPON.DIST", (0.2, 10.0, True), 0.86466472), ("EXPON.DIST", (0.2, 10.0, False),
     1.35335283),
    ("WEIBULL.DIST", (105.0, 20.0, 100.0, True), 0.929581), ("WEIBULL.DIST", (105.0, 20.0,
     100.0, False), 0.035589),
    ("CONFIDENCE.NORM", (0.05, 2.5, 50.0), 0.692952), ("CONFIDENCE.T", (0.05, 1.0, 50.0),
     0.284196855),
    ("Z.TEST", (Array([[3.0, 6.0, 7.0, 8.0, 6.0, 5.0, 4.0, 2.0, 1.0, 9.0]]), 4.0), 0.090574),
    ("Z.TEST", (Array([[3.0, 6.0, 7.0, 8.0, 6.0, 5.0, 4.0, 2.0, 1.0, 9.0]]), 6.0), 0.863043),
    ("T.TEST", (Array([[3.0, 4.0, 5.0, 8.0, 9.0, 1.0, 2.0, 4.0, 5.0]]),
                Array([[6.0, 19.0, 3.0, 2.0, 14.0, 4.0, 5.0, 17.0, 1.0]]), 2.0, 1.0), 0.196016),
    ("F.TEST", (Array([[6.0, 7.0, 9.0, 15.0, 21.0]]), Array([[20.0, 28.0, 31.0, 38.0, 40.0]])),
     0.648318),
    ("CHISQ.TEST", (Array([[58.0, 35.0], [11.0, 25.0], [10.0, 23.0]]),
                    Array([[45.35, 47.65], [17.56, 18.44], [16.09, 16.91]])), 0.0003082),
])
def test_documented_examples(fn: str, args: tuple, expected: Any) -> None:
    # Microsoft shows at most ~9 significant digits; compare to what it shows
    got = xlcall(fn, *args)
    if isinstance(expected, float) and isinstance(got, float):
        digits = max(len(repr(expected).split(".")[-1].rstrip("0")), 1)
        assert got == pytest.approx(expected, abs=1.5 * 10.0**-digits), (fn, args, got)
    else:
        assert _ok(got, expected), (fn, args, got)


def test_counts() -> None:
    # Excel's rules (hand-worked): COUNT counts typed logicals and number texts, not those
    # in arrays; COUNTA counts every non-empty value, errors too; COUNTBLANK counts ""
    a = Array([[1.0, "2", True, None, NA, ""]])
    assert xlcall("COUNT", a, "3", True, "x") == 3.0
    assert xlcall("COUNTA", a) == 5.0
    assert xlcall("COUNTBLANK", a) == 2.0


def test_order_statistics_take_k_as_excel() -> None:
    # Excel's stored values, formulas_test 'STATISTICAL' row 57/95 (data 0.1, -10, 0.9,
    # 2.2, -0.1): LARGE rounds k up, SMALL down, k below 1 is #NUM!
    data = Array([[0.1, -10.0, 0.9, 2.2, -0.1]])
    assert xlcall("LARGE", data, 2.2) == 0.1  # AK57
    assert xlcall("LARGE", data, 0.9) == NUM  # AJ57
    assert xlcall("SMALL", data, 2.2) == -0.1  # AK95 (data row 95 differs only in C)
    # 'STATISTICAL'!AL88: a quart of -0.1 is #NUM! though it truncates to 0
    assert xlcall("QUARTILE.INC", data, -0.1) == NUM


def test_two_array_errors_pass_over_null() -> None:
    # Excel's stored values, formulas_test 'STATISTICAL'!AD26 and Y20
    assert xlcall("COVARIANCE.P", Array([[NA.__class__("#NULL!"), NUM, REF]]),
                  Array([[REF, None, None]])) == NUM
    assert xlcall("CORREL", Array([[True, VALUE, NA]]), Array([[NA, DIV0, NUM]])) == NA


def test_frequency_and_mode_mult() -> None:
    # Microsoft's FREQUENCY example: scores and bins 70, 79, 89
    scores = Array([[79.0, 85.0, 78.0, 85.0, 50.0, 81.0, 95.0, 88.0, 97.0]])
    assert xlcall("FREQUENCY", scores, Array([[70.0, 79.0, 89.0]])) == Array(
        [[1.0], [2.0], [4.0], [2.0]])
    # Excel's stored value 'STATISTICAL'!W43: no number among the bins is one bin of 0
    assert xlcall("FREQUENCY", Array([[1.0, 2.0, 3.0, 0.0, -1.0]]), None).rows[0][0] == 2.0
    # Microsoft's MODE.MULT example: 1,2,3,4,3,2,1,2,3,5,6,1 → {1;2;3}
    d = Array([[1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 5.0, 6.0, 1.0]])
    assert xlcall("MODE.MULT", d) == Array([[1.0], [2.0], [3.0]])


def test_linest_statistics() -> None:
    # Microsoft's LINEST example 1: y = {1;9;5;7}, x = {0;4;2;3} → m = 2, b = 1
    r = xlcall("LINEST", Array([[1.0], [9.0], [5.0], [7.0]]),
               Array([[0.0], [4.0], [2.0], [3.0]]))
    assert r.shape == (1, 2) and r.rows[0] == pytest.approx([2.0, 1.0])
    # Excel's stored values, pycel_stats.xlsx Stats!D39:E43 (no constant, statistics)
    y, x = Array([[1.0], [2.0], [3.0]]), Array([[2.0], [3.0], [4.0]])
    s = xlcall("LINEST", y, x, False, True)
    assert s.shape == (5, 2)
    expected = [[0.6896551724137931, 0.0], [0.05972588991616814, NA],
                [0.9852216748768473, 0.32163376045133824], [133.33333333333354, 2.0],
                [13.793103448275863, 0.20689655172413762]]
    for got_row, exp_row in zip(s.rows, expected, strict=True):
        for g, e in zip(got_row, exp_row, strict=True):
            assert _ok(g, e) if not isinstance(e, float) else g == pytest.approx(e, rel=1e-9)
    # Stats!D45:E49: an exact fit has F = #NUM!
    assert xlcall("LINEST", y, x, True, True).rows[3][0] == NUM
    # shapes: known_x's with another row count is #REF!, a text y #VALUE!
    assert xlcall("LINEST", y, Array([[1.0], [2.0]])) == REF
    assert xlcall("LINEST", Array([[1.0], ["a"], [3.0]]), x) == VALUE


def test_trend_growth_logest() -> None:
    # hand arithmetic: y = 2x - 1 exactly, so TREND at 4 and 5 is 7 and 9
    r = xlcall("TREND", Array([[1.0, 3.0, 5.0]]), Array([[1.0, 2.0, 3.0]]),
               Array([[4.0, 5.0]]))
    assert r.shape == (1, 2) and r.rows[0] == pytest.approx([7.0, 9.0])
    # hand arithmetic: y = 3·2^x, so GROWTH at 4 is 48 and LOGEST gives {2, 3}
    ys, xs = Array([[6.0], [12.0], [24.0]]), Array([[1.0], [2.0], [3.0]])
    assert xlcall("GROWTH", ys, xs, Array([[4.0]])).rows[0][0] == pytest.approx(48.0)
    assert xlcall("LOGEST", ys, xs).rows[0] == pytest.approx([2.0, 3.0])
    assert xlcall("LOGEST", Array([[1.0], [-1.0]])) == NUM


def test_normal_quantile_agrees_with_scipy_to_double_precision() -> None:
    # NORM.S.INV comes from the standard library (statistics.NormalDist, AS 241); the
    # oracle is scipy.special.ndtri on 6,000 seeded probabilities across the whole open
    # interval, tails included. Both are within 5 ulp of the exact quantile (checked with
    # mpmath at 50 digits when the switch was made), so 1e-14 relative is the bound.
    import random

    from scipy.special import ndtri

    rng = random.Random(20261203)
    ps = ([rng.random() for _ in range(4000)]
          + [10.0 ** -rng.uniform(0.0, 300.0) for _ in range(1000)]
          + [1.0 - 10.0 ** -rng.uniform(0.0, 15.5) for _ in range(1000)])
    worst = max(abs(xlcall("NORM.S.INV", p) - float(ndtri(p))) / abs(float(ndtri(p)))
                for p in ps if 0.0 < p < 1.0 and p != 0.5)
    assert worst < 1e-14, worst
    assert xlcall("NORM.S.INV", 0.5) == 0.0
    assert xlcall("NORM.S.INV", 0.0) == NUM and xlcall("NORM.S.INV", 1.0) == NUM
