"""The book's notebooks run, and the book's table of contents matches them.

Each ``notebooks/*.py`` (py:percent, the source of truth) is converted to ``.ipynb`` with
jupytext and executed by papermill at ``ci`` scale in the ``grfkit`` kernel, the kernel the book
build uses. A notebook passes when no cell fails and it draws at least one plotly figure in the
form the built book renders (``text/html`` calling ``Plotly.newPlot``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import jupytext
import nbformat
import papermill
import pytest
import yaml
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.py"))
KERNEL_NAME = "grfkit"
# What a notebook's first lines must say (jupytext header) so that every runner picks the kernel.
HEADER_HINT = (
    "# ---\n# jupyter:\n#   kernelspec:\n#     display_name: Python (grfkit)\n"
    "#     language: python\n#     name: grfkit\n# ---"
)
# Seconds one cell may run at ci scale before the test fails.
CELL_TIMEOUT_S = 900


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every ``file:`` entry of a Jupyter Book table of contents, root first."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return files


def plotly_html_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """The ``text/html`` outputs that draw a plotly figure."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if "Plotly.newPlot" in html:
                found.append(html)
    return found


def dropped_plotly_outputs(notebook: nbformat.NotebookNode) -> int:
    """Outputs that carry a plotly figure only as a MIME type the book drops."""
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "application/vnd.plotly.v1+json" in data and "text/html" not in data:
                count += 1
    return count


def test_notebooks_folder_has_notebooks():
    assert NOTEBOOKS, f"no notebooks/*.py in {NOTEBOOK_DIR}: the book has nothing to execute"


def test_every_toc_entry_exists():
    missing = [
        entry
        for entry in toc_files()
        if not any((ROOT / f"{entry}{suffix}").is_file() for suffix in (".md", ".py"))
    ]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = set(toc_files())
    unlisted = [p.name for p in NOTEBOOKS if f"notebooks/{p.stem}" not in listed]
    assert not unlisted, f"notebooks missing from _toc.yml (only_build_toc_files skips them): {unlisted}"


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_no_ipynb_is_tracked_and_generated_ones_are_ignored():
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git checkout")
    tracked = _git("ls-files", "--", "*.ipynb").stdout.split()
    assert not tracked, f".ipynb files are generated from notebooks/*.py; remove from git: {tracked}"
    for path in NOTEBOOK_DIR.glob("*.ipynb"):
        assert _git("check-ignore", "-q", str(path)).returncode == 0, f"{path.name} is not git-ignored"


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_declares_kernel_and_parameters(source):
    notebook = jupytext.read(source, fmt="py:percent")
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    assert kernel == KERNEL_NAME, f"{source.name} must start with the header\n{HEADER_HINT}"
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{source.name} needs exactly one cell tagged parameters"
    names = {line.split("=")[0].strip() for line in tagged[0].source.splitlines() if "=" in line}
    assert {"scale", "seed"} <= names, f"{source.name}: the parameters cell must set scale and seed"


@pytest.fixture(scope="session")
def grfkit_kernel():
    """The kernelspec `make` registers in .venv; papermill and the book both run in it."""
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        pytest.fail(
            f"no Jupyter kernel named {KERNEL_NAME!r}: run `make test`, or register it with\n"
            "python -m ipykernel install --sys-prefix --name grfkit --env PLOTLY_RENDERER notebook"
        )
    assert spec.env.get("PLOTLY_RENDERER") == "notebook", (
        "the grfkit kernel must set PLOTLY_RENDERER=notebook (figures would be blank in the book)"
    )
    return spec


@pytest.mark.notebook
@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_at_ci_scale(source, tmp_path, grfkit_kernel):
    notebook = jupytext.read(source, fmt="py:percent")
    input_path = tmp_path / f"{source.stem}.ipynb"
    output_path = tmp_path / f"{source.stem}.executed.ipynb"
    nbformat.write(notebook, input_path)

    # Raises PapermillExecutionError, naming the cell, when any cell fails.
    papermill.execute_notebook(
        str(input_path),
        str(output_path),
        parameters={"scale": "ci"},
        kernel_name=KERNEL_NAME,
        language="python",
        cwd=str(tmp_path),
        execution_timeout=CELL_TIMEOUT_S,
        progress_bar=False,
    )

    executed = nbformat.read(output_path, as_version=4)
    assert plotly_html_outputs(executed), f"{source.name} drew no plotly figure the book can show"
    assert dropped_plotly_outputs(executed) == 0, (
        f"{source.name} has plotly outputs without text/html (blank in the book)"
    )
