"""Tessera's _interpreters: the low-level module under concurrent.interpreters (CPython 3.14 has a C module of this
name), over Tessera's worker interpreters.

An interpreter made by create() is a dedicated worker: a Tessera pool of one, so that its __main__ lives from one
exec() to the next as a CPython subinterpreter's does. Only the main interpreter creates, runs and closes them (it
owns their pools); every interpreter can ask for ids, whence and whether one is running. Calls cross as Tessera
tasks: shareable values as they are, others as copies or pickles, the callable by reference (pickle's name) or, for
a stateless function pickle cannot name, by its code.
"""

import sys as _sys

import tessera as _tessera
from tessera._host import (
    xi_current as _current,
    xi_enter as _enter,
    xi_list as _list,
    xi_register as _register,
    xi_remove as _remove,
    xi_running as _running,
    xi_whence as _whence,
)

WHENCE_UNKNOWN = 0
WHENCE_RUNTIME = 1
WHENCE_LEGACY_CAPI = 2
WHENCE_CAPI = 3
WHENCE_XI = 4
WHENCE_STDLIB = 5


class InterpreterError(Exception):
    """A cross-interpreter operation failed."""


class InterpreterNotFoundError(InterpreterError):
    """An interpreter was not found."""


NotShareableError = _tessera.NotShareableError

_IN_MAIN = "tessera._worker" not in _sys.modules
_pools = {}  # id -> the Tessera pool of one dedicated worker (main interpreter only)
_refs = {}  # id -> references taken with incref()
_lock = None  # guards _pools, _refs and the running checks (main interpreter only; made on first use)


def _guard():
    global _lock
    if _lock is None:
        import _thread
        _lock = _thread.allocate_lock()
    return _lock


def _check_id(id, restrict=False):
    """The id, checked: InterpreterNotFoundError if there is no such interpreter; with restrict, InterpreterError for
    one not made by this module (the main one), as in CPython."""
    if isinstance(id, bool) or not isinstance(id, int):
        raise TypeError(f"interpreter ID must be an int, got {type(id).__name__}")
    if id < 0:
        raise ValueError(f"interpreter ID must be a non-negative int, got {id!r}")
    whence = _whence(id)
    if whence < 0:
        raise InterpreterNotFoundError(f"unrecognized interpreter ID {id}")
    if restrict and whence != WHENCE_STDLIB:
        raise InterpreterError(f"unrecognized interpreter ID {id} (not created by this module)")
    return id


def _main_only(what):
    if not _IN_MAIN:
        raise InterpreterError(f"{what}: interpreters are created, run and closed by the main interpreter; a Tessera "
                               f"worker cannot drive other interpreters (send the work back through a queue)")


def is_shareable(obj):
    """True for what CPython 3.14 shares as it is: None, bool, int, float, str, bytes, tuples of these, queues, and
    read-only memoryviews (which Tessera copies: memory owned by one interpreter cannot be lent to another; for memory
    shared for real, use a tessera array and its views). Everything else crosses as a copy or a pickle."""
    if _tessera.is_shareable(obj):
        return True
    if type(obj) is memoryview:
        return obj.readonly
    queues = _sys.modules.get("concurrent.interpreters._queues")
    return queues is not None and type(obj) is queues.Queue


_CONFIGS = {
    "isolated": dict(use_main_obmalloc=False, allow_fork=False, allow_exec=False, allow_threads=True,
                     allow_daemon_threads=False, check_multi_interp_extensions=True, can_handle_signals=True, gil="own"),
    "legacy": dict(use_main_obmalloc=True, allow_fork=True, allow_exec=True, allow_threads=True,
                   allow_daemon_threads=True, check_multi_interp_extensions=False, can_handle_signals=False,
                   gil="shared"),
    "empty": dict(use_main_obmalloc=False, allow_fork=False, allow_exec=False, allow_threads=False,
                  allow_daemon_threads=False, check_multi_interp_extensions=False, can_handle_signals=False,
                  gil="default"),
}
_GILS = ("default", "shared", "own")


def _check_config_value(field, value):
    if field == "gil":
        if not isinstance(value, str):
            raise TypeError(f"config.gil must be a str, got {type(value).__name__}")
        if value not in _GILS:
            raise ValueError(f"unsupported config.gil {value!r}")
    elif type(value) is not bool:
        raise TypeError(f"config.{field} must be a bool, got {type(value).__name__}")


