"""The name → family index that lets a workbook import only the families it calls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from templates.recalc.functions import _index


def test_the_index_is_what_the_families_register() -> None:
    # _generate imports every family and lists what each registered; the file on disk
    # must be exactly that (else: python -m templates.recalc.functions._index).
    assert _index._generate() == Path(_index.__file__).read_text(encoding="utf-8")


def test_each_name_loads_from_the_family_it_is_indexed_under() -> None:
    # In a fresh interpreter, asking for one name imports that family and no other.
    code = (
        "import sys\n"
        "from templates.recalc.registry import FUNCTIONS\n"
        "import templates.recalc.functions\n"
        "assert FUNCTIONS.get('XLOOKUP') is not None\n"
        "assert FUNCTIONS.get('NO.SUCH.FUNCTION') is None\n"
        "loaded = sorted(m.rsplit('.', 1)[-1] for m in sys.modules\n"
        "                if m.startswith('templates.recalc.functions.') and '._' not in m)\n"
        "print(' '.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert "lookup" in out
    assert "engineering" not in out and "complex" not in out


def test_listing_the_table_loads_every_family() -> None:
    code = (
        "from templates.recalc.registry import FUNCTIONS\n"
        "import templates.recalc.functions\n"
        "print(len(FUNCTIONS), 'BESSELJ' in FUNCTIONS.keys(), 'IMSUM' in list(FUNCTIONS))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[1:] == ["True", "True"]
    assert int(out[0]) == len(_index.MODULE_OF)


def test_a_name_neither_excels_nor_the_addins_loads_no_addin(tmp_path: Path) -> None:
    """=FORECAST.ETS.STAT(…) (not implemented) or a LAMBDA in a defined name is looked up
    among the add-in's names (ADDIN_NAMES) before anything is imported: the cell degrades
    and neither the add-in nor numpy is loaded for it."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "=NO_SUCH_FUNCTION(1)+1"
    book = tmp_path / "unknown.xlsx"
    wb.save(book)
    code = (
        "import sys\n"
        "from templates.recalc import Recalculation\n"
        f"calc = Recalculation({str(book)!r})\n"
        "calc.values()\n"
        "print(sorted(calc.degraded), 'udfs.functions' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["['Sheet!A1']", "False", "False"]
