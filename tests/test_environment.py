"""The project's environment files agree with each other.

pyproject.toml is the reference: environment.yml (conda/Binder) must list the same dependencies
with the same version ranges, and constraints.txt must pin torch inside pyproject's range.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
# conda-forge package name -> PyPI distribution name, where the two differ.
CONDA_TO_PYPI = {"pytorch": "torch"}
# Entries of environment.yml that are tooling, not grfkit dependencies.
CONDA_TOOLING = {"python", "pip"}
CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*$")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def pyproject_requirements() -> dict[str, SpecifierSet]:
    """Runtime dependencies plus the ``test`` and ``book`` extras, by normalised name."""
    project = _pyproject()["project"]
    lines = list(project["dependencies"])
    for extra in ("test", "book"):
        lines += project["optional-dependencies"][extra]
    requirements = [Requirement(line) for line in lines]
    return {canonicalize_name(r.name): r.specifier for r in requirements}


def environment_requirements() -> dict[str, SpecifierSet]:
    """Conda and pip dependencies of environment.yml, by normalised PyPI name."""
    found: dict[str, SpecifierSet] = {}
    for entry in _environment()["dependencies"]:
        if isinstance(entry, dict):  # the `pip:` section
            for line in entry["pip"]:
                if line.startswith("-"):  # `-e .`: the project itself
                    continue
                requirement = Requirement(line)
                found[canonicalize_name(requirement.name)] = requirement.specifier
            continue
        match = CONDA_SPEC.match(entry)
        assert match, f"environment.yml: cannot parse dependency {entry!r}"
        name, spec = match.groups()
        if name in CONDA_TOOLING:
            continue
        found[canonicalize_name(CONDA_TO_PYPI.get(name, name))] = SpecifierSet(spec)
    return found


def test_environment_lists_the_same_dependencies_as_pyproject():
    expected = pyproject_requirements()
    listed = environment_requirements()
    missing = sorted(set(expected) - set(listed))
    extra = sorted(set(listed) - set(expected))
    assert not missing, f"environment.yml lacks {missing} (listed in pyproject.toml)"
    assert not extra, f"environment.yml lists {extra}, which pyproject.toml does not"


def test_environment_uses_the_same_version_ranges_as_pyproject():
    expected = pyproject_requirements()
    listed = environment_requirements()
    differing = {
        name: (str(expected[name]), str(listed[name]))
        for name in expected
        if name in listed and expected[name] != listed[name]
    }
    assert not differing, f"version ranges differ (pyproject, environment.yml): {differing}"


def test_every_dependency_is_a_range_not_a_pin():
    for name, specifier in pyproject_requirements().items():
        operators = {spec.operator for spec in specifier}
        assert "==" not in operators, f"{name} is pinned in pyproject.toml; pins go in constraints.txt"


def test_environment_installs_the_project_itself():
    pip_sections = [e["pip"] for e in _environment()["dependencies"] if isinstance(e, dict)]
    assert pip_sections, "environment.yml has no pip section installing grfkit"
    assert any(line.replace(" ", "").startswith("-e.") for line in pip_sections[0])


def test_environment_python_satisfies_requires_python():
    requires = SpecifierSet(_pyproject()["project"]["requires-python"])
    pythons = [
        e for e in _environment()["dependencies"] if isinstance(e, str) and e.startswith("python=")
    ]
    assert len(pythons) == 1, "environment.yml must name exactly one python version"
    assert Version(pythons[0].split("=", 1)[1]) in requires


def test_jupyter_book_stays_on_version_1():
    specifier = pyproject_requirements()["jupyter-book"]
    assert Version("1.0.4") in specifier
    assert Version("2.0.0") not in specifier, "Jupyter Book 2 builds nothing from _config.yml"


@pytest.fixture(scope="module")
def constraints() -> dict[str, Requirement]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    requirements = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(r.name): r for r in requirements}


def test_constraints_pin_torch_inside_the_pyproject_range(constraints):
    assert "torch" in constraints, "constraints.txt must pin torch (else pip fetches CUDA builds)"
    pins = [spec for spec in constraints["torch"].specifier if spec.operator == "=="]
    assert len(pins) == 1, "torch must be pinned with a single =="
    assert Version(pins[0].version) in pyproject_requirements()["torch"]


def test_constraints_only_constrain_declared_dependencies(constraints):
    declared = pyproject_requirements()
    undeclared = sorted(set(constraints) - set(declared))
    assert not undeclared, f"constraints.txt pins packages grfkit does not declare: {undeclared}"
