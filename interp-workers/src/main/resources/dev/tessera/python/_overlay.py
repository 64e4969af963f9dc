"""Tessera's additions to the standard library of every interpreter: what CPython 3.14 has and GraalPy's Python 3.12
lacks. `import concurrent.interpreters` (PEP 734) and `concurrent.futures.InterpreterPoolExecutor` work as in 3.14,
backed by Tessera's worker interpreters. The modules come from the host (a worker has no file system); an import
hook at the front of sys.meta_path serves them, and adds InterpreterPoolExecutor to GraalPy's own
concurrent.futures when that is imported, lazily as 3.14 does (the rest of concurrent.futures stays GraalPy's). Two
standard modules run with an import moved to its first use (_LazyImportsLoader).
"""

import sys as _sys

from tessera._host import keep_parsed as _keep_parsed, overlay_modules as _modules, overlay_source as _source

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


class _WrappedLoader:
    """GraalPy's own loader of a standard module, of which a subclass changes how the module runs."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def __getattr__(self, name):
        return getattr(self.loader, name)


class _StdlibPatchingLoader(_WrappedLoader):
    """GraalPy's own loader of concurrent.futures, which adds InterpreterPoolExecutor once the module has run."""

    def exec_module(self, module):
        self.loader.exec_module(module)
        _add_interpreter_pool_executor(module)


class _LazyLogger:
    """concurrent.futures' LOGGER until something uses it; then logging's logger, which also takes its place."""

    __slots__ = ("_module",)

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        import logging
        logger = logging.getLogger("concurrent.futures")
        self._module.LOGGER = logger
        return getattr(logger, name)


class _LazyImportsLoader(_WrappedLoader):
    """GraalPy's loader of a standard module that imports at its start what it needs only on an error path; runs the
    module's own text with those imports moved to their first use. In a new process importing `logging` (for
    concurrent.futures' LOGGER, used when a done-callback raises or a future is in a wrong state) and `traceback` (for
    threading's excepthook: GraalPy's _thread has no _excepthook), with re, enum, tokenize and the rest that come with
    them, took 1.9-2.8 s, most of the time a cold script's first pool took to its first result; CPython imports them
    in milliseconds. Each edit must find its text exactly once, else the module (another GraalPy's) runs as it is,
    and must keep the text's line count, so that a traceback through the module shows the lines that ran."""

    def __init__(self, loader, edits, after=None):
        super().__init__(loader)
        self.edits, self.after = edits, after

    def exec_module(self, module):
        try:  # not get_source: it decodes through tokenize, which imports re
            text = self.loader.get_data(self.loader.get_filename(module.__name__)).decode("utf-8")
        except (AttributeError, ImportError, OSError, UnicodeDecodeError):
            text = None
        if text is None or any(text.count(old) != 1 or old.count("\n") != new.count("\n") for old, new in self.edits):
            self.loader.exec_module(module)
            return
        for old, new in self.edits:
            text = text.replace(old, new)
        code = compile(text, module.__spec__.origin, "exec", dont_inherit=True)
        _keep_parsed()  # shared with the next interpreter, as every module's code (see the host's SharedCode)
        exec(code, module.__dict__)
        if self.after is not None:
            self.after(module)


def _futures_base(loader):
    return _LazyImportsLoader(loader, (("import logging\n", "\n"),
                                       ('LOGGER = logging.getLogger("concurrent.futures")\n', "LOGGER = None\n")),
                              after=lambda module: setattr(module, "LOGGER", _LazyLogger(module)))


def _threading(loader):
    return _LazyImportsLoader(loader, (("    from traceback import print_exception as _print_exception\n",
                                        "    def _print_exception(*args, **kwargs): from traceback import print_exception; "
                                        "return print_exception(*args, **kwargs)\n"),))


class _OverlayFinder:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in _NAMES:
            filename, text, is_package = _source(name)
            spec = _ModuleSpec(name, _OverlayLoader(filename, text), origin=filename, is_package=is_package)
            if is_package:
                spec.submodule_search_locations = []
            return spec
        patch = _PATCHES.get(name)
        if patch is not None:
            for finder in _sys.meta_path:
                if finder is _OverlayFinder or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    if spec.loader is not None:
                        spec.loader = patch(spec.loader)
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


_PATCHES = {"concurrent.futures": _StdlibPatchingLoader, "concurrent.futures._base": _futures_base,
            "threading": _threading}
_sys.meta_path.insert(0, _OverlayFinder)
if "concurrent.futures" in _sys.modules:
    _add_interpreter_pool_executor(_sys.modules["concurrent.futures"])
