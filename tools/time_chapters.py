"""Time every chapter of the book at each scale; keep the table the run-times page shows.

Each notebook (``notebooks/*.py``, py:percent) is converted with jupytext and executed by
papermill in the ``grfkit`` kernel, one after the other (never two at once, so that each time
is that of a chapter alone), with notebooks/ as its working directory as in the book build and
an empty cache of its own, so that each time is that of a reader's first run.
The wall seconds per chapter and scale go to ``run_times.csv`` and the commit, command,
machine and load to ``provenance.json``, written together and atomically into ``--out``.
The commit must be clean (tracked files unchanged) unless ``--allow-dirty``, which is recorded.

Usage::

    python tools/time_chapters.py --scales ci book [--out results/run-times]
    make time-chapters SCALES="ci book"
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from grfkit.storage.atomic import atomic_directory
from grfkit.storage.cohort_cache import CACHE_DIR_ENV
from grfkit.storage.provenance import git_state, machine

ROOT = Path(__file__).resolve().parents[1]
CSV_NAME = "run_times.csv"
PROVENANCE_NAME = "provenance.json"
CSV_COLUMNS = ("notebook", "scale", "wall_s")

#: Runs one notebook: (source .py, scale, working directory, kernel name) -> None.
Executor = Callable[[Path, str, Path, str], None]


def execute_with_papermill(source: Path, scale: str, cwd: Path, kernel: str) -> None:
    """Execute one py:percent notebook at ``scale`` with papermill; raise if a cell fails.

    Parameters
    ----------
    source : Path
        The notebook's py:percent source.
    scale : str
        Value of the notebook's ``scale`` parameter.
    cwd : Path
        Working directory of the kernel.
    kernel : str
        Jupyter kernel name.
    """
    import jupytext
    import nbformat
    import papermill

    with tempfile.TemporaryDirectory(prefix="time-chapters-") as folder:
        notebook = Path(folder) / f"{source.stem}.ipynb"
        nbformat.write(jupytext.read(source, fmt="py:percent"), notebook)
        papermill.execute_notebook(
            str(notebook),
            str(notebook.with_suffix(".executed.ipynb")),
            parameters={"scale": scale},
            kernel_name=kernel,
            cwd=str(cwd),
            progress_bar=False,
        )


def restore_environment(name: str, value: str | None) -> None:
    """Set environment variable ``name`` back to ``value`` (remove it when ``None``).

    Parameters
    ----------
    name : str
        Variable name.
    value : str or None
        Its earlier value.
    """
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def time_notebooks(
    notebooks: Sequence[Path],
    scales: Sequence[str],
    *,
    execute: Executor = execute_with_papermill,
    kernel: str = "grfkit",
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Execute every notebook at every scale, sequentially, each with a cold cache, and time it.

    Each run gets an empty grfkit cache directory of its own (``GRFKIT_CACHE_DIR``), so that its
    time includes simulating and preprocessing the cohort, as for a reader's first run.

    Parameters
    ----------
    notebooks : sequence of Path
        py:percent notebook sources, run in this order at each scale.
    scales : sequence of str
        Scales to run, in this order.
    execute : callable, optional
        Runs one notebook (default: papermill in ``kernel``).
    kernel : str, optional
        Jupyter kernel name.

    Returns
    -------
    rows : list of dict
        One row per notebook and scale: ``notebook`` (file stem), ``scale``, ``wall_s``.
    loads : list of dict
        The 1-minute load average before and after each run, per notebook and scale.
    """
    rows, loads = [], []
    saved_cache_dir = os.environ.get(CACHE_DIR_ENV)
    for scale in scales:
        for source in notebooks:
            load_before = os.getloadavg()[0]
            with tempfile.TemporaryDirectory(prefix="time-chapters-cache-") as cache:
                os.environ[CACHE_DIR_ENV] = cache  # the kernel inherits it: a cold cache
                try:
                    start = time.perf_counter()
                    execute(source, scale, source.parent, kernel)
                    wall_s = time.perf_counter() - start
                finally:
                    restore_environment(CACHE_DIR_ENV, saved_cache_dir)
            rows.append({"notebook": source.stem, "scale": scale, "wall_s": round(wall_s, 1)})
            loads.append({"notebook": source.stem, "scale": scale,
                          "load_1min_before": load_before, "load_1min_after": os.getloadavg()[0]})
            print(f"{source.stem} at {scale}: {wall_s:.1f} s", flush=True)
    return rows, loads


def write_run_times(out: Path, rows: Sequence[dict], provenance: dict) -> None:
    """Write ``run_times.csv`` and ``provenance.json`` into ``out``, replacing it atomically.

    Parameters
    ----------
    out : Path
        Destination folder (replaced as a whole, so the table and its provenance match).
    rows : sequence of dict
        Rows of :func:`time_notebooks`.
    provenance : dict
        Commit, command, machine and load of the run.
    """
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with atomic_directory(out) as staged:
        (staged / CSV_NAME).write_text(table.getvalue(), encoding="utf-8")
        (staged / PROVENANCE_NAME).write_text(json.dumps(provenance, indent=2) + "\n",
                                              encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the timing; see the module docstring.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 when the tree is dirty without ``--allow-dirty``.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", nargs="+", default=["ci", "book"], help="scales to time")
    parser.add_argument("--notebooks", nargs="+", type=Path,
                        default=sorted((ROOT / "notebooks").glob("*.py")),
                        help="py:percent notebooks (default: notebooks/*.py)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "run-times",
                        help="folder for run_times.csv and provenance.json")
    parser.add_argument("--kernel", default="grfkit", help="Jupyter kernel name")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="time a tree with uncommitted changes (recorded in the provenance)")
    args = parser.parse_args(argv)

    git = git_state(args.notebooks[0].resolve().parent if args.notebooks else ROOT)
    if git["dirty"] and not args.allow_dirty:
        print("time_chapters: the working tree has uncommitted changes; commit first "
              "(or pass --allow-dirty, which the provenance records)", file=sys.stderr)
        return 2
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    rows, loads = time_notebooks([p.resolve() for p in args.notebooks], args.scales,
                                 kernel=args.kernel)
    provenance = {
        "git": git,
        "command": shlex.join([Path(sys.executable).name, "tools/time_chapters.py",
                               *(argv if argv is not None else sys.argv[1:])]),
        "started_utc": started,
        "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "load": loads,
        "sequential": True,
    }
    write_run_times(args.out, rows, provenance)
    print(f"time_chapters: {len(rows)} runs -> {args.out / CSV_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
