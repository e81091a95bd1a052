"""Tests of grfkit.preprocess.skip_reasons: the one home of the skip-reason vocabulary."""

import ast
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    names = [name for name in skip_reasons.__all__ if name.startswith("REASON_")]
    reasons = [getattr(skip_reasons, name) for name in names]
    assert all(isinstance(r, str) and r for r in reasons)
    assert len(set(reasons)) == len(reasons)
    defined = sorted(name for name in vars(skip_reasons) if name.startswith("REASON_"))
    assert defined == sorted(names)


_VOCABULARY = [getattr(skip_reasons, name) for name in vars(skip_reasons)
               if name.startswith("REASON_")]


def test_every_reason_has_a_step() -> None:
    """Fails when a reason is added to the vocabulary without the step that applies it."""
    assert sorted(skip_reasons.STEP_OF_REASON) == sorted(_VOCABULARY)


@given(first=st.sampled_from(_VOCABULARY),
       detail=st.sampled_from(["", ": plate2+plate3", ": ValueError: x"]),
       others=st.lists(st.sampled_from(_VOCABULARY), max_size=3))
def test_primary_reason_is_the_first_vocabulary_reason(
    first: str, detail: str, others: list[str]
) -> None:
    skipped = pd.DataFrame({"reason": ["; ".join([first + detail, *others])]}, index=[7])
    table = skip_reasons.primary_reasons(skipped)
    assert list(table.index) == [7]
    assert table.loc[7, "step"] == skip_reasons.STEP_OF_REASON[first]
    assert table.loc[7, "first reason"] == first.split(" (")[0]


def test_primary_reasons_examples() -> None:
    skipped = pd.DataFrame({"reason": [
        f"{skip_reasons.REASON_STRADDLE}: plate2+plate3; {skip_reasons.REASON_EDGE}",
        skip_reasons.REASON_OTHER_FOOT,
        f"{skip_reasons.REASON_PASS_SPEED_UNKNOWN}: too few samples",
        skip_reasons.REASON_NO_MARKER,
    ]})
    table = skip_reasons.primary_reasons(skipped)
    assert table.to_dict("list") == {
        "step": ["4. plate contacts", "4. plate contacts", "5. speed", "6. segmentation"],
        "first reason": ["straddle", "other foot", "pass speed unknown",
                         skip_reasons.REASON_NO_MARKER],
    }


def test_unknown_reason_is_named() -> None:
    with pytest.raises(ValueError, match="tripped over the cable"):
        skip_reasons.primary_reasons(pd.DataFrame({"reason": ["tripped over the cable"]}))
