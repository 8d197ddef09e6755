"""Lazy package namespaces (PEP 562): a package lists ``name -> submodule`` and the
submodule is imported on first use of the name, so a command imports only what it uses.

Some public functions share their name with the submodule that defines them
(``intercluster.ms.assign``, ``intercluster.kinetics.simulate``). Importing such a
submodule makes the import system set the package attribute to the module; the
package's module class ignores that assignment, so the name keeps meaning the
function, as it did with eager imports.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping


class _LazyPackage(types.ModuleType):
    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and name in self.__dict__.get("_LAZY", ()):
            return  # the submodule of the same name: the name keeps meaning the function
        super().__setattr__(name, value)


def install(module_name: str, lazy: Mapping[str, str]) -> None:
    """Give the package ``module_name`` lazy attributes ``lazy`` (name -> submodule).

    Called at the end of the package's ``__init__``; defines ``__getattr__`` and
    ``__dir__`` there.
    """
    module = sys.modules[module_name]
    namespace = module.__dict__
    namespace["_LAZY"] = dict(lazy)

    def __getattr__(name: str):
        target = namespace["_LAZY"].get(name)
        if target is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(target), name)
        namespace[name] = value  # later look-ups skip __getattr__
        return value

    def __dir__():
        return sorted(set(namespace) | set(namespace["_LAZY"]))

    namespace["__getattr__"] = __getattr__
    namespace["__dir__"] = __dir__
    module.__class__ = _LazyPackage