def new_config(name="isolated", /, **overrides):
    """A configuration for create(), as CPython 3.14 spells them ('isolated', 'legacy', 'empty'; '' and 'default'
    mean 'isolated'). Every Tessera interpreter runs isolated whatever the configuration says (its own GIL, nothing
    shared, no threads, fork or exec): the fields are kept and reported by get_config()."""
    import types
    if not isinstance(name, str):
        raise TypeError(f"config name must be a str, got {type(name).__name__}")
    name.encode("utf-8")  # as CPython: a name that is no valid text is a UnicodeEncodeError
    fields = _CONFIGS.get(name or "isolated", _CONFIGS["isolated"] if name == "default" else None)
    if fields is None:
        raise ValueError(f"unsupported config name {name!r}")
    fields = dict(fields)
    for field, value in overrides.items():
        if field not in fields:
            raise ValueError(f"unsupported config field {field!r}")
        _check_config_value(field, value)
        fields[field] = value
    return types.SimpleNamespace(**fields)


def _checked_config(config):
    import types
    if config is None:
        return new_config()
    if isinstance(config, str):
        config = new_config(config)
    if not isinstance(config, types.SimpleNamespace):
        raise TypeError(f"config must be a str, a namespace from new_config() or None, got {type(config).__name__}")
    fields = vars(config)
    if set(fields) != set(_CONFIGS["isolated"]):
        raise ValueError(f"config fields must be exactly {sorted(_CONFIGS['isolated'])}, got {sorted(fields)}")
    for field, value in fields.items():
        _check_config_value(field, value)
    if config.gil == "default" and not config.use_main_obmalloc and not config.allow_threads:
        raise InterpreterError("the 'empty' config is not viable on its own")
    return types.SimpleNamespace(**fields)


_configs = {}  # id -> the config an interpreter was created with


def get_config(id, *, restrict=False):
    _check_id(id, restrict)
    if id == 0:
        config = new_config("legacy")
        config.gil, config.can_handle_signals = "own", True
        return config
    import types
    config = _configs.get(id)
    return types.SimpleNamespace(**vars(config)) if config is not None else new_config()


def _sys_path_for_workers():
    """The directories of the main interpreter's sys.path (not the standard library's): what its code imports."""
    import os
    prefixes = tuple(p for p in {getattr(_sys, "prefix", None), getattr(_sys, "base_prefix", None)} if p)
    out = []
    for entry in _sys.path:
        entry = os.path.abspath(entry or os.getcwd())
        if os.path.isdir(entry) and not entry.startswith(prefixes) and entry not in out:
            out.append(entry)
    return out


def create(config=None, *, reqrefs=False):
    """A new interpreter (a dedicated worker); its id."""
    config = _checked_config(config)
    _main_only("create()")
    pool = _tessera.InterpreterPool(1, spare_workers=0, sys_path=_sys_path_for_workers())
    id = _register(pool._handle)
    with _guard():
        _pools[id] = pool
        _refs[id] = 0
        _configs[id] = config
    return id


def destroy(id, *, restrict=False):
    """Closes an interpreter; InterpreterError if it is running or is the current one."""
    _check_id(id, restrict)
    if id == 0:
        raise InterpreterError("cannot destroy the main interpreter")
    if id == _current()[0]:
        raise InterpreterError("cannot destroy the current interpreter")
    _main_only("destroy()")
    with _guard():
        if _running(id):
            raise InterpreterError("interpreter running")
        pool = _pools.pop(id, None)
        _refs.pop(id, None)
        _configs.pop(id, None)
    _remove(id)
    if pool is not None:
        pool.shutdown(wait=True)


def list_all(*, require_ready=False):
    """(id, whence) of every interpreter: the main one, then those made by create()."""
    return [tuple(item) for item in _list()]


def get_current():
    return tuple(_current())


def get_main():
    return (0, WHENCE_RUNTIME)


def whence(id):
    _check_id(id)
    return _whence(id)


def is_running(id, *, restrict=False):
    _check_id(id, restrict)
    running = _running(id)
    if running is None:
        raise InterpreterNotFoundError(f"unrecognized interpreter ID {id}")
    return running


def incref(id, *, implieslink=False, restrict=False):
    _check_id(id)
    with _guard():
        if id in _refs:
            _refs[id] += 1


def decref(id, *, restrict=False):
    """Drops a reference; the interpreter is closed when the last one made by create(reqrefs=True) goes."""
    _check_id(id)
    with _guard():
        if id not in _refs:
            return
        _refs[id] -= 1
        last = _refs[id] <= 0
    if last and not _running(id):
        try:
            destroy(id)
        except InterpreterError:
            pass


def capture_exception(exc=None):
    """A snapshot of an exception (type names, message, traceback text), as ExecutionFailed carries it."""
    if exc is None:
        exc = _sys.exception()
    if exc is None:
        return None
    return _excinfo(_snapshot(exc))


