"""Package attributes imported on first use, so that ``import grfkit`` (and ``grfkit --help``) stays light."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, lazy: Mapping[str, str]) -> Callable[[str], object]:
    """Return a module-level ``__getattr__`` that imports a package's names on first use.

    Parameters
    ----------
    package
        The package's ``__name__``.
    lazy
        Public name -> the module that defines it: relative to ``package``
        (``"io.stances"``), or absolute (``"grfkit.scales"``).

    Returns
    -------
    callable
        Assign it to the package's ``__getattr__``. A name of ``lazy`` is
        imported and kept in the package's namespace; any other name is
        tried as a sub-module, as when the names were imported eagerly.
    """

    def __getattr__(name: str) -> object:
        if name in lazy:
            module = lazy[name] if lazy[name].startswith("grfkit.") else f".{lazy[name]}"
            value = getattr(importlib.import_module(module, package), name)
            setattr(sys.modules[package], name, value)
            return value
        try:
            return importlib.import_module(f".{name}", package)
        except ModuleNotFoundError as err:
            if err.name != f"{package}.{name}":
                raise
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
