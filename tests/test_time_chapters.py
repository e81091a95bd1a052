"""tools/time_chapters.py times notebooks one by one and keeps the table with its provenance."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

TINY_NOTEBOOK = '''# ---
# jupyter:
#   kernelspec:
#     display_name: Python (grfkit)
#     language: python
#     name: grfkit
# ---

# %% tags=["parameters"]
scale = "book"
seed = 0

# %%
import os

assert scale == "ci", scale
print(os.environ["GRFKIT_CACHE_DIR"])
'''


@pytest.fixture(scope="module")
def tool(load_tool):
    return load_tool("time_chapters")


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=folder,
                   check=True, capture_output=True)


@pytest.fixture
def repository(tmp_path):
    """A clean git checkout holding one tiny notebook."""
    notebooks = tmp_path / "repo" / "notebooks"
    notebooks.mkdir(parents=True)
    (notebooks / "01_tiny.py").write_text(TINY_NOTEBOOK)
    _git(tmp_path / "repo", "init", "-q")
    _git(tmp_path / "repo", "add", ".")
    _git(tmp_path / "repo", "commit", "-q", "-m", "tiny")
    return notebooks / "01_tiny.py"


def test_each_run_is_sequential_timed_and_gets_a_cold_cache(tool, tmp_path, monkeypatch):
    monkeypatch.setenv(tool.CACHE_DIR_ENV, "/kept")
    seen = []

    def fake_execute(source, scale, cwd, kernel):
        seen.append((source.name, scale, cwd, kernel, Path(tool.os.environ[tool.CACHE_DIR_ENV])))

    sources = [tmp_path / "01_a.py", tmp_path / "02_b.py"]
    rows, loads = tool.time_notebooks(sources, ["ci", "book"], execute=fake_execute)
    assert [(r["notebook"], r["scale"]) for r in rows] == [
        ("01_a", "ci"), ("02_b", "ci"), ("01_a", "book"), ("02_b", "book")]
    assert all(r["wall_s"] >= 0 for r in rows) and len(loads) == 4
    caches = [entry[4] for entry in seen]
    assert len(set(caches)) == 4 and not any(cache.exists() for cache in caches)
    assert all(entry[2] == tmp_path and entry[3] == "grfkit" for entry in seen)
    assert tool.os.environ[tool.CACHE_DIR_ENV] == "/kept"


@pytest.mark.notebook
def test_a_tiny_notebook_is_timed_with_papermill_and_kept_with_provenance(tool, repository, tmp_path):
    out = tmp_path / "run-times"
    assert tool.main(["--scales", "ci", "--notebooks", str(repository), "--out", str(out)]) == 0
    with (out / tool.CSV_NAME).open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["notebook"], row["scale"]) for row in rows] == [("01_tiny", "ci")]
    assert float(rows[0]["wall_s"]) > 0
    provenance = json.loads((out / tool.PROVENANCE_NAME).read_text())
    assert provenance["git"]["dirty"] is False and len(provenance["git"]["commit"]) == 40
    assert "--scales ci" in provenance["command"] and provenance["machine"]["cpu_count"]
    assert provenance["load"][0]["notebook"] == "01_tiny"


def test_a_dirty_tree_is_refused_unless_allowed(tool, repository, tmp_path, monkeypatch):
    repository.write_text(TINY_NOTEBOOK + "\n# changed\n")
    out = tmp_path / "run-times"
    assert tool.main(["--scales", "ci", "--notebooks", str(repository), "--out", str(out)]) == 2
    assert not out.exists()
    monkeypatch.setattr(tool, "execute_with_papermill", lambda *args: None)
    monkeypatch.setattr(tool.time_notebooks, "__kwdefaults__",
                        {"execute": lambda *args: None, "kernel": "grfkit"})
    assert tool.main(["--scales", "ci", "--notebooks", str(repository), "--out", str(out),
                      "--allow-dirty"]) == 0
    assert json.loads((out / tool.PROVENANCE_NAME).read_text())["git"]["dirty"] is True
