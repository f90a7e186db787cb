"""templates.recalc.atomic: an interrupted write leaves the old file; concurrent writers never
produce a corrupt one."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from templates.recalc.atomic import atomic_write_bytes, atomic_writer
from templates.recalc.writeback import write_back

REPO = Path(__file__).resolve().parents[2]


def _xlsx(value: float) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"] = value, "=A1*2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_exception_mid_write_keeps_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError, match="interrupted"), atomic_writer(target) as f:
        f.write(b"half of the new")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # temp file removed


def test_keyboard_interrupt_mid_write_back_keeps_target(tmp_path: Path, monkeypatch) -> None:
    src = tmp_path / "in.xlsx"
    src.write_bytes(_xlsx(1))
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous")
    src_hash = hashlib.sha256(src.read_bytes()).hexdigest()

    def boom(fd: int) -> None:  # the data is written; the interruption comes before fsync
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        write_back(src, target)
    assert target.read_bytes() == b"previous"
    assert hashlib.sha256(src.read_bytes()).hexdigest() == src_hash
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "out.xlsx"]


def test_killed_writer_leaves_previous_file(tmp_path: Path) -> None:
    """SIGKILL half-way: the target is the old file; only a stray temp file may remain."""
    target = tmp_path / "out.xlsx"
    target.write_bytes(_xlsx(1))
    before = target.read_bytes()
    code = (
        "import sys, time\n"
        "from templates.recalc.atomic import atomic_writer\n"
        "with atomic_writer(sys.argv[1]) as f:\n"
        "    f.write(b'PK partial'); f.flush(); print('writing', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(target)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert target.read_bytes() == before
    assert zipfile.ZipFile(target).testzip() is None


def test_concurrent_writers_never_corrupt(tmp_path: Path) -> None:
    """Two processes write different workbooks to the same path 30 times each, at once.

    After every round the file is a valid zip equal to one writer's whole output.
    """
    a, b = _xlsx(1), _xlsx(2)
    (tmp_path / "a.bin").write_bytes(a)
    (tmp_path / "b.bin").write_bytes(b)
    target = tmp_path / "out.xlsx"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from templates.recalc.atomic import atomic_write_bytes\n"
        "data = Path(sys.argv[2]).read_bytes()\n"
        "for _ in range(30):\n"
        "    atomic_write_bytes(sys.argv[1], data)\n"
    )
    for _round in range(3):
        procs = [
            subprocess.Popen([sys.executable, "-c", code, str(target), str(tmp_path / src)],
                             cwd=REPO)
            for src in ("a.bin", "b.bin")
        ]
        seen = set()
        deadline = time.monotonic() + 60
        while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            if target.exists():
                data = target.read_bytes()
                assert data in (a, b)  # never a mix, never partial
                seen.add(data)
        for p in procs:
            assert p.wait(timeout=60) == 0
        final = target.read_bytes()
        assert final in (a, b)
        assert zipfile.ZipFile(io.BytesIO(final)).testzip() is None
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_concurrent_write_back_same_output(tmp_path: Path) -> None:
    """Two `llm-tco recalc -o` runs on different inputs, same output: always a valid,
    fresh workbook from one of them."""
    for name, value in (("one.xlsx", 1), ("two.xlsx", 2)):
        (tmp_path / name).write_bytes(_xlsx(value))
    out = tmp_path / "out.xlsx"
    cli = [sys.executable, "-c", "from addin.cli import main; main()"]
    procs = [
        subprocess.Popen([*cli, "recalc", str(tmp_path / n), "-o", str(out), "--format", "json"],
                         cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for n in ("one.xlsx", "two.xlsx")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    value = openpyxl.load_workbook(out, data_only=True).active["A2"].value
    assert value in (2, 4)  # A2 = A1*2 with A1 = 1 or 2 (by hand)


def test_permissions_of_replaced_file_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640


def test_new_file_gets_umask_permissions_not_private_ones(tmp_path):
    import os

    from templates.recalc.atomic import atomic_write_bytes

    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "new.xlsx", b"x")
    finally:
        os.umask(old)
    # 0666 & ~0022 = 0644, as open() would create it (mkstemp alone gives 0600)
    assert (tmp_path / "new.xlsx").stat().st_mode & 0o777 == 0o644
