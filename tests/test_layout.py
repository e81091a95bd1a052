"""The package's layout rules: stage folders, small modules, public names only, no cycles."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import grfkit
from grfkit.storage.fingerprint import PACKAGE_DIR

#: The stages of the data flow, in order, then the infrastructure packages.
STAGES = ("simulate", "io", "preprocess", "model", "experiment", "real", "plots", "storage")
#: Longest module allowed (lines).
MAX_MODULE_LINES = 600
TESTS_DIR = Path(__file__).resolve().parent


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _top_level_imports(path: Path, module: str) -> list[tuple[str, list[str]]]:
    """(imported grfkit module, names) for each import at module level (not inside functions)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    imports = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks do not run
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            if base.split(".")[0] == "grfkit":
                imports.append((base, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            imports += [(alias.name, []) for alias in node.names if alias.name.split(".")[0] == "grfkit"]
    return imports


def test_every_stage_is_a_package_with_a_test_folder() -> None:
    for stage in STAGES:
        assert (PACKAGE_DIR / stage / "__init__.py").is_file(), stage
        assert (TESTS_DIR / stage).is_dir(), f"tests/{stage}/ mirrors grfkit/{stage}/"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_are_short(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{MODULES[module]}: {lines} lines (split it by what it does)"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_docstrings_are_short(module: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[module].read_text()))
    assert doc, f"{module} has no module docstring"
    assert len(doc.splitlines()) <= 15, f"{module}: module docstring of {len(doc.splitlines())} lines (5-15)"


def test_no_module_imports_another_modules_private_names() -> None:
    offences = []
    for module, path in MODULES.items():
        for source, names in _top_level_imports(path, module):
            offences += [f"{module} imports {source}.{name}" for name in names
                         if name.startswith("_") and not name.startswith("__") and source != module]
        for node in ast.walk(ast.parse(path.read_text())):  # also imports inside functions
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("grfkit"):
                offences += [f"{module} imports {node.module}.{a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")
                             and not (node.module.rpartition(".")[2].startswith("_")
                                      and node.module.rpartition(".")[0] == module.rpartition(".")[0])]
    assert not sorted(set(offences)), "\n".join(sorted(set(offences)))


def test_package_private_modules_are_used_only_inside_their_stage() -> None:
    offences = []
    for module, path in MODULES.items():
        for source, _ in _top_level_imports(path, module):
            stem = source.rpartition(".")[2]
            if stem.startswith("_") and source.rpartition(".")[0] != module.rpartition(".")[0]:
                offences.append(f"{module} imports {source}")
    assert not offences, "\n".join(offences)


def test_there_are_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = set()
        for source, names in _top_level_imports(path, module):
            targets |= {f"{source}.{name}" for name in names if f"{source}.{name}" in MODULES}
            if source in MODULES and not (MODULES[source].name == "__init__.py" and names):
                targets.add(source)
        graph[module] = targets - {module}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("stage", [*STAGES, ""])
def test_each_stage_lists_importable_public_names(stage: str) -> None:
    package = importlib.import_module(f"grfkit.{stage}" if stage else "grfkit")
    assert package.__all__, stage
    for name in package.__all__:
        assert getattr(package, name) is not None, f"grfkit.{stage}.{name}"


def test_the_front_door_is_the_top_level_package() -> None:
    for name in ("simulate_cohort", "preprocess_raw", "StanceDataset"):
        assert name in grfkit.__all__
