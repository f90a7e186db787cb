"""Atomic file writes: readers see the old file or the new one, never half of one.

The data goes to a uniquely named temporary file in the target's own directory (so the
final rename stays on one file system, where POSIX ``rename`` and Windows
``MoveFileEx(REPLACE_EXISTING)`` behind :func:`os.replace` are atomic), is flushed and
fsynced, then renamed over the target. An exception or a kill before the rename leaves
the previous file untouched; two concurrent writers each rename a complete file, so the
last one wins and the result is always one writer's whole output.

A kill (SIGKILL, power loss) cannot clean up after itself, so the temporary file's name
carries its writer's process id (``.<name>.<pid>-<random>.tmp``) and every write first
removes the temporary files of that target whose writer is no longer running: a killed
write leaves nothing behind once the target is written again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from typing import BinaryIO


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open a binary file that replaces *path* only when the ``with`` block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace.

    Yields
    ------
    BinaryIO
        A temporary file in the same directory; write the new content to it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.bin"
    >>> with atomic_writer(target) as f:
    ...     _ = f.write(b"new")
    >>> target.read_bytes()
    b'new'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    _sweep(directory, os.path.basename(path))
    fd, tmp = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.{os.getpid()}-", suffix=".tmp", dir=directory
    )
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # Keep the target's permissions when replacing an existing file; a new file gets
        # what open() would give it (0666 less the umask), not mkstemp's private 0600.
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace *path* with *data* atomically (see :func:`atomic_writer`).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write_bytes(target, b"x"); target.read_bytes()
    b'x'
    """
    with atomic_writer(path) as f:
        f.write(data)


#: Temporary files of a writer that is gone are removed; where process ids cannot be
#: probed safely (Windows: os.kill would terminate), only those older than this.
STALE_AFTER_S = 24 * 3600.0


def _sweep(directory: str, name: str) -> None:
    """Remove the temporary files of *name* left in *directory* by writers that died."""
    prefix = f".{name}."
    try:
        entries = [e for e in os.listdir(directory)
                   if e.startswith(prefix) and e.endswith(".tmp")]
    except OSError:
        return
    for entry in entries:
        pid_text, sep, _ = entry[len(prefix):].partition("-")
        if not sep or not pid_text.isdigit():
            continue  # not one of ours (or from a version without the pid)
        full = os.path.join(directory, entry)
        if _writer_alive(int(pid_text), full):
            continue
        with contextlib.suppress(OSError):
            os.unlink(full)


def _writer_alive(pid: int, tmp: str) -> bool:
    if os.name != "posix":
        try:
            return time.time() - os.stat(tmp).st_mtime < STALE_AFTER_S
        except OSError:
            return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _umask() -> int:
    # os.umask can only be read by setting it; restore at once (not thread-safe, but the
    # umask is process-wide anyway and set back within two system calls).
    current = os.umask(0o022)
    os.umask(current)
    return current


def _fsync_directory(directory: str) -> None:
    # The rename is durable only once the directory entry is on disk (POSIX); Windows
    # cannot open directories and does not need it.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
