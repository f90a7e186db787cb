"""Alias of :mod:`templates.workbooks`, the workbook template builders.

Issue 5 names this package ``templates.builders``; the builders were written earlier
as ``templates.workbooks`` and other code imports them from there, so this module
re-exports the same objects rather than keeping a second copy.
"""

from templates.workbooks import (
    TEMPLATES,
    build_template,
    build_workbook,
    inputs_of,
    scenarios,
    template_bytes,
)

__all__ = ["TEMPLATES", "build_template", "build_workbook", "inputs_of", "scenarios",
           "template_bytes"]
