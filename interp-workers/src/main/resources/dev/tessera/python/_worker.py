"""The task loop of a worker interpreter: the sandbox's import guard, start-up, and the loop that runs tasks.

The loop asks the host for the next task (one host call that waits while there is none) and reports its outcome
(one host call); a task enters the interpreter without a polyglot call of its own.
"""

import sys as _sys

# importlib's own parts, loaded with the interpreter: importing the importlib package (and importlib.util for the
# main script) cost every new worker about 30 ms of its start-up, interpreted.
_bootstrap = _sys.modules["_frozen_importlib"]
_bootstrap_external = _sys.modules["_frozen_importlib_external"]

from tessera._host import (
    worker_config as _config,
    worker_done as _done,
    worker_start_failed as _start_failed,
    worker_take as _take,
    worker_target as _target_of,
)

__all__ = []


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


def _no_threads(*args, **kwargs):
    raise RuntimeError("a tessera worker cannot start threads: each worker is one thread that runs one task at a time "
                       "(use more workers, or start threads in the main interpreter; if this came from a worker "
                       "importing your main script, put the thread under 'if __name__ == \"__main__\":')")


def _refuse_threads():
    """Workers are built without thread creation; GraalPy's refusal is a host error (a SystemError at best), so
    threading.Thread.start() raises this RuntimeError first, saying why."""
    import _thread
    for name in ("start_new_thread", "start_new", "start_joinable_thread"):
        if hasattr(_thread, name):
            setattr(_thread, name, _no_threads)
    threading = _sys.modules.get("threading")
    if threading is not None:  # imported already: it keeps its own reference
        for name in ("_start_new_thread", "_start_joinable_thread"):
            if hasattr(threading, name):
                setattr(threading, name, _no_threads)


_refuse_threads()

_main_modules = {}
_functions = {}  # target id -> function: a task pays the import and lookup once per worker


def _type_name(t):
    module = getattr(t, "__module__", None)
    return t.__qualname__ if module in (None, "builtins", "__main__", "__tessera_main__") else f"{module}.{t.__qualname__}"


def _load_main(path):
    """The main script, as a module named __tessera_main__: its `if __name__ == "__main__":` block does not run."""
    module = _main_modules.get(path)
    if module is None:
        spec = _bootstrap_external.spec_from_file_location("__tessera_main__", path)  # importlib.util's
        module = _bootstrap.module_from_spec(spec)
        _sys.modules["__tessera_main__"] = module
        spec.loader.exec_module(module)
        _main_modules[path] = module
    return module


def _import_module(name):
    """importlib.import_module for an absolute name."""
    __import__(name)
    return _sys.modules[name]


def _function(target):
    """The function a task target names (a host object read by name: module, qualname, main_file, source, entry)."""
    source = target.source
    if source is not None:
        namespace = type(_sys)("__tessera_source__")
        exec(compile(source, "<tessera source>", "exec"), namespace.__dict__)
        entry = target.entry
        if not entry:
            return None
        fn = getattr(namespace, entry, None)
        if fn is None:
            raise NameError(f"the task's source defines no {entry!r}")
        return fn
    module, main_file = target.module, target.main_file
    fn = _load_main(main_file) if module == "__main__" and main_file else _import_module(module)
    for part in target.qualname.split("."):
        fn = getattr(fn, part)
    return fn


def _resolve(target_id):
    fn = _function(_target_of(target_id))
    _functions[target_id] = fn
    return fn


def _warm_up(first, end):
    """A spare worker resolves the pool's targets (importing their modules) before it takes over from a stopped
    worker, so that its first task does not pay the imports. A target that fails here fails again in its task."""
    for target_id in range(first, end):
        if target_id not in _functions:
            try:
                _resolve(target_id)
            except BaseException:
                pass


def _failure(e):
    """(type name, message, traceback text) of an exception, without the loop's own frame."""
    try:
        import traceback
        tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
        return (_type_name(type(e)), str(e), "".join(traceback.format_exception(type(e), e, tb)))
    except BaseException as again:  # a broken __str__ must not end the loop
        return (_type_name(type(e)), f"<exception str() failed: {type(again).__name__}>", "")


def _keep_gil_across_host_calls():
    """GraalPy releases and retakes the GIL around every foreign call, in case another Python thread needs it
    meanwhile: about 22 ns of each queue put or get (45 against 67 ns, measured in a worker). A worker is one
    thread with no host access, so no other thread of its interpreter can wait for the GIL; and where a host call
    of tessera's waits, it gives the GIL up itself (WaitSet). The setting is per thread: this is the worker's."""
    import polyglot
    polyglot.__set_gil_locked_during_foreign_calls__(True)


def _start():
    """Runs the pool's sys.path, preloads and initializer; False (reported to the host) if any of them raised."""
    _keep_gil_across_host_calls()
    try:
        sys_path, preload, init, initargs = _config()
        _sys.path[0:0] = list(sys_path)
        for name in preload:
            _import_module(name)
        if init is not None:
            fn = _function(init)
            if fn is not None:
                fn(*initargs)
        return True
    except BaseException as e:
        _start_failed(*_failure(e))
        return False


def _warm(imports):
    """A worker made ahead (tessera's reserve of workers for pools to come) runs the task loop once, on a task of
    tessera's own, before any pool has it: its pool's first task then takes paths that have run. Forgets the task's
    function, so that nothing of it is left for the pool. Then imports `imports` (comma-separated names): what
    loading a main script meets first in a fresh interpreter, seconds of module bodies run interpreted on a cold
    engine (measured on the loaded 2-core machine: json 1-2 s, tessera's pool part with concurrent.futures 2-5 s).
    Only the standard library and tessera itself (its pool part), never a module of the user's, as CPython's own
    start-up imports modules the script did not ask for; a name that fails to import is skipped (its importer will
    meet the error itself)."""
    _keep_gil_across_host_calls()
    _run()
    _functions.clear()
    stdlib = _sys.stdlib_module_names
    for name in imports.split(",") if imports else ():
        top = name.partition(".")[0]
        try:
            if top == "tessera":
                import tessera
                tessera.InterpreterPool  # the pool part, loaded on first use: a script's `from tessera import ...`
            elif top in stdlib:
                _import_module(name)
        except Exception:
            pass


def _run():
    """Runs tasks until the pool shuts down."""
    take, done, functions = _take, _done, _functions
    while True:
        task = take()
        if task is None:
            return
        target, args, kwargs = task
        try:
            fn = functions.get(target)
            if fn is None:
                fn = _resolve(target)
            result = fn(*args) if kwargs is None else fn(*args, **dict(kwargs))
        except BaseException as e:
            done(False, _failure(e))
        else:
            done(True, result)
