"""Fingerprints of grfkit's own source, the part of every cache key that says which code computed it.

A fingerprint hashes the files of some starting folders or modules of the
package and, transitively, every grfkit module they import (found in their
syntax trees, so no list of module names has to be kept by hand).
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Sequence
from pathlib import Path

__all__ = ["PACKAGE_DIR", "package_fingerprint", "package_sources"]

#: The installed ``grfkit`` package folder.
PACKAGE_DIR: Path = Path(__file__).resolve().parents[1]


def package_fingerprint(roots: Sequence[str], package: Path = PACKAGE_DIR) -> str:
    """Return the SHA-256 of the grfkit source that ``roots`` consist of and import.

    Parameters
    ----------
    roots
        Sub-packages (``"simulate"``) or module files (``"experiment/strategies.py"``)
        of ``package``, relative to it.
    package
        The package folder.

    Returns
    -------
    str
        64 hexadecimal characters over each file's relative path and bytes.
    """
    digest = hashlib.sha256()
    for path in sorted(package_sources(roots, package)):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def package_sources(roots: Sequence[str], package: Path = PACKAGE_DIR) -> set[Path]:
    """Return the ``.py`` files of ``package`` that ``roots`` hold or import, transitively.

    Parameters
    ----------
    roots, package
        As for :func:`package_fingerprint`.

    Returns
    -------
    set of Path
        Absolute file paths.
    """
    todo: list[Path] = []
    for root in roots:
        todo += sorted((package / root).rglob("*.py")) if (package / root).is_dir() else [package / root]
    found: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in found or not path.is_file():
            continue
        found.add(path)
        todo += _imported_files(path, package)
    return found


def _imported_files(path: Path, package: Path) -> list[Path]:
    """Files of ``package`` that ``path`` imports with relative or ``grfkit.`` imports (anywhere in it)."""
    here = path.parent.relative_to(package).parts
    modules: list[tuple[str, ...]] = []
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1] if node.level > 1 else here
            elif node.module and node.module.split(".")[0] == package.name:
                base = ()
            else:
                continue
            module = tuple(node.module.split(".")) if node.module else ()
            if not node.level:
                module = module[1:]
            modules.append(base + module)
            modules += [base + module + (alias.name,) for alias in node.names]
        elif isinstance(node, ast.Import):
            modules += [tuple(a.name.split(".")[1:]) for a in node.names if a.name.split(".")[0] == package.name]
    files = []
    for parts in modules:
        target = package.joinpath(*parts)
        files += [f for f in (target.with_suffix(".py"), target / "__init__.py") if parts and f.is_file()]
    return files
