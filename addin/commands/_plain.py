"""What commands share that needs no typer: exit codes, one-line errors, bounds, output.

``llm-tco recalc`` runs without importing typer or click (35-40 ms of a 0.15 s process,
see :func:`addin.commands._recalc_run.fast_main`), so what its body uses lives here;
:mod:`addin.commands._common` re-exports all of it for the other commands.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

#: Exit codes: 0 ok, 1 a check failed, 2 bad input.
EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2

#: --format: every command that prints data takes table, json or csv.
FORMATS = ("table", "json", "csv")

#: Default wall-clock bound of one recalc/check/sweep/simulate run, in seconds (``--timeout``).
DEFAULT_TIMEOUT_S = 300.0
#: Default bound on the process's address space, in MiB (``--max-memory``): four times the
#: largest corpus workbook's peak with numpy loaded, far below a CI runner's memory.
DEFAULT_MAX_MEMORY_MIB = 4096


class Exit(SystemExit):
    """End the command with an exit code (the message, if any, is already on stderr).

    A ``SystemExit``: click and typer let it through unchanged, as the interpreter and
    ``typer.testing.CliRunner`` do, so the exit code is the same with or without typer.
    """


def fail(message: str) -> None:
    """One line on stderr (whitespace folded) and exit code 2."""
    print(f"llm-tco: error: {' '.join(str(message).split())}", file=sys.stderr)
    raise Exit(EXIT_BAD_INPUT)


def _is_click_exit(exc: BaseException) -> bool:
    """``typer.Exit`` / ``typer.Abort`` (click's): only possible once click is imported."""
    click_exceptions = sys.modules.get("click.exceptions")
    return click_exceptions is not None and isinstance(
        exc, (click_exceptions.Exit, click_exceptions.Abort))


@contextlib.contextmanager
def bad_input_exits(any_error: bool = False) -> Iterator[None]:
    """Turn bad arguments (``InputError``) and unusable files (``WorkbookError``, ``OSError``)
    into one line on stderr naming the argument or file and the rule, and exit code 2.

    ``any_error``: also for unexpected exceptions (commands handed untrusted workbooks:
    never a traceback for a file we were given). ``typer.Exit`` and ``typer.Abort`` pass
    through, as :class:`Exit` does.
    """
    from engine.errors import InputError
    from templates.recalc.errors import WorkbookError

    try:
        yield
    except (InputError, WorkbookError) as exc:
        fail(str(exc))
    except BrokenPipeError:  # `llm-tco … | head`: the reader left; not an error
        sys.stdout = None  # type: ignore[assignment]  # no second complaint at exit
        raise Exit(0) from None
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    except Exception as exc:
        if _is_click_exit(exc) or not any_error:
            raise
        fail(f"unexpected {type(exc).__name__}: {exc}")


def check_format(value: str, allowed: tuple[str, ...] = FORMATS) -> str:
    """``value`` if it is one of ``allowed``, else one line on stderr and exit code 2."""
    if value not in allowed:
        fail(f"--format {value!r}: must be one of {', '.join(allowed)}")
    return value


def _plain_text_stream(stream: object) -> bool:
    """A text stream ``click.echo`` would write to unchanged: a ``TextIOWrapper`` with an
    encoding other than ASCII (click re-wraps ASCII streams as UTF-8) and an errors mode."""
    import io

    if not isinstance(stream, io.TextIOWrapper) or stream.errors is None:
        return False
    import codecs

    try:
        return codecs.lookup(stream.encoding or "ascii").name != "ascii"
    except LookupError:
        return False


def echo(message: str, nl: bool = True) -> None:
    """``typer.echo(message, nl=nl)`` to stdout, without importing click where it would
    only write and flush: text without ANSI escapes (click strips them from non-terminals)
    to an ordinary text stream. Anything else goes through ``click.echo`` itself."""
    stream = sys.stdout
    out = message + "\n" if nl else message
    if stream is None or "\x1b" in out or not _plain_text_stream(stream):
        import click

        click.echo(message, nl=nl)
        return
    if out:
        stream.write(out)
    stream.flush()


@contextlib.contextmanager
def bounded(seconds: float, max_memory_mib: int, what: str) -> Iterator[None]:
    """Run a workbook command inside a wall-clock and a memory bound.

    Past ``seconds`` (SIGALRM) or when an allocation would exceed ``max_memory_mib`` of
    address space (RLIMIT_AS, so the kernel refuses it and Python raises MemoryError), the
    command stops with a :class:`~templates.recalc.errors.WorkbookError` naming ``what`` and the
    bound: one line on stderr, exit 2, nothing written.
    """
    import signal

    from templates.recalc.errors import WorkbookError

    old_handler = None
    if seconds > 0 and hasattr(signal, "SIGALRM"):
        def expire(_signum: int, _frame: object) -> None:
            raise WorkbookError(what, f"took longer than {seconds:g} s (--timeout); "
                                "nothing was written")

        old_handler = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    old_limit = None
    try:
        import resource

        if max_memory_mib > 0:
            old_limit = resource.getrlimit(resource.RLIMIT_AS)
            cap = max_memory_mib * 1024 * 1024
            hard = old_limit[1]
            if hard == resource.RLIM_INFINITY or cap <= hard:
                resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):  # no rlimits here (Windows): time bound only
        old_limit = None
    try:
        yield
    except MemoryError:
        raise WorkbookError(what, f"needed more than {max_memory_mib:,} MiB (--max-memory); "
                            "nothing was written") from None
    finally:
        if old_handler is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
        if old_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, old_limit)
