"""What every command shares: error reporting with CI-trustworthy exit codes."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import typer

#: Exit codes: 0 ok, 1 a check failed, 2 bad input.
EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def fail(message: str) -> None:
    """One line on stderr (whitespace folded) and exit code 2."""
    print(f"llm-tco: error: {' '.join(str(message).split())}", file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT)


@contextlib.contextmanager
def bad_input_exits(any_error: bool = False) -> Iterator[None]:
    """Turn bad arguments (``InputError``) and unusable files (``WorkbookError``, ``OSError``)
    into one line on stderr naming the argument or file and the rule, and exit code 2.

    ``any_error``: also for unexpected exceptions (commands handed untrusted workbooks:
    never a traceback for a file we were given).
    """
    from engine.errors import InputError
    from templates.errors import WorkbookError

    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except (InputError, WorkbookError) as exc:
        fail(str(exc))
    except BrokenPipeError:  # `llm-tco … | head`: the reader left; not an error
        sys.stdout = None  # type: ignore[assignment]  # no second complaint at exit
        raise typer.Exit(0) from None
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    except Exception as exc:
        if not any_error:
            raise
        fail(f"unexpected {type(exc).__name__}: {exc}")
