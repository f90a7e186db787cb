"""engine._arrays.format_fixed against Python's own format(), the reference it copies."""

import numpy as np
import pytest

from engine._arrays import format_fixed

# Halves (0.25, 2.5: Python rounds the exact binary value half to even), binary values just
# off a half (0.35 is 0.34999…), -0.0, non-finite, 2^52 and beyond: each case by hand.
EDGES = [0.0, -0.0, 0.25, 0.35, 0.5, 1.5, 2.5, 999.5, 999_999.5, 1234567.891, 2.0 ** 52,
         2.0 ** 53 + 2, 1e300, float("inf"), float("-inf"), float("nan"), -3.25, 1e-300]


@pytest.mark.parametrize("digits", [0, 1, 2, 3])
@pytest.mark.parametrize("grouping", [True, False])
def test_format_fixed_is_pythons_format(digits, grouping):
    rng = np.random.default_rng(digits)
    spec = f"{',' if grouping else ''}.{digits}f"
    for x in (rng.uniform(0, 1e8, 20_000), np.exp(rng.uniform(-30, 40, 20_000)),
              np.round(rng.uniform(0, 1000, 20_000), digits + 1),
              np.arange(20_000) / 10 ** (digits + 1), np.array(EDGES)):
        got = format_fixed(x, digits, grouping).tolist()
        want = [format(v, spec) for v in x.tolist()]
        assert got == want


def test_format_fixed_keeps_the_shape():
    assert format_fixed(np.array([[1.0, 2.0]]), 0).shape == (1, 2)
    assert format_fixed(1234.5, 0).item() == "1,234"  # half to even, by hand
