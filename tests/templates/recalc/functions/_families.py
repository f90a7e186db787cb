"""Function families by the library module that defines them."""

from __future__ import annotations

from templates.recalc import functions  # noqa: F401 - registers the library
from templates.recalc.registry import FUNCTIONS


def family(*modules: str) -> set[str]:
    return {n for n, s in FUNCTIONS.items() if s.fn.__module__.rsplit(".", 1)[-1] in modules}


TEXT_LOGIC_INFORMATION = family("text", "logical", "information")
