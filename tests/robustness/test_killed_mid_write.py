"""Killed mid-write, nothing lost (issue 15, item 6): `llm-tco recalc --in-place` and `-o`
killed with SIGKILL at seeded random moments, at least 50 kills each.

After every kill the target is byte for byte the old workbook or the complete new one (the
new one is what an uninterrupted run writes: recalculation is byte-reproducible), the input
of `-o` is unchanged, and no temporary file outlives the next write: a killed writer's
temporary file (named with its pid, templates/recalc/atomic.py) is removed by the next run that
writes, so at no moment is there more than one, always a killed writer's, and none at the
end. The runs are forked from a server that has imported the CLI, so the kill moments fall
inside its work: a third uniform over a whole run, a third in its last 15 %, a third
within 0.5 ms of its temporary file appearing (mid-write, the case that matters).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

KILLS = 50


def _workbook(path: Path) -> None:
    """~1,400 formulas over two sheets: a run long enough that kills land in every phase."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet"
    ws["A1"] = 1
    for i in range(2, 300):
        ws[f"A{i}"] = f"=A{i - 1}*1.01+B{i - 1}"
        ws[f"B{i}"] = f"=SUM(A1:A{i - 1})/100"
    data = wb.create_sheet("Data")
    for r in range(1, 800):
        data[f"A{r}"] = r
        data[f"B{r}"] = f"=A{r}*2+Sheet!A1"
    wb.save(path)


def _args(mode: str, book: Path, out: Path) -> list[str]:
    tail = ["--in-place"] if mode == "in-place" else ["-o", str(out)]
    return ["recalc", str(book), "--set", "Sheet!A1=5", "--format", "json", *tail]


#: A fork server: imports the CLI once, then runs each command (a JSON list of arguments on
#: stdin) in a forked child, printing the child's pid, then its wait status. The kills then
#: fall inside the CLI's own work (reading, evaluating, writing), not the interpreter start,
#: so 50 of them take a minute, not five. The first command runs in the server itself:
#: the uninterrupted reference run, which also warms every lazy import.
_SERVER = """
import json, os, sys
from addin.cli import main

def run(args):
    sys.argv = ["llm-tco", *args]
    try:
        main()
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return 0

null = os.open(os.devnull, os.O_WRONLY)
first = True
for line in sys.stdin:
    args = json.loads(line)
    if first:
        saved = os.dup(1)
        os.dup2(null, 1)
        code = run(args)
        os.dup2(saved, 1)
        print(json.dumps(["ref", code]), flush=True)
        first = False
        continue
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 1)
        os.dup2(null, 2)
        os._exit(run(args))
    print(json.dumps(["pid", pid]), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps(["status", status]), flush=True)
"""


class _Server:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def send(self, args: list[str]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(args) + "\n")
        self.proc.stdin.flush()

    def read(self) -> tuple[str, int]:
        assert self.proc.stdout is not None
        kind, value = json.loads(self.proc.stdout.readline())
        return kind, value

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _wait_for_temp(directory: Path, pid: int, limit_s: float) -> None:
    """Return when writer *pid*'s temporary file appears (or after *limit_s*)."""
    mark, deadline = f".{pid}-", time.perf_counter() + limit_s
    while time.perf_counter() < deadline:
        with os.scandir(directory) as it:
            if any(mark in e.name for e in it):
                return


