"""Every Japanese text in the Python sources of the listed packages goes through Flask-Babel.

Staff pages have no catalogue today, but their strings must be extractable so they can be
translated later: a Japanese string literal outside ``_()``/``_l()`` is either a data value (listed
in :data:`ALLOWED` with the reason) or a bug.  Docstrings are documentation, not output.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "surveyapp"

CHECKED: tuple[str, ...] = (
    "__init__",
    "admin",
    "assets",
    "audit",
    "auth/cli",
    "auth/forms",
    "auth/models",
    "auth/passwords",
    "auth/roles",
    "auth/roles_doc",
    "auth/services",
    "auth/sessions",
    "auth/throttle",
    "auth/views",
    "backup",
    "cli",
    "config",
    "deferred",
    "demo",
    "exports",
    "extensions",
    "formatting",
    "i18n",
    "i18n_cli",
    "inputs",
    "invitations",
    "kiosk",
    "links",
    "masking",
    "models",
    "opendata",
    "paper",
    "respond",
    "results",
    "screening",
    "sources",
    "staff/charts",
    "staff/comment_views",
    "staff/demo_views",
    "staff/download_views",
    "staff/downloads_page",
    "staff/editor_forms",
    "staff/editor_problems",
    "staff/editor_views",
    "staff/fieldwork_views",
    "staff/flag_views",
    "staff/forms",
    "staff/kpi_views",
    "staff/params",
    "staff/preview_views",
    "staff/progress_chart",
    "staff/publish_views",
    "staff/question_views",
    "staff/schedule_views",
    "staff/services",
    "staff/sparkline",
    "staff/views",
    "stats",
    "surveys/__init__",
    "surveys/definitions",
    "surveys/diff",
    "surveys/drafts",
    "surveys/editing",
    "surveys/format",
    "surveys/lifecycle",
    "surveys/models",
    "surveys/schedule",
    "surveys/services",
    "timeutil",
    "web",
)
"""Packages (folders) and modules (without ``.py``) under ``surveyapp/`` whose every Japanese literal
is checked.  Add a package here once its literals go through Flask-Babel."""

GETTEXT_CALLS = frozenset({"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"})

_SHEET_NAME = "a sheet name of the definition workbook: the reader finds the sheets by it"
_CELL_VALUE = "a yes/no cell value of the definition workbook, read back as true/false"
ALLOWED: dict[tuple[str, str], str] = {
    ("auth/services.py", r"[\s\-‐－ー]"): "a regular expression: the separators ignored in a typed reset code",
    **{("demo.py", comment): "a sample free-text answer stored with the demo responses (what a resident wrote)"
       for comment in ("オンライン申請がもっと増えるとうれしいです。", "窓口の方が丁寧に説明してくれました。",
                       "待ち時間が長かったです。", "スマートフォンの操作が難しいと感じました。",
                       "とても分かりやすかったです。また参加したいです。", "バスの本数を増やしてほしい。")},
    **{("exports/cells.py", char): "a full-width character a spreadsheet reads as the start of a formula"
       for char in ("＝", "＋", "－", "＠")},
    ("exports/cells.py", "〜"): "a character CP932 writes under another code point (a character map)",
    ("exports/cells.py", "～"): "a character CP932 writes under another code point (a character map)",
    ("exports/cells.py", "〓"): "the replacement mark written for a character CP932 cannot hold",
    ("i18n.py", "日本語"): "a language's name in itself, the same whatever the page's language",
    ("i18n.py", "やさしい にほんご"): "a language's name in itself, the same whatever the page's language",
    ("i18n.py", "简体中文"): "a language's name in itself, the same whatever the page's language",
    ("invitations/cli.py", "Name of the wave, e.g. 第1回発送."): "English command help; the Japanese is an example",
    ("invitations/cli.py", "Contact (問い合わせ先) printed on the letters."): "English command help naming a field",
    ("invitations/cli.py", "f'{wave.survey.key}: wave {wave.id} 「{wave.label}」 with {wave.invited} invitations'"):
        "English command output; the brackets quote the wave's name",
    ("invitations/codes.py", " \t\u3000-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\u30fb_."):
        "characters ignored when a typed invitation code is read",
    ("invitations/frame.py", "\u301c"): "the wave dash replaced when an uploaded frame is normalised",
    **{("invitations/frame.py", word): "a column name that marks personal data in an uploaded frame"
       for word in ("氏名", "名前", "姓名", "フリガナ", "ふりがな", "宛名", "住所", "番地", "郵便", "電話",
                    "生年月日", "誕生日", "メール")},
    ("invitations/returns.py", r"^(?:no\.?|№|通し番号)?\s*0*(\d{1,6})$"): "a regular expression reading a typed serial",
    ("invitations/returns.py", "コード"): "a column name accepted in an uploaded list of returned codes",
    ("invitations/returns.py", "通し番号"): "a column name accepted in an uploaded list of returned codes",
    ("invitations/staff_views.py", "年度"): "the suffix of timeutil.wareki_fiscal_year, removed to get the era year",
    ("kiosk/services.py", r"[\s\-‐－ー]"): "a regular expression: the separators ignored in a typed enrolment code",
    **{("results/population.py", word): "a column name accepted in an uploaded population CSV"
       for word in ("年齢区分", "年齢", "性別", "地区", "地域", "人口", "人数")},
    ("results/population.py", "\u301c"): "the wave dash read as ~ when an uploaded population CSV is normalised",
    ("staff/charts.py", "令和"): "an era name cut from timeutil.wareki_fiscal_year's text to shorten a label",
    ("staff/charts.py", "平成"): "an era name cut from timeutil.wareki_fiscal_year's text to shorten a label",
    ("surveys/format/workbook_layout.py", "説明"): _SHEET_NAME,
    ("surveys/format/workbook_layout.py", "調査"): _SHEET_NAME,
    ("surveys/format/workbook_layout.py", "設問"): _SHEET_NAME,
    ("surveys/format/workbook_layout.py", "選択肢"): _SHEET_NAME,
    ("surveys/format/workbook_layout.py", "はい"): _CELL_VALUE,
    ("surveys/format/workbook_layout.py", "いいえ"): _CELL_VALUE,
    ("surveys/format/workbook_layout.py", r"[\s,、，;；]+"): "a regular expression: the separators of a code list",
}
"""(file under ``surveyapp/``, literal) → why this Japanese literal is data, not text for people."""

JAPANESE = re.compile(r"[\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e々〆]")


def _files() -> list[Path]:
    found: list[Path] = []
    for entry in CHECKED:
        path = SOURCE / entry
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
        else:
            continue
        # The first string of a body, and the attribute docstrings (a string right after an
        # assignment), are documentation.
        for index, statement in enumerate(body):
            if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)):
                continue
            if index == 0 or isinstance(body[index - 1], ast.Assign | ast.AnnAssign):
                ids.add(id(statement.value))
    return ids


def _translated(tree: ast.AST) -> set[int]:
    """The message ids: the first argument of a gettext call."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_CALLS and node.args):
            ids.add(id(node.args[0]))
    return ids


