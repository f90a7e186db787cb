"""Workbook builders (openpyxl) and the workbook runtime: recalc, check, sweep, simulate,
safe write-back of computed values."""

from templates.workbooks import TEMPLATES, build_template

__all__ = ["TEMPLATES", "build_template"]
