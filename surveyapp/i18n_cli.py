"""``flask i18n extract|update|compile``: thin wrappers around Babel's catalogue tools."""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface

PACKAGE = Path(__file__).resolve().parent
TRANSLATIONS = PACKAGE / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
BABEL_CFG = TRANSLATIONS / "babel.cfg"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def register_i18n_commands(group: click.Group) -> None:
    """Add the three commands to the ``i18n`` group."""

    @group.command("extract")
    def extract() -> None:
        """Collect translatable strings into messages.pot."""
        _pybabel("extract", "-F", str(BABEL_CFG), "-k", "_l", "--no-location",
                 "--sort-output", "-o", str(TEMPLATE), str(PACKAGE))
        click.echo(f"wrote {TEMPLATE.relative_to(PACKAGE.parent)}")

    @group.command("update")
    def update() -> None:
        """Merge messages.pot into every language's catalogue."""
        _pybabel("update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")

    @group.command("compile")
    def compile_() -> None:
        """Compile every catalogue to .mo (built, never committed)."""
        if any(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
            _pybabel("compile", "-d", str(TRANSLATIONS), "--use-fuzzy")
        click.echo("catalogues compiled")
