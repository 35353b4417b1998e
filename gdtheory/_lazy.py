"""Lazy re-exports for a package ``__init__`` (PEP 562), read from its own source.

A package lists its public names once, as ``from .sub import name as name`` lines inside
``if TYPE_CHECKING:`` (type checkers and readers see ordinary imports).  :func:`attach`
reads those lines with :mod:`ast` and returns the module's ``__getattr__`` and
``__dir__``: a name is imported from its module on first access and kept in the
package's namespace, so ``import gdtheory`` costs milliseconds and does not pull in
SymPy, NumPy or JAX until something is used (the pytest plugin relies on this).  A name
whose module defines a function is passed through ``wrap`` (``gdtheory`` guards its
public functions) before it is kept.

>>> import gdtheory
>>> "central_flow" in dir(gdtheory), gdtheory.central_flow.__name__
(True, 'central_flow')
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["attach"]


def _exports(package: str, init_file: str) -> dict[str, tuple[str, str | None]]:
    """name -> (module, attribute or None for the module itself), from the
    ``if TYPE_CHECKING:`` block of ``init_file``."""
    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"))
    out: dict[str, tuple[str, str | None]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for stmt in node.body:
            if not (isinstance(stmt, ast.ImportFrom) and stmt.level == 1):
                raise ImportError(f"{init_file}: only `from .x import y as z` lines are lazy")
            for alias in stmt.names:
                name = alias.asname or alias.name
                if stmt.module is None:  # from . import sub as sub
                    out[name] = (f"{package}.{alias.name}", None)
                else:
                    out[name] = (f"{package}.{stmt.module}", alias.name)
    return out


def attach(
    package: str,
    init_file: str,
    namespace: dict[str, Any],
    wrap: Callable[[str, Any], Any] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for the package ``package`` whose ``__init__`` is
    ``init_file`` and whose globals are ``namespace`` (module docstring)."""
    exports = _exports(package, init_file)
    loaded: dict[tuple[str, str | None], Any] = {}  # aliases share one (wrapped) object

    def __getattr__(name: str) -> Any:
        if name not in exports:
            # a subpackage or module not re-exported (gdtheory.core, gdtheory.cli): as
            # after `import gdtheory.core`, which an eager __init__ would have done
            if not name.startswith("_") and importlib.util.find_spec(f"{package}.{name}"):
                namespace[name] = importlib.import_module(f"{package}.{name}")
                return namespace[name]
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = exports[name]
        if (module, attr) in loaded:
            namespace[name] = loaded[module, attr]
            return namespace[name]
        mod = importlib.import_module(module)
        value = mod if attr is None else getattr(mod, attr)
        if wrap is not None:
            value = wrap(name, value)
        namespace[name] = loaded[module, attr] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
