"""The package's public surface."""

import subprocess
import sys

import grfkit


def test_public_names_resolve() -> None:
    for name in grfkit.__all__:
        assert getattr(grfkit, name) is not None, name


def test_import_does_not_pull_in_torch() -> None:
    code = "import sys, grfkit; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
