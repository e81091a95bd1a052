"""Sphinx extension: the API reference pages, generated from the package at build time.

The directive ``grfkit-api`` documents one module, or one package and every public module
found in it when the book is built (``:submodules:``), so that a page does not break when a
module is split or renamed: each module gets a section with its docstring and the public
functions, classes and ``#:``-documented constants *defined* in it (autodoc's
``:ignore-module-all:``, so a name re-exported elsewhere is documented once, where it lives).

Usage in a MyST page::

    ```{grfkit-api} grfkit.preprocess
    :submodules:
    ```
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode, nested_parse_with_titles

# NamedTuple fields carry an automatic docstring; their meaning is in the class's Attributes.
_FIELD_ALIAS = "Alias for field number"
# What napoleon would misread: the first line "text: more" of a constant or property as a type.
_PLAIN_DOCSTRINGS = ("data", "attribute", "property")
# Docstrings of constants and properties, kept between the two autodoc-process-docstring handlers.
_DATA_DOCSTRINGS: dict[str, list[str]] = {}


def public_modules(package_name: str) -> list[str]:
    """Every public module of a package, its sub-packages included, sorted by name.

    Parameters
    ----------
    package_name : str
        Dotted name of an importable package.

    Returns
    -------
    list of str
        Dotted module names; a module is public when no part of its name starts with ``_``.
    """
    package = importlib.import_module(package_name)
    found = []
    # A sub-package that fails to import is still listed: its automodule then reports the error.
    walk = pkgutil.walk_packages(package.__path__, prefix=f"{package_name}.", onerror=lambda _: None)
    for info in walk:
        if not any(part.startswith("_") for part in info.name.split(".")):
            found.append(info.name)
    return sorted(found)


def module_markdown(module_name: str) -> list[str]:
    """The MyST Markdown that documents one module in its own section.

    Parameters
    ----------
    module_name : str
        Dotted module name.

    Returns
    -------
    list of str
        Lines: a section heading, then ``automodule`` with the module's own public members.
    """
    return [
        f"## `{module_name}`",
        "",
        "```{eval-rst}",
        f".. automodule:: {module_name}",
        "   :members:",
        "   :ignore-module-all:",
        "```",
        "",
    ]


class GrfkitApiDirective(SphinxDirective):
    """Document a module, or a package and each of its public modules (option ``submodules``)."""

    required_arguments = 1
    option_spec = {"submodules": lambda argument: True}

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if "submodules" in self.options:
            lines = ["```{eval-rst}", f".. automodule:: {name}", "```", ""]
            modules = public_modules(name)
        else:
            lines, modules = [], [name]
        for module_name in modules:
            lines += module_markdown(module_name)
            self.env.note_dependency(importlib.util.find_spec(module_name).origin)
        container = nodes.section()
        nested_parse_with_titles(self.state, StringList(lines, source=self.get_source_info()[0]),
                                 container)
        return container.children


def skip_field_aliases(app, what, name, obj, skip, options):
    """Skip NamedTuple fields (their meaning is in the class docstring's Attributes)."""
    if what == "class" and _FIELD_ALIAS in (getattr(obj, "__doc__", None) or ""):
        return True
    return None


def keep_data_docstring(app, what, name, obj, options, lines):
    """Remember a constant's docstring before napoleon reads ``text: more`` as ``type: text``."""
    if what in _PLAIN_DOCSTRINGS:
        _DATA_DOCSTRINGS[name] = list(lines)


def restore_data_docstring(app, what, name, obj, options, lines):
    """Put back the docstring :func:`keep_data_docstring` kept (one-line docstrings need no numpydoc)."""
    if what in _PLAIN_DOCSTRINGS and name in _DATA_DOCSTRINGS:
        lines[:] = _DATA_DOCSTRINGS.pop(name)


def import_target(dotted: str) -> object:
    """The object a dotted name points to, importing its module; ``None`` if there is none.

    Parameters
    ----------
    dotted : str
        E.g. ``"grfkit.simulate.DomainGap"`` (a package-level name) or a module path.

    Returns
    -------
    object or None
        The object, or ``None`` when no prefix of the name is an importable module holding it.
    """
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                value = getattr(value, attribute)
        except AttributeError:
            return None
        return value
    return None


def own_attribute(module: str, klass: str, target: str) -> str | None:
    """The full name of the class attribute a reference names, if it names one; else ``None``.

    ``features`` written in a method of ``TrainedModel`` names ``TrainedModel.features``;
    ``FieldPrediction.stances`` written in ``grfkit.field.predict`` names that class's field.

    Parameters
    ----------
    module, klass : str
        The module and the class (``""`` outside one) the reference is written in.
    target : str
        The reference, without ``~`` or a leading ``.``.

    Returns
    -------
    str or None
        ``module.Class.attribute`` when that class has the attribute (a dataclass field included).
    """
    head, _, attribute = target.rpartition(".")
    owner_name = f"{module}.{head}" if head else (f"{module}.{klass}" if klass else "")
    owner = import_target(owner_name) if owner_name else None
    if isinstance(owner, type) and (attribute in getattr(owner, "__dataclass_fields__", {})
                                    or hasattr(owner, attribute)):
        return f"{owner_name}.{attribute}"
    return None


def resolve_in_package(app, env, node, contnode):
    """Resolve a short Python reference to the one object of that name in its stage package.

    Docstrings name objects where the reader meets them: ``validate_bout`` in the module that
    reads a bout, ``grfkit.simulate.DomainGap`` through the package that re-exports it. A
    dotted reference is imported and resolved to the documented object it *is*; an undotted
    one to the documented object of that name in the same stage package (``grfkit.io`` for a
    reference written in ``grfkit.io.read``), when there is exactly one. A reference to an
    attribute of the class it is written in (or, dotted, of a class of its module) links to that
    attribute's entry, or stays plain text when the attribute is documented only in its class's
    Parameters: never to another object of the same name.
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    domain = env.get_domain("py")
    own = own_attribute(node.get("py:module") or "", node.get("py:class") or "", target)
    if own is not None:
        if own in domain.objects:
            entry = domain.objects[own]
            return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, own)
        return contnode
    last = target.rsplit(".", 1)[-1]
    named = [name for name, entry in domain.objects.items()
             if name.rsplit(".", 1)[-1] == last and not entry.aliased]
    if "." in target:
        value = import_target(target)
        matches = [name for name in named if value is not None and import_target(name) is value]
    else:
        module = node.get("py:module") or ""
        package = ".".join(module.split(".")[:2]) + "."
        matches = [name for name in named if name.startswith(package)]
    if len(matches) != 1:
        return None
    entry = domain.objects[matches[0]]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode,
                        matches[0])


def setup(app: Sphinx) -> dict:
    """Register the directive, the member filter, the docstring guard and the resolver."""
    app.add_directive("grfkit-api", GrfkitApiDirective)
    app.connect("autodoc-skip-member", skip_field_aliases)
    app.connect("autodoc-process-docstring", keep_data_docstring, priority=400)
    app.connect("autodoc-process-docstring", restore_data_docstring, priority=600)
    app.connect("missing-reference", resolve_in_package)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