def _snapshot(exc):
    """(name, qualname, module, msg, formatted, errdisplay) of an exception, in the interpreter that raised it."""
    import traceback
    t = type(exc)
    try:
        msg = str(exc)
    except BaseException:
        msg = "<exception str() failed>"
    try:
        formatted = "".join(traceback.format_exception_only(t, exc)).rstrip("\n")
    except BaseException:
        formatted = f"{t.__name__}: {msg}" if msg else t.__name__
    try:
        errdisplay = "".join(traceback.format_exception(t, exc, exc.__traceback__)).rstrip("\n")
    except BaseException:
        errdisplay = formatted
    module = t.__module__
    if module == "__tessera_main__":
        module = "__main__"
    return (t.__name__, t.__qualname__, module, msg, formatted, errdisplay)


def _excinfo(snapshot):
    import types
    name, qualname, module, msg, formatted, errdisplay = snapshot
    return types.SimpleNamespace(type=types.SimpleNamespace(__name__=name, __qualname__=qualname, __module__=module),
                                 msg=msg, formatted=formatted, errdisplay=errdisplay)


# ---- running code in an interpreter ------------------------------------------------------------------------------

def _pool(id, what):
    _check_id(id)
    pool = _pools.get(id)
    if pool is None:
        raise InterpreterError(f"{what}: interpreter {id} was not created by this module here")
    return pool


def _submit(id, fn, *args):
    """Runs fn(*args) in interpreter id, from the main interpreter, and waits for it: its result."""
    pool = _pool(id, "running code")
    with _guard():
        if _running(id):
            raise InterpreterError("interpreter already running")
        _enter(id, 1)
    try:
        return pool.submit(fn, *args).result()
    except NotShareableError as e:  # the arguments could not be unpickled there, or the result pickled
        if str(e).startswith("args not shareable"):
            raise NotShareableError("args not shareable") from NotShareableError(str(e))
        raise
    finally:
        _enter(id, -1)


def _code_of(code):
    """("src", text) or ("code", marshalled code) for exec()'s argument: source text, a code object, or a function
    without arguments (its body runs, as in CPython 3.14)."""
    import types
    if isinstance(code, str):
        return "src", code
    if isinstance(code, types.FunctionType):
        if code.__closure__ or code.__code__.co_argcount or code.__code__.co_kwonlyargcount:
            raise ValueError("a function to exec() must take no arguments and have no closure")
        code = code.__code__
    if isinstance(code, types.CodeType):
        import marshal
        return "code", marshal.dumps(code)
    raise TypeError(f"expected a str, code object or function, got {type(code).__name__}")


def exec(id, code, shared=None, *, restrict=False):
    """Runs code in the interpreter's __main__; None, or an excinfo if it raised."""
    if shared is not None and not isinstance(shared, dict):
        raise TypeError(f"shared must be a dict, got {type(shared).__name__}")
    kind, payload = _code_of(code)
    if shared:
        _check_shareable(shared)
    if _check_id(id, restrict) == _current()[0]:
        out = _exec_here(kind, payload, shared)
    else:
        out = _submit(id, _exec_here, kind, payload, shared)
    return None if out is None else _excinfo(out)


run_string = exec


def run_func(id, func, shared=None, *, restrict=False):
    return exec(id, func, shared, restrict=restrict)


def call(id, callable, args=None, kwargs=None, *, preserve_exc=False, restrict=False):
    """Calls callable(*args, **kwargs) in the interpreter: (result, None), or (None, excinfo) if it raised (with
    preserve_exc, the exception itself as well when it could cross: (None, excinfo, exc))."""
    args = tuple(args) if args is not None else ()
    kwargs = dict(kwargs) if kwargs else None
    if _check_id(id, restrict) == _current()[0]:
        out = _call_here(callable, args, kwargs)
    else:
        out = _submit(id, _call_here, _callable_ref(callable), args, kwargs)
    if out[0]:
        return out[1], None
    if out[0] is None:
        raise NotShareableError("args not shareable") from NotShareableError(out[1])
    if preserve_exc:
        return None, _excinfo(out[1]), out[2]
    return None, _excinfo(out[1])


def set___main___attrs(id, updates, *, restrict=False):
    """Binds the given names in the interpreter's __main__ (values copied or pickled if not shareable)."""
    if not isinstance(updates, dict):
        raise TypeError(f"updates must be a dict, got {type(updates).__name__}")
    if not updates:
        raise ValueError("no names to bind")
    for key in updates:
        if not isinstance(key, str):
            raise TypeError(f"names must be str, got {type(key).__name__}")
        if "\0" in key:
            raise ValueError(f"embedded null character in name {key!r}")
    _check_shareable(updates)
    if _check_id(id, restrict) == _current()[0]:
        _set_main_attrs(updates)
    else:
        _submit(id, _set_main_attrs, updates)


