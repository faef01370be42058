"""Fixtures of the respondent-flow tests: the one-page reference survey and row counts."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from tests.conftest import link_code

ANCHOR = Path(__file__).parents[1] / "bench" / "fixtures" / "load-anchor.toml"


def count_rows(app: Flask, model: type) -> int:
    """How many rows the table of ``model`` holds."""
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


@pytest.fixture()
def one_page(app: Flask) -> str:
    """The link code of the reference survey (every question on one page), loaded and open."""
    result = app.test_cli_runner().invoke(args=["surveys", "load", str(ANCHOR), "--open"])
    assert result.exit_code == 0, result.output
    return link_code(app, "load-anchor")
