"""Pool workers end with the process that started them (experiment and preprocessing)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grfkit.preprocess import chain as pipeline
from grfkit.workers import exit_with_parent

_SCRIPT = '''
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from grfkit.workers import exit_with_parent

def work(_):
    (__import__("pathlib").Path(sys.argv[1]) / str(os.getpid())).write_text("")
    time.sleep(120)

if __name__ == "__main__":
    with ProcessPoolExecutor(2, initializer=exit_with_parent, initargs=(os.getpid(),)) as pool:
        list(pool.map(work, range(2)))
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_workers_die_when_their_parent_is_killed(pool_workers):
    parent, workers = pool_workers.start(_SCRIPT)
    parent.kill()
    parent.wait(timeout=30)
    assert pool_workers.ended(workers), f"workers {workers} outlived their killed parent"


def test_a_worker_whose_parent_is_already_gone_exits_at_once():
    code = "import os; from grfkit.workers import exit_with_parent; exit_with_parent(os.getppid() + 1); print('ran on')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    if sys.platform.startswith("linux"):
        assert done.returncode == 1 and "ran on" not in done.stdout
    else:
        assert done.returncode == 0


def test_preprocessing_pool_workers_are_tied_to_the_run(monkeypatch, tiny_raw):
    seen: dict[str, object] = {}

    class Recording(pipeline.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            seen.update(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", Recording)
    pipeline.preprocess_raw(tiny_raw, workers=2, progress=False)
    assert seen["initializer"] is exit_with_parent and seen["initargs"] == (os.getpid(),)