def _check_shareable(namespace):
    """prepare_main() and exec(shared=...) take shareable values only, as in CPython 3.14."""
    for key, value in namespace.items():
        if not is_shareable(value):
            raise NotShareableError(f"{key!r}: cannot bind a {type(value).__name__} in another interpreter's __main__: "
                                    f"it is not shareable (pass it as an argument of call(), which copies or pickles "
                                    f"it, or through a queue)")


# A callable crosses as its pickle, made once per callable in the main interpreter and loaded once per worker.
_callable_pickles = None


def _callable_ref(fn):
    global _callable_pickles
    if _callable_pickles is None:
        import weakref
        _callable_pickles = weakref.WeakKeyDictionary()
    try:
        ref = _callable_pickles.get(fn)
    except TypeError:  # neither hashable nor weak-referenceable: no cache
        ref = None
    if ref is None:
        from tessera._pickles import _xi_dumps
        data = _xi_dumps(fn)
        if isinstance(data, str):
            raise NotShareableError(f"cannot share {fn!r} with another interpreter: {data}")
        ref = _CallableRef(data)
        try:
            _callable_pickles[fn] = ref
        except TypeError:
            pass
    return ref.data


class _CallableRef:
    __slots__ = ("data", "__weakref__")

    def __init__(self, data):
        self.data = data


_loaded_callables = {}


def _load_callable(data):
    fn = _loaded_callables.get(data)
    if fn is None:
        from tessera._pickles import _xi_loads
        fn = _xi_loads(data)
        if len(_loaded_callables) < 1024:
            _loaded_callables[data] = fn
    return fn


# ---- what runs inside the interpreter --------------------------------------------------------------------------

def _exec_here(kind, payload, shared):
    main = _sys.modules["__main__"].__dict__
    if shared:
        main.update(shared)
    try:
        if kind == "src":
            code = compile(payload, "<string>", "exec")
        else:
            import marshal
            code = marshal.loads(payload)
        builtins_exec(code, main)
        return None
    except BaseException as e:
        return _snapshot(e)


def _call_here(fn, args, kwargs):
    if isinstance(fn, bytes):
        try:
            fn = _load_callable(fn)
        except BaseException as e:  # what crossed could not be made here: the sender's problem, not the call's
            return (None, f"the callable could not be unpickled in the interpreter ({type(e).__name__}: {e})")
    try:
        if type(fn) is _BuiltinFunction and fn in _FRAME_BUILTINS:  # they see the caller's frame: called here, that is __main__'s, as in CPython
            result = _call_in_main_frame(fn, args, kwargs)
        else:
            result = fn(*args) if kwargs is None else fn(*args, **kwargs)
        return (True, result)
    except BaseException as e:
        return (False, _snapshot(e), _crossable(e))


def _call_in_main_frame(fn, args, kwargs):
    main = _sys.modules["__main__"].__dict__
    if kwargs:
        return fn(*args, **kwargs)
    if fn is _builtins.eval or fn is _builtins.exec:
        return fn(*args) if len(args) != 1 else fn(args[0], main)
    if args:
        return fn(*args)
    if fn is _builtins.dir:
        return sorted(main)
    return main  # globals(), locals(), vars()


def _crossable(exc):
    """The exception itself if it can cross to the caller (by pickle), else None."""
    import pickle
    try:
        pickle.loads(pickle.dumps(exc))
    except BaseException:
        return None
    exc.__traceback__ = None
    return exc


def _set_main_attrs(updates):
    _sys.modules["__main__"].__dict__.update(updates)


import builtins as _builtins  # noqa: E402

builtins_exec = _builtins.exec


def _tidy_main():
    """A worker's __main__ as a fresh CPython interpreter's looks: without the name the worker's start left there
    (tessera), GraalPy's empty __annotations__, and with BuiltinImporter as its loader."""
    main = _sys.modules["__main__"].__dict__
    if main.get("tessera") is _sys.modules.get("tessera"):
        main.pop("tessera", None)
    if main.get("__annotations__") == {}:
        del main["__annotations__"]
    if main.get("__loader__") is None:
        main["__loader__"] = _sys.modules["_frozen_importlib"].BuiltinImporter


if not _IN_MAIN:
    _tidy_main()
_BuiltinFunction = type(len)
_FRAME_BUILTINS = {_builtins.dir, _builtins.locals, _builtins.vars, _builtins.globals, _builtins.eval, _builtins.exec}
