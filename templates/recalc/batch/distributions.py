"""Input distributions for Monte Carlo: parsing ``NAME(a, b, ...)`` and sampling.

=====================================  ==================================================
``normal(mean, sd)``                   Gaussian; ``sd >= 0``.
``lognormal(mu, sigma)``               ``exp(N(mu, sigma))``: ``mu`` and ``sigma`` are the
                                       mean and sd of the *underlying normal* (numpy's
                                       convention), so the median is ``exp(mu)``; use
                                       ``lognormal(ln(median), sigma)``.
``uniform(lo, hi)``                    flat on ``[lo, hi)``.
``triangular(lo, mode, hi)``           ``lo <= mode <= hi``, ``lo < hi``.
``pert(lo, mode, hi)``                 Beta-PERT with λ = 4 (see :class:`Dist` Notes).
=====================================  ==================================================

All sampling uses a ``numpy.random.Generator`` passed in, so a seed reproduces the draws.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .errors import BatchInputError

#: name → (parameter names) in the order written.
SPECS: dict[str, tuple[str, ...]] = {
    "normal": ("mean", "sd"),
    "lognormal": ("mu", "sigma"),
    "uniform": ("lo", "hi"),
    "triangular": ("lo", "mode", "hi"),
    "pert": ("lo", "mode", "hi"),
}
PERT_LAMBDA = 4.0

_DIST_RE = re.compile(r"^\s*([A-Za-z_]+)\s*\((.*)\)\s*$")


@dataclass(frozen=True)
class Dist:
    """A named distribution with its parameters.

    Notes
    -----
    PERT (Malcolm et al. 1959; Vose, *Risk Analysis*, 3rd ed., §9.1.3) with λ = 4 is a
    scaled Beta: ``X = lo + (hi − lo)·B``, ``B ~ Beta(α, β)`` with
    ``α = 1 + λ·(mode − lo)/(hi − lo)`` and ``β = 1 + λ·(hi − mode)/(hi − lo)``;
    its mean is ``(lo + λ·mode + hi)/(λ + 2)``.
    """

    name: str
    params: tuple[float, ...]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws (float64) from ``rng``."""
        p = self.params
        if self.name == "normal":
            return rng.normal(p[0], p[1], n)
        if self.name == "lognormal":
            return rng.lognormal(p[0], p[1], n)
        if self.name == "uniform":
            return rng.uniform(p[0], p[1], n)
        if self.name == "triangular":
            return rng.triangular(p[0], p[1], p[2], n)
        lo, mode, hi = p
        a = 1 + PERT_LAMBDA * (mode - lo) / (hi - lo)
        b = 1 + PERT_LAMBDA * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * rng.beta(a, b, n)

    def mean(self) -> float:
        """Theoretical mean (for documentation and tests)."""
        p = self.params
        if self.name == "normal":
            return p[0]
        if self.name == "lognormal":
            return math.exp(p[0] + p[1] ** 2 / 2)
        if self.name == "uniform":
            return (p[0] + p[1]) / 2
        if self.name == "triangular":
            return sum(p) / 3
        return (p[0] + PERT_LAMBDA * p[1] + p[2]) / (PERT_LAMBDA + 2)

    def __str__(self) -> str:
        return f"{self.name}({', '.join(f'{x:g}' for x in self.params)})"


def parse_dist(text: str, argument: str = "--dist") -> Dist:
    """Parse ``normal(100, 10)`` (case-insensitive name, numbers as arguments).

    Raises
    ------
    BatchInputError
        Unknown name, wrong number of parameters, non-numbers, or parameters breaking the
        distribution's rules (``sd < 0``, ``lo >= hi``, mode outside ``[lo, hi]``).

    Examples
    --------
    >>> parse_dist("PERT(1, 2, 5)")
    Dist(name='pert', params=(1.0, 2.0, 5.0))
    """
    m = _DIST_RE.match(text)
    if not m:
        raise BatchInputError(argument, "must look like normal(mean, sd); one of "
                              + ", ".join(f"{k}({', '.join(v)})" for k, v in SPECS.items()), text)
    name = m.group(1).lower()
    if name not in SPECS:
        raise BatchInputError(argument, f"unknown distribution {name!r}; use one of "
                              + ", ".join(SPECS), text)
    raw = [x.strip() for x in m.group(2).split(",")] if m.group(2).strip() else []
    want = SPECS[name]
    if len(raw) != len(want):
        raise BatchInputError(argument, f"{name} takes {len(want)} numbers "
                              f"({', '.join(want)})", text)
    try:
        params = tuple(float(x) for x in raw)
    except ValueError:
        raise BatchInputError(argument, f"{name} parameters must be numbers", text) from None
    if not all(math.isfinite(x) for x in params):
        raise BatchInputError(argument, "parameters must be finite", text)
    if name in ("normal", "lognormal") and params[1] < 0:
        raise BatchInputError(argument, f"{want[1]} must be >= 0", text)
    if name == "uniform" and not params[0] < params[1]:
        raise BatchInputError(argument, "needs lo < hi", text)
    if name in ("triangular", "pert") and not (params[0] <= params[1] <= params[2]
                                               and params[0] < params[2]):
        raise BatchInputError(argument, "needs lo <= mode <= hi and lo < hi", text)
    return Dist(name, params)


def parse_dist_option(text: str) -> tuple[str, Dist]:
    """CLI ``REF=DIST(...)`` → (REF, Dist)."""
    m = re.match(r"^\s*([^=]+?)\s*=\s*(.+)$", text)
    if not m:
        raise BatchInputError("--dist", "must be REF=DIST(...), e.g. B2=normal(100,10)", text)
    return m.group(1), parse_dist(m.group(2), f"--dist {m.group(1)}")
