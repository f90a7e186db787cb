"""Plain data classes for the recalculation path: ``repr`` and ``==`` from ``__slots__``.

The records every ``llm-tco recalc`` builds (:class:`~templates.recalc.xlsx_safety.Limits`,
the reader's :class:`~templates.recalc.reader.FormulaCell`, the registry's
:class:`~templates.recalc.registry.FunctionSpec` …) are written out with ``__slots__`` and
an explicit ``__init__`` rather than made by :mod:`dataclasses`. Importing dataclasses
(which imports inspect, ast, dis and tokenize) and building nine classes with it took
10 ms of a 70 ms cold recalculation of a template (30 processes each way, 2026-12-03):
the start-up that issue 13's ratios against LibreOffice and ``formulas`` measure. What
dataclasses gave these classes and they keep: keyword or positional construction with
defaults, a ``repr`` naming every field, field-by-field equality, and, for the frozen
ones, no assignment after construction and a hash.

Examples
--------
>>> class Point(Record):
...     __slots__ = ("x", "y")
...     def __init__(self, x: int, y: int = 0) -> None:
...         self.x, self.y = x, y
>>> Point(1), Point(1) == Point(1, 0), Point(1) == Point(2)
(Point(x=1, y=0), True, False)
>>> class Frozen(FrozenRecord):
...     __slots__ = ("x",)
...     def __init__(self, x: int) -> None:
...         object.__setattr__(self, "x", x)
>>> f = Frozen(3)
>>> f.x = 4
Traceback (most recent call last):
  ...
AttributeError: Frozen is frozen: cannot assign to field 'x'
>>> hash(f) == hash(Frozen(3))
True
>>> import copy
>>> copy.copy(f) == f
True
"""

from __future__ import annotations

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FrozenRecord", "Record"]


class Record:
    """A class whose fields are its ``__slots__``: shown and compared field by field."""

    __slots__ = ()

    def _names(self) -> tuple[str, ...]:
        return self.__slots__  # each subclass names its own

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, n) for n in self._names())

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._names())
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()

    # Defining __eq__ leaves __hash__ None: unhashable, as a non-frozen dataclass.


class FrozenRecord(Record):
    """A :class:`Record` that cannot change once built (``__init__`` sets its fields with
    ``object.__setattr__``); hashable. ``__init__`` takes the fields in ``__slots__``
    order, which is how a copy or an unpickled one (a batch worker's) is rebuilt."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return type(self), self._fields()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete field {name!r}")

    def __hash__(self) -> int:  # Record's is None: unhashable
        return hash(self._fields())
