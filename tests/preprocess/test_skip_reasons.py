"""Tests of grfkit.preprocess.skip_reasons: the one home of the skip-reason vocabulary."""

import ast
from pathlib import Path

from grfkit.preprocess import skip_reasons
from grfkit.storage.fingerprint import PACKAGE_DIR


def test_every_reason_is_defined_here_and_nowhere_else() -> None:
    defined_elsewhere = []
    for path in sorted(Path(PACKAGE_DIR).rglob("*.py")):
        if path.name == "skip_reasons.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                defined_elsewhere += [f"{path.name}: {t.id}" for t in targets
                                      if isinstance(t, ast.Name) and t.id.startswith("REASON_")]
    assert not defined_elsewhere


def test_reasons_are_distinct_non_empty_strings() -> None:
    reasons = [getattr(skip_reasons, name) for name in skip_reasons.__all__]
    assert all(isinstance(r, str) and r for r in reasons)
    assert len(set(reasons)) == len(reasons)
    assert sorted(name for name in vars(skip_reasons) if name.startswith("REASON_")) == sorted(skip_reasons.__all__)
