"""What every command shares: error reporting with CI-trustworthy exit codes."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import typer

#: Exit codes: 0 ok, 1 a check failed, 2 bad input.
EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


@contextlib.contextmanager
def bad_input_exits() -> Iterator[None]:
    """Turn the project's input errors into one line on stderr and exit code 2."""
    from engine.errors import InputError

    try:
        yield
    except InputError as exc:
        print(f"llm-tco: error: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as exc:
        print(f"llm-tco: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
