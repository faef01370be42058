"""``flask i18n extract|update|compile|check``: catalogue maintenance.

Extraction uses pybabel.  Updating and compiling use Babel's Python API because Babel's
command line parses catalogue folder names as CLDR locales, and やさしい日本語 (``ja_easy``)
is not one.
"""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import CATALOGUES, LANGUAGE_NAMES

PACKAGE = Path(__file__).resolve().parent
TRANSLATIONS = PACKAGE / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
BABEL_CFG = TRANSLATIONS / "babel.cfg"
KEYWORDS = ("_l", "_plain")


def catalogue_path(folder: str, suffix: str = "po") -> Path:
    return TRANSLATIONS / folder / "LC_MESSAGES" / f"messages.{suffix}"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def write_catalogue(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True,
                 ignore_obsolete=True, include_previous=False)


def untranslated(catalog: Catalog) -> list[str]:
    """msgids with no (or only a fuzzy) translation."""
    return [str(m.id) for m in catalog if m.id and (not m.string or m.fuzzy)]


def extract() -> None:
    from babel.messages.frontend import CommandLineInterface  # slow to import: only here

    args = ["pybabel", "-q", "extract", "-F", str(BABEL_CFG), "--no-location", "--sort-output",
            "--project", "surveyapp", "-o", str(TEMPLATE)]
    for keyword in KEYWORDS:
        args += ["-k", keyword]
    CommandLineInterface().run([*args, str(PACKAGE)])


def update() -> list[str]:
    """Merge messages.pot into every language's catalogue (creating missing ones)."""
    template = read_catalogue(TEMPLATE)
    report = []
    for language, folder in CATALOGUES.items():
        path = catalogue_path(folder)
        if path.exists():
            catalog = read_catalogue(path)
        else:
            catalog = Catalog(locale=folder, domain="messages", project="surveyapp",
                              version="1", language_team=LANGUAGE_NAMES[language], fuzzy=False,
                              header_comment=f"# {LANGUAGE_NAMES[language]} ({language}): "
                              "surveyapp's respondent pages, translated from Japanese.\n")
        catalog.update(template, no_fuzzy_matching=True)
        write_catalogue(path, catalog)
        report.append(f"{folder}: {len(untranslated(catalog))} untranslated")
    return report


def compile_all() -> list[Path]:
    """Compile every catalogue to .mo (built, never committed); fuzzy entries are left out."""
    written = []
    for folder in CATALOGUES.values():
        source = catalogue_path(folder)
        if not source.exists():
            continue
        catalog = read_catalogue(source)
        target = catalogue_path(folder, "mo")
        with target.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(target)
    return written


def register_i18n_commands(group: click.Group) -> None:
    """Add the commands to the ``i18n`` group."""

    @group.command("extract")
    def extract_command() -> None:
        """Collect translatable strings into messages.pot."""
        extract()
        click.echo(f"wrote {TEMPLATE.relative_to(PACKAGE.parent)}")

    @group.command("update")
    def update_command() -> None:
        """Merge messages.pot into every language's catalogue."""
        for line in update():
            click.echo(line)

    @group.command("compile")
    def compile_command() -> None:
        """Compile every catalogue to .mo."""
        written = compile_all()
        click.echo(f"catalogues compiled ({len(written)})")

    @group.command("check")
    def check_command() -> None:
        """List untranslated strings per catalogue (for translators)."""
        for folder in CATALOGUES.values():
            path = catalogue_path(folder)
            if not path.exists():
                click.echo(f"{folder}: missing")
                continue
            missing = untranslated(read_catalogue(path))
            click.echo(f"{folder}: {len(missing)} untranslated")
            for msgid in missing:
                click.echo(f"  {msgid}")
