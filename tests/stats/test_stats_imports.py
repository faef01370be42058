"""surveyapp.stats may import only the standard library, numpy, scipy and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import surveyapp.stats

PACKAGE = Path(surveyapp.stats.__file__).parent
ALLOWED_THIRD_PARTY = {"numpy", "scipy"}


def _imported_roots(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level > 0:
                continue  # relative import within the package
            found.append((node.lineno, (node.module or "").split(".")[0]))
        elif isinstance(node, ast.Call) and (
            getattr(node.func, "attr", None) == "import_module"
            or getattr(node.func, "id", None) == "__import__"
        ):
            found.append((node.lineno, "<dynamic import>"))
    return found


def _allowed(root: str) -> bool:
    return root in ALLOWED_THIRD_PARTY or root in sys.stdlib_module_names


def test_checker_catches_outside_imports() -> None:
    source = (
        "import math\nimport numpy as np\nfrom scipy import special\nfrom . import _dist\n"
        "import flask\nfrom sqlalchemy import select\nfrom surveyapp.extensions import db\n"
        "import importlib\nimportlib.import_module('pandas')\n"
    )
    rejected = [root for _, root in _imported_roots(source) if not _allowed(root)]
    assert rejected == ["flask", "sqlalchemy", "surveyapp", "<dynamic import>"]


def test_only_stdlib_numpy_scipy_and_relative_imports() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 8
    bad = [
        f"{path.relative_to(PACKAGE)}:{line}: {root}"
        for path in files
        for line, root in _imported_roots(path.read_text(encoding="utf-8"))
        if not _allowed(root)
    ]
    assert not bad, "imports outside stdlib/numpy/scipy:\n" + "\n".join(bad)


def test_public_api_is_declared() -> None:
    names = surveyapp.stats.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(surveyapp.stats, name), name
    for function in ("proportion_ci", "difference_ci", "compare_to_baseline", "target_verdict",
                     "poststratify", "rake", "weighted_proportion", "sample_size",
                     "minimum_detectable_change", "likert_summary", "assess_proportion"):
        doc = getattr(surveyapp.stats, function).__doc__
        assert doc and "\n" not in doc.strip(), f"{function} needs a one-line docstring"
    for cited in ("Wilson", "Newcombe", "Agresti", "Brown", "Korn", "Lumley", "Parker"):
        assert cited in surveyapp.stats.METHODS_NOTE
