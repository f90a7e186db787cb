"""Errors raised by the engine: each names the argument, the rule it broke and the value."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
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
    """

    def __init__(self, argument: str, rule: str, value: Any) -> None:
        self.argument = argument
        self.rule = rule
        self.value = value
        super().__init__(f"{argument} {rule}; got {value!r}")


class UnknownNameError(InputError, LookupError):
    """A name (model, GPU, provider) is not in its catalog; the message lists close matches."""

    def __init__(self, argument: str, value: str, known: Iterable[str], what: str) -> None:
        known_list = list(known)
        self.matches = difflib.get_close_matches(str(value).lower(), known_list, n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(m) for m in self.matches)}?" if self.matches else ""
        InputError.__init__(self, argument, f"must name a known {what}{hint}", value)
