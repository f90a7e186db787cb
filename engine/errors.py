"""Errors raised by the engine: each names the argument, the rule it broke and the value."""

from __future__ import annotations

import functools
from collections.abc import Iterable

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class InputError(ValueError):
    """An argument broke a rule.

    Parameters
    ----------
    argument : str
        The argument's name as the caller knows it (``"input_tokens"``).
    rule : str
        What the value must be (``"must be >= 0"``).
    value : object
        The offending value.
    where : bool array, optional
        Over arrays of scenarios, the elements that broke the rule.
    """

    def __init__(self, argument: str, rule: str, value: Any, where: Any = None) -> None:
        self.argument = argument
        self.rule = rule
        self.value = value
        #: Over arrays of scenarios, which elements broke the rule (a boolean array), when
        #: known: the others may be computed again without them.
        self.where = where
        super().__init__(f"{argument} {rule}; got {value!r}")


class UnknownNameError(InputError, LookupError):
    """A name (model, GPU, provider) is not in its catalog; the message lists close matches."""

    def __init__(self, argument: str, value: str, known: Iterable[str], what: str) -> None:
        # The close matches (difflib, milliseconds over a large catalog) are found only when
        # the message is read: a range of a million unknown names must not pay for them.
        ValueError.__init__(self, argument, value)
        self.argument = argument
        self.value = value
        self.what = what
        self._known = known

    @functools.cached_property
    def matches(self) -> list[str]:
        """Up to five known names close to the value."""
        import difflib  # only when a message is read (1-2 ms of every process otherwise)

        return difflib.get_close_matches(str(self.value).lower(), list(self._known), n=5,
                                         cutoff=0.5)

    @property
    def rule(self) -> str:  # type: ignore[override]
        hint = f"; did you mean {', '.join(repr(m) for m in self.matches)}?" if self.matches else ""
        return f"must name a known {self.what}{hint}"

    def __str__(self) -> str:
        return f"{self.argument} {self.rule}; got {self.value!r}"