def untranslated(path: Path) -> Iterator[tuple[int, str]]:
    """(line, literal) of every Japanese string literal in ``path`` outside a gettext call; an
    f-string is given as its source text (``f'...'``)."""
    return untranslated_in(path.read_text(encoding="utf-8"))


def untranslated_in(source: str) -> Iterator[tuple[int, str]]:
    tree = ast.parse(source)
    skip = _docstrings(tree) | _translated(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(part.value for part in node.values
                           if isinstance(part, ast.Constant) and isinstance(part.value, str))
            if JAPANESE.search(text):
                yield node.lineno, ast.unparse(node)
            skip |= {id(part) for part in node.values}
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and JAPANESE.search(node.value)):
            yield node.lineno, node.value


def test_the_checked_packages_exist() -> None:
    for entry in CHECKED:
        path = SOURCE / entry
        assert path.is_dir() or path.with_suffix(".py").is_file(), entry


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_japanese_text_goes_through_babel(path: Path) -> None:
    name = str(path.relative_to(SOURCE))
    found = [f"{name}:{line}: {literal!r}" for line, literal in untranslated(path)
             if (name, literal) not in ALLOWED]
    assert not found, "wrap in _() / _l(), or allow-list data values:\n" + "\n".join(found)


def test_every_allowed_literal_is_still_there() -> None:
    present = {(str(path.relative_to(SOURCE)), literal)
               for path in _files() for _line, literal in untranslated(path)}
    stale = sorted(set(ALLOWED) - present)
    assert not stale, f"remove from ALLOWED: {stale}"


def test_the_scanner_finds_what_it_must() -> None:
    sample = '''
"""Module docstring: 日本語 is fine here."""
from flask_babel import gettext as _

LABEL = "見出し"
"""Attribute docstring: 日本語."""

def f(x):
    """説明"""
    ok = _("列「%(c)s」", c=x)
    return f"値{x}は不正です", "エラー", ok
'''
    found = [literal for _line, literal in untranslated_in(sample)]
    assert "見出し" in found and "エラー" in found
    assert "f'値{x}は不正です'" in found
    assert len(found) == 3, found
