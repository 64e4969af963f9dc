# tessera, worker side: the sandbox's import guard, worker start-up, and the task runner.

import importlib as _importlib
import sys as _sys
import types as _types

# traceback and importlib.util are imported where used: stdlib imports dominate a fresh worker's start-up.


class _NoHostImports:
    """Workers have no host access: `import java` fails with a message that says why."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "java" or name.startswith("java."):
            raise ImportError(f"import of {name!r} refused: tessera workers are sandboxed and have no access to "
                              f"host (Java) classes", name=name)
        return None


_sys.meta_path.insert(0, _NoHostImports)
_sys.modules.pop("java", None)

_main_modules = {}
_source_modules = {}
_functions = {}  # (module, qualname, main_file) -> function: a task pays the import and lookup once per worker


def _type_name(t):
    module = getattr(t, "__module__", None)
    return t.__qualname__ if module in (None, "builtins", "__main__", "__tessera_main__") else f"{module}.{t.__qualname__}"


def _load_main(path):
    """The main script, as a module named __tessera_main__: its `if __name__ == "__main__":` block does not run."""
    module = _main_modules.get(path)
    if module is None:
        import importlib.util
        spec = importlib.util.spec_from_file_location("__tessera_main__", path)
        module = importlib.util.module_from_spec(spec)
        _sys.modules["__tessera_main__"] = module
        spec.loader.exec_module(module)
        _main_modules[path] = module
    return module


def _resolve(module, qualname, main_file, source, entry):
    if source is not None:
        namespace = _source_modules.get(source)
        if namespace is None:
            namespace = _types.ModuleType("__tessera_source__")
            exec(compile(source, "<tessera source>", "exec"), namespace.__dict__)
            _source_modules[source] = namespace
        fn = getattr(namespace, entry, None)
        if fn is None:
            raise NameError(f"the task's source defines no {entry!r}")
        return fn
    key = (module, qualname, main_file)
    fn = _functions.get(key)
    if fn is None:
        fn = _load_main(main_file) if module == "__main__" and main_file else _importlib.import_module(module)
        for part in qualname.split("."):
            fn = getattr(fn, part)
        _functions[key] = fn
    return fn


def _report(e):
    import traceback
    tb = e.__traceback__.tb_next if e.__traceback__ is not None else None  # drop the runner's own frame
    _worker_host.fail(_type_name(type(e)), str(e), "".join(traceback.format_exception(type(e), e, tb)))


def _worker_start(sys_path, preload, init):
    try:
        _sys.path[0:0] = list(_decode(sys_path, False))
        for name in _decode(preload, False):
            _importlib.import_module(name)
        module, qualname, main_file, source, initargs = _decode(init, False)
        if source is not None:
            exec(compile(source, "<tessera initializer>", "exec"), {"__name__": "__tessera_init__"})
        elif module is not None:
            _resolve(module, qualname, main_file, None, None)(*initargs)
    except BaseException as e:
        _report(e)


def _worker_run(module, qualname, main_file, source, entry, args, kwargs):
    try:
        fn = _resolve(_decode(module, False), _decode(qualname, False), _decode(main_file, False),
                      _decode(source, False), _decode(entry, False))
        result = fn(*_decode(args, True), **dict(_decode(kwargs, True)))
        _check_shareable(result, "the task's result")
        _worker_host.succeed(result)
    except BaseException as e:
        _report(e)
