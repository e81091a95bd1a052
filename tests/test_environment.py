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
    """Runtime dependencies plus the ``test``, ``book`` and ``export`` extras, by normalised name."""
    project = _pyproject()["project"]
    lines = list(project["dependencies"])
    for extra in ("test", "book", "export"):
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


def read_constraints(name: str) -> list[Requirement]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def constraints() -> dict[str, list[Requirement]]:
    by_name: dict[str, list[Requirement]] = {}
    for requirement in read_constraints("constraints.txt"):
        by_name.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return by_name


def _torch_pin(requirement: Requirement) -> Version:
    pins = [spec for spec in requirement.specifier if spec.operator == "=="]
    assert len(pins) == 1, f"torch must be pinned with a single == ({requirement})"
    return Version(pins[0].version)


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_constraints_pin_one_cpu_torch_per_platform_inside_the_pyproject_range(constraints, platform):
    assert "torch" in constraints, "constraints.txt must pin torch (else pip fetches CUDA builds)"
    chosen = [r for r in constraints["torch"] if r.marker is None or r.marker.evaluate({"sys_platform": platform})]
    assert len(chosen) == 1, f"exactly one torch pin must apply on {platform}: {chosen}"
    version = _torch_pin(chosen[0])
    assert Version(version.public) in pyproject_requirements()["torch"]
    if platform != "darwin":  # PyTorch's CPU index names its Linux and Windows CPU wheels +cpu
        assert version.local == "cpu", f"the default torch on {platform} must be the CPU build"


def test_the_cuda_switch_pins_the_same_torch_release(constraints):
    (cuda,) = read_constraints("constraints-cuda.txt")
    cpu = [r for r in constraints["torch"] if r.marker.evaluate({"sys_platform": "linux"})]
    assert Version(_torch_pin(cuda).public) == Version(_torch_pin(cpu[0]).public)
    assert _torch_pin(cuda).local is None


def test_constraints_only_constrain_declared_dependencies(constraints):
    declared = pyproject_requirements()
    undeclared = sorted(set(constraints) - set(declared))
    assert not undeclared, f"constraints.txt pins packages grfkit does not declare: {undeclared}"
