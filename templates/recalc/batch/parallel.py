"""Run batch chunks here, in local processes, or on a Dask distributed cluster.

Every batch job is a list of independent chunk tasks ``fn(plan, *task)`` whose results are
put back in task order, so the answer never depends on where or in what order chunks ran.
Chunk boundaries (and, for Monte Carlo, each chunk's random seed) are fixed by the job
itself, not by the number of workers.

* ``workers=1`` (default): in this process.
* ``workers=N``: ``concurrent.futures.ProcessPoolExecutor`` with the ``spawn`` start method
  (a clean interpreter per worker: safe next to threads); the plan is pickled once per
  worker through the pool initializer, not once per chunk.
* ``dask="tcp://host:8786"``: an existing ``dask.distributed`` scheduler; the plan is
  scattered to every worker once (``broadcast=True``). Workers need this package installed.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any

from .errors import BatchInputError

_WORKER_PLAN: Any = None


def _init_worker(plan_bytes: bytes) -> None:
    global _WORKER_PLAN
    _WORKER_PLAN = pickle.loads(plan_bytes)


def _run_in_worker(fn: Callable[..., Any], task: tuple) -> Any:
    return fn(_WORKER_PLAN, *task)


def _progress(total: int, label: str, enabled: bool) -> Any:
    if not enabled or total <= 1:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    # On stderr: stdout may be a CSV or JSON another program reads.
    prog = Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), transient=True, console=Console(stderr=True),
    )
    prog.start()
    prog.add_task(label, total=total)
    return prog


def map_chunks(
    fn: Callable[..., Any],
    plan: Any,
    tasks: Sequence[tuple],
    *,
    workers: int = 1,
    dask: str | None = None,
    progress: bool = False,
    label: str = "scenarios",
) -> list[Any]:
    """Return ``[fn(plan, *task) for task in tasks]``, computed where asked.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to other processes).
    plan : Plan
        The compiled workbook, sent once per worker.
    tasks : sequence of tuple
        Arguments of each chunk after ``plan``.
    workers : int
        Local processes; 1 runs here.
    dask : str, optional
        Address of a Dask distributed scheduler; overrides ``workers``.
    progress : bool
        Show a rich progress bar over chunks.
    """
    if workers < 1:
        raise BatchInputError("--workers", "must be >= 1", workers)
    results: list[Any] = [None] * len(tasks)
    prog = _progress(len(tasks), label, progress)
    try:
        if dask:
            _run_dask(fn, plan, tasks, dask, results, prog)
        elif workers == 1 or len(tasks) == 1:
            for i, task in enumerate(tasks):
                results[i] = fn(plan, *task)
                if prog is not None:
                    prog.advance(0)
        else:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor, as_completed

            blob = pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL)
            with ProcessPoolExecutor(
                max_workers=min(workers, len(tasks)), mp_context=mp.get_context("spawn"),
                initializer=_init_worker, initargs=(blob,),
            ) as pool:
                futs = {pool.submit(_run_in_worker, fn, task): i for i, task in enumerate(tasks)}
                for fut in as_completed(futs):
                    results[futs[fut]] = fut.result()
                    if prog is not None:
                        prog.advance(0)
    finally:
        if prog is not None:
            prog.stop()
    return results


def _run_dask(fn: Callable[..., Any], plan: Any, tasks: Sequence[tuple], address: str,
              results: list[Any], prog: Any) -> None:
    try:
        from distributed import Client
    except ImportError as exc:  # the optional extra is not installed
        raise BatchInputError(
            "--dask", "needs dask[distributed] (pip install 'llm-tco[dask]')", address
        ) from exc
    try:
        client = Client(address, timeout=5, set_as_default=False)
    except OSError as exc:
        raise BatchInputError("--dask", f"cannot reach the scheduler ({exc})", address) from exc
    try:
        plan_future = client.scatter(plan, broadcast=True)
        futs = [client.submit(fn, plan_future, *task, pure=False) for task in tasks]
        # All chunks are queued at once; collecting them in order keeps the result order
        # and still moves the progress bar as they finish.
        for i, fut in enumerate(futs):
            results[i] = fut.result()
            if prog is not None:
                prog.advance(0)
    finally:
        client.close()


def chunk_bounds(n: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``range(n)`` in chunks of ``chunk_size``."""
    return [(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]
