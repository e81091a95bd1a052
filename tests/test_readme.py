"""The README's module map names modules and functions that exist.

The map (chapter → step → module → function) is how a newcomer finds a step;
a module renamed or a function removed must fail here, not mislead a reader.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def map_rows() -> list[tuple[list[str], list[str]]]:
    """The modules and functions of each row of the README's module map."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[2].startswith("`"):
            continue
        modules = re.findall(r"`([a-z_/]+\.py)`", cells[2])
        functions = re.findall(r"`([A-Za-z_]+)`", cells[3])
        rows.append((modules, functions))
    return rows


def test_the_map_has_a_row_for_every_chapter_step():
    rows = map_rows()
    assert len(rows) >= 25
    assert all(modules and functions for modules, functions in rows)


@pytest.mark.parametrize(("modules", "functions"), map_rows())
def test_each_function_is_defined_in_one_of_its_modules(modules, functions):
    loaded = []
    for module in modules:
        path = ROOT / "grfkit" / module
        assert path.is_file(), f"README names grfkit/{module}, which does not exist"
        loaded.append(importlib.import_module("grfkit." + module[:-3].replace("/", ".")))
    for function in functions:
        owners = [m.__name__ for m in loaded if function in vars(m)
                  and getattr(vars(m)[function], "__module__", None) == m.__name__]
        assert owners, f"README says {function} is in {modules}; it is not defined there"
