"""Shared fixtures: test workbooks built once per session."""

from __future__ import annotations

import warnings

import pytest

from .books import build_function_book, build_tco_book


@pytest.fixture(scope="session")
def function_book(tmp_path_factory: pytest.TempPathFactory):
    return build_function_book(tmp_path_factory.mktemp("batch") / "functions.xlsx")


@pytest.fixture(scope="session")
def tco_book(tmp_path_factory: pytest.TempPathFactory):
    return build_tco_book(tmp_path_factory.mktemp("batch") / "tco.xlsx", months=24)


@pytest.fixture(scope="session")
def function_plan(function_book):
    from templates.recalc.batch import compile_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile_workbook(function_book)


@pytest.fixture(scope="session")
def tco_plan(tco_book):
    from templates.recalc.batch import compile_workbook

    return compile_workbook(tco_book)
