"""LibreOffice headless as a second, independent recalculation engine (cross-checks, benchmarks).

A fresh user profile with ``OOXMLRecalcMode = 0`` ("always recalculate" .xlsx on load; the
default asks, and headless never answers) makes LibreOffice compute every formula itself
before it saves the converted copy, so the copy's cached values are LibreOffice's own.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

#: The one setting the profile needs (org.openoffice.Office.Calc/Formula/Load).
_RECALC_ON_LOAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>'
    "</oor:items>"
)


def find_soffice() -> str | None:
    """Path of LibreOffice's ``soffice`` (or ``libreoffice``), None when not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalc_profile(directory: Path) -> Path:
    """Create (once) a LibreOffice user profile in *directory* that recalculates on load."""
    user = directory / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_RECALC_ON_LOAD, encoding="utf-8")
    return directory


def libreoffice_recalculate(files: Sequence[Path], outdir: Path, soffice: str | None = None,
                            timeout: float = 300, profile: Path | None = None
                            ) -> dict[Path, Path]:
    """Open every file in ONE headless LibreOffice run, recalculate, save as .xlsx in *outdir*.

    Returns
    -------
    dict
        Each input path → its recalculated copy.

    Raises
    ------
    FileNotFoundError
        LibreOffice is not installed.
    subprocess.CalledProcessError
        LibreOffice failed (its stderr is in the exception).
    """
    exe = soffice or find_soffice()
    if exe is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    prof = profile or recalc_profile(outdir / "lo-profile")
    converted = outdir / "converted"
    converted.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [exe, f"-env:UserInstallation={prof.as_uri()}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(converted), *map(str, files)],
        check=True, capture_output=True, timeout=timeout,
    )
    return {Path(f): converted / Path(f).name for f in files}
