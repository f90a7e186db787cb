"""Compiled plans cached by the workbook's SHA-256: in memory, and optionally on disk.

The disk cache is a directory of ``<sha256>.pkl`` pickles written atomically (temporary
file + ``os.replace``), keyed by content, so an edited workbook never meets a stale plan.
Default directory: ``$LLM_TCO_CACHE_DIR/batch`` if set, else none (memory only); pass
``cache_dir`` to choose one. A pickle that fails to load (other version) is recompiled.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from .compile import Plan, compile_workbook, file_hash

_MEMORY: dict[str, Plan] = {}
# Bump when the plan format changes so old pickles are ignored.
FORMAT = 1


def default_cache_dir() -> Path | None:
    """``$LLM_TCO_CACHE_DIR/batch`` when the variable is set, else None (memory only)."""
    root = os.environ.get("LLM_TCO_CACHE_DIR")
    return Path(root) / "batch" if root else None


def get_plan(path: str | Path, cache_dir: str | Path | None = None) -> Plan:
    """Return the compiled plan of ``path``, compiling at most once per content hash.

    Parameters
    ----------
    path : str or Path
        The workbook (.xlsx).
    cache_dir : str or Path, optional
        Directory for on-disk plans; default :func:`default_cache_dir`.
    """
    path = Path(path)
    if not path.is_file():
        from .errors import workbook_error

        raise workbook_error(path, "file does not exist")
    digest = file_hash(path)
    plan = _MEMORY.get(digest)
    if plan is not None:
        plan.path = str(path)
        return plan
    cdir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    pkl = cdir / f"{digest}.v{FORMAT}.pkl" if cdir is not None else None
    if pkl is not None and pkl.is_file():
        try:
            with open(pkl, "rb") as fh:
                plan = pickle.load(fh)
        except Exception:  # corrupt or from another version: recompile below
            plan = None
    if plan is None:
        plan = compile_workbook(path)
        if pkl is not None:
            pkl.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=pkl.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(plan, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, pkl)
    plan.path = str(path)
    _MEMORY[digest] = plan
    return plan


def clear_memory() -> None:
    """Forget the in-memory plans (tests, long-lived processes)."""
    _MEMORY.clear()