def _temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("mode", ["in-place", "-o"])
def test_sigkill_at_random_moments_leaves_old_or_new(tmp_path: Path, mode: str) -> None:
    rng = random.Random(f"issue-15-kills:{mode}")
    book, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    _workbook(tmp_path / "original.xlsx")
    original = (tmp_path / "original.xlsx").read_bytes()
    (tmp_path / "original.xlsx").unlink()
    target = book if mode == "in-place" else out
    previous_out = original  # for -o, the target held an older workbook before
    server = _Server()
    try:
        # The complete new workbook: what an uninterrupted run writes from the same input.
        ref = tmp_path / "ref"
        ref.mkdir()
        (ref / "book.xlsx").write_bytes(original)
        server.send(_args(mode, ref / "book.xlsx", ref / "out.xlsx"))
        assert server.read() == ("ref", 0)
        new = (ref / ("book.xlsx" if mode == "in-place" else "out.xlsx")).read_bytes()
        assert new != original
        shutil.rmtree(ref)
        # How long a forked run takes, uninterrupted: the window the kills are spread over.
        runs = []
        for _ in range(3):
            book.write_bytes(original)
            if mode == "-o":
                out.write_bytes(previous_out)
            t0 = time.perf_counter()
            server.send(_args(mode, book, out))
            assert server.read()[0] == "pid" and server.read() == ("status", 0)
            runs.append(time.perf_counter() - t0)
            assert target.read_bytes() == new
        window = min(runs)

        outcomes = {"old": 0, "new": 0, "finished before the kill": 0, "killed while writing": 0}
        kills = 0
        dead: set[int] = set()
        while kills < KILLS:
            book.write_bytes(original)
            if mode == "-o":
                out.write_bytes(previous_out)
            server.send(_args(mode, book, out))
            kind, pid = server.read()
            assert kind == "pid"
            pick = rng.random()
            if pick < 0.35:  # anywhere in the run
                time.sleep(window * rng.uniform(0.0, 1.0))
            elif pick < 0.65:  # in its last 15 %, where it writes
                time.sleep(window * rng.uniform(0.85, 1.02))
            else:  # while its temporary file exists: within 0–0.5 ms of its appearing
                _wait_for_temp(tmp_path, pid, window * 2)
                time.sleep(rng.uniform(0.0, 0.0005))
            with contextlib.suppress(ProcessLookupError):  # already finished and reaped
                os.kill(pid, signal.SIGKILL)
            kind, status = server.read()
            assert kind == "status"
            killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            kills += killed
            if killed:
                dead.add(pid)
            got = target.read_bytes()
            old = original if mode == "in-place" else previous_out
            state = "old" if got == old else "new" if got == new else None
            assert state is not None, f"kill {kills}: target is neither the old nor the new file"
            if not killed:
                assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and got == new
                state = "finished before the kill"
            outcomes[state] += 1
            assert zipfile.ZipFile(target).testzip() is None
            if mode == "-o":
                assert book.read_bytes() == original, "the input of -o changed"
            # Only a killed writer may have left a temporary file, and at most one exists:
            # the next run that reaches its write sweeps it before writing its own.
            stray = _temps(tmp_path)
            assert len(stray) <= 1, stray
            assert all(int(re.search(r"\.(\d+)-[^.]+\.tmp$", n)[1]) in dead for n in stray), stray
            if killed and any(f".{pid}-" in n for n in stray):
                outcomes["killed while writing"] += 1
        # One more complete run removes whatever the last kill left.
        book.write_bytes(original)
        server.send(_args(mode, book, out))
        assert server.read()[0] == "pid" and server.read() == ("status", 0)
    finally:
        server.close()
    assert target.read_bytes() == new
    assert _temps(tmp_path) == [], "a temporary file outlived the next write"
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["book.xlsx", "out.xlsx"] if mode == "-o" else ["book.xlsx"])
    print(f"\n{mode}: {kills} SIGKILLs, outcomes {outcomes}")
    assert kills >= KILLS and outcomes["old"] and outcomes["killed while writing"], outcomes


def test_a_dead_writers_temporary_file_is_swept_a_live_ones_kept(tmp_path: Path) -> None:
    from templates.recalc.atomic import atomic_write_bytes

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f".out.xlsx.{dead.pid}-abc123.tmp"
    left.write_bytes(b"half")
    live = tmp_path / f".out.xlsx.{os.getppid()}-def456.tmp"  # our parent: alive
    live.write_bytes(b"someone else writing")
    other = tmp_path / f".other.xlsx.{dead.pid}-abc123.tmp"  # another target's: not ours
    other.write_bytes(b"x")
    atomic_write_bytes(tmp_path / "out.xlsx", b"new")
    assert not left.exists() and live.exists() and other.exists()
    assert (tmp_path / "out.xlsx").read_bytes() == b"new"
