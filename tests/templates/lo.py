"""LibreOffice for the tests: CI installs it, so there a missing soffice fails the test."""

import os

import pytest

from templates.recalc.libreoffice import find_soffice


def soffice() -> str:
    exe = find_soffice()
    if exe is None:
        message = "LibreOffice (soffice) is not installed"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must install it")
        pytest.skip(message)
    return exe
