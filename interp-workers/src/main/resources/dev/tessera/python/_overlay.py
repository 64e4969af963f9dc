"""Tessera's additions to the standard library of every interpreter: what CPython 3.14 has and GraalPy's Python 3.12
lacks. `import concurrent.interpreters` (PEP 734) and `concurrent.futures.InterpreterPoolExecutor` work as in 3.14,
backed by Tessera's worker interpreters. The modules come from the host (a worker has no file system); an import
hook at the front of sys.meta_path serves them, and adds InterpreterPoolExecutor to GraalPy's own
concurrent.futures when that is imported, lazily as 3.14 does (the rest of concurrent.futures stays GraalPy's).
"""

import sys as _sys

from tessera._host import overlay_modules as _modules, overlay_source as _source

__all__ = []

_NAMES = frozenset(_modules)
_ModuleSpec = _sys.modules["_frozen_importlib"].ModuleSpec


class _OverlayLoader:
    """Runs one overlay module's source; gives it to linecache for tracebacks."""

    def __init__(self, filename, text):
        self.filename, self.text = filename, text

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(compile(self.text, self.filename, "exec", dont_inherit=True), module.__dict__)

    def get_source(self, fullname):
        return self.text


class _StdlibPatchingLoader:
    """GraalPy's own loader of concurrent.futures, which adds InterpreterPoolExecutor once the module has run."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _add_interpreter_pool_executor(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


class _OverlayFinder:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in _NAMES:
            filename, text, is_package = _source(name)
            spec = _ModuleSpec(name, _OverlayLoader(filename, text), origin=filename, is_package=is_package)
            if is_package:
                spec.submodule_search_locations = []
            return spec
        if name == "concurrent.futures":
            for finder in _sys.meta_path:
                if finder is _OverlayFinder or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    if spec.loader is not None:
                        spec.loader = _StdlibPatchingLoader(spec.loader)
                    return spec
        return None


def _add_interpreter_pool_executor(module):
    """concurrent.futures.InterpreterPoolExecutor, imported on first use (as 3.14's __getattr__ does)."""
    if "InterpreterPoolExecutor" in getattr(module, "__all__", ()):
        return
    previous = module.__dict__.get("__getattr__")

    def __getattr__(name):
        if name == "InterpreterPoolExecutor":
            __import__("concurrent.futures.interpreter")
            value = _sys.modules["concurrent.futures.interpreter"].InterpreterPoolExecutor
            module.__dict__["InterpreterPoolExecutor"] = value
            return value
        if previous is not None:
            return previous(name)
        raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")

    module.__getattr__ = __getattr__
    module.__all__ = tuple(module.__all__) + ("InterpreterPoolExecutor",)


_sys.meta_path.insert(0, _OverlayFinder)
if "concurrent.futures" in _sys.modules:
    _add_interpreter_pool_executor(_sys.modules["concurrent.futures"])
