"""``python -m templates.recalc.functions``: rewrite the name → family index."""

import pathlib

from templates.recalc.functions import _index

pathlib.Path(_index.__file__).write_text(_index._generate(), encoding="utf-8")
print(f"{_index.__file__}: {len(_index.MODULE_OF)} names before, rewritten")
