"""The book's notebooks run, and the book's table of contents matches them.

Each ``notebooks/*.py`` (py:percent, the source of truth) is converted to ``.ipynb`` with
jupytext and executed by papermill at ``ci`` scale in the ``grfkit`` kernel, the kernel the book
build uses. A notebook passes when no cell fails and it draws at least one plotly figure in the
form the built book renders (``text/html`` calling ``Plotly.newPlot``). The real-data chapter
also runs without its data, showing the kept run in ``results/real-data`` (`.ci/run` runs every
notebook test once more with the data hidden).
"""

from __future__ import annotations

import json
import re
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
REAL_DATA_CHAPTER = NOTEBOOK_DIR / "06_real_data.py"
KEPT_REAL_DATA = ROOT / "results" / "real-data"


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


#: Longest code line a book page shows without cutting it off (PEP 8's limit).
MAX_CODE_LINE = 79


def long_code_lines(source: Path, limit: int = MAX_CODE_LINE) -> list[str]:
    """Every code line of a py:percent notebook longer than ``limit``, named by cell and line."""
    notebook = jupytext.read(source, fmt="py:percent")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return [
        f"cell {index}, line {number} ({len(line)} characters): {line[:40]}..."
        for index, cell in enumerate(code, start=1)
        for number, line in enumerate(cell.source.splitlines(), start=1)
        if len(line) > limit
    ]


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_code_lines_fit_the_page(source):
    """A code line longer than 79 characters is cut off on the book page."""
    too_long = long_code_lines(source)
    assert not too_long, (
        f"{source.name}: {len(too_long)} code lines over {MAX_CODE_LINE} characters:\n"
        + "\n".join(too_long)
    )


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


def execute_at_ci_scale(source: Path, tmp_path: Path) -> nbformat.NotebookNode:
    """Execute ``source`` at ci scale in the grfkit kernel; return the executed notebook."""
    notebook = jupytext.read(source, fmt="py:percent")
    input_path = tmp_path / f"{source.stem}.ipynb"
    output_path = tmp_path / f"{source.stem}.executed.ipynb"
    nbformat.write(notebook, input_path)

    # Raises PapermillExecutionError, naming the cell, when any cell fails.
    papermill.execute_notebook(
        str(input_path),
        str(output_path),
        # kept runs lie in the repository's results/, not beside the copy in tmp_path
        parameters={"scale": "ci", "results_dir": str(ROOT / "results")},
        kernel_name=KERNEL_NAME,
        language="python",
        cwd=str(tmp_path),
        execution_timeout=CELL_TIMEOUT_S,
        progress_bar=False,
    )

    return nbformat.read(output_path, as_version=4)


#: Warnings of the libraries underneath that would be printed on a book page (e.g. tqdm.auto without ipywidgets).
LIBRARY_WARNINGS = ("TqdmWarning", "FutureWarning", "DeprecationWarning")


def library_warnings(notebook: nbformat.NotebookNode) -> list[str]:
    """The stderr lines of the executed notebook that carry one of :data:`LIBRARY_WARNINGS`."""
    return [
        line
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
        for line in output.get("text", "").splitlines()
        if any(kind in line for kind in LIBRARY_WARNINGS)
    ]


def markdown_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """Every ``text/markdown`` output of the executed notebook."""
    return [
        output["data"]["text/markdown"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "text/markdown" in output.get("data", {})
    ]


@pytest.mark.notebook
@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_at_ci_scale(source, tmp_path, grfkit_kernel):
    executed = execute_at_ci_scale(source, tmp_path)
    assert plotly_html_outputs(executed), f"{source.name} drew no plotly figure the book can show"
    assert not library_warnings(executed), f"{source.name} prints warnings into the book: {library_warnings(executed)}"
    assert dropped_plotly_outputs(executed) == 0, (
        f"{source.name} has plotly outputs without text/html (blank in the book)"
    )


@pytest.mark.notebook
def test_real_data_chapter_without_its_data_shows_the_kept_run(tmp_path, grfkit_kernel, monkeypatch):
    """The documented data-absent mode: a note that says so and how to fetch, and the kept figures."""
    empty = tmp_path / "no-data"
    empty.mkdir()
    monkeypatch.setenv("GRFKIT_DATA_DIR", str(empty))  # the kernel inherits the environment
    monkeypatch.setenv("GRFKIT_OFFLINE", "1")
    executed = execute_at_ci_scale(REAL_DATA_CHAPTER, tmp_path)
    notes = [text for text in markdown_outputs(executed) if text.startswith("**Data absent")]
    assert len(notes) == 1, "the chapter must say that its data are absent"
    commit = json.loads((KEPT_REAL_DATA / "manifest.json").read_text())["provenance"]["git"]["commit"]
    assert commit[:10] in notes[0] and "grfkit data fetch alcantara2022 dorn2012 hamner2013" in notes[0]
    assert len(plotly_html_outputs(executed)) >= 10, "the kept run's figures must be shown"
    assert dropped_plotly_outputs(executed) == 0


def test_the_kept_real_data_run_is_clean_and_holds_everything_the_chapter_recalls():
    """What chapter 6 shows without data comes from a committed, clean run that kept every name it recalls."""
    manifest = json.loads((KEPT_REAL_DATA / "manifest.json").read_text())
    provenance = manifest["provenance"]
    assert re.fullmatch(r"[0-9a-f]{40}", provenance["git"]["commit"]) and provenance["git"]["dirty"] is False
    assert provenance["parameters"] == {"scale": "book", "seed": 0}
    source = REAL_DATA_CHAPTER.read_text(encoding="utf-8")
    # one gate per section: kept.section("<name>", compute, live=...); chain_<data set> from a loop
    sections = set(re.findall(r'kept\.section\(\s*"([\w-]+)"', source))
    if 'f"chain_{name}"' in source:
        sections |= {f"chain_{name}" for name in ("hamner2013", "dorn2012", "alcantara2022")}
    assert len(sections) >= 14, sorted(sections)  # the patterns above still find the chapter's sections
    kept_sections = {entry.get("section") for entry in manifest["entries"].values()}
    missing = sorted(sections - kept_sections)
    assert not missing, f"results/real-data lacks sections {missing}: rerun `make keep-real-data` from a clean commit"
    for name, entry in manifest["entries"].items():
        assert (KEPT_REAL_DATA / entry["file"]).is_file(), name
