"""How values that are not shareable still cross between interpreters, as CPython 3.14's do: by pickle.

The host copies lists, dicts and sets of shareable values itself (no pickle: GraalPy's takes milliseconds for a dict
of a hundred lists); anything else it hands to _xi_dumps in the sending interpreter and _xi_loads in the receiving
one. Functions that pickle cannot name (a lambda, a function defined inside another) cross by their code when they
are stateless (no closure), as in CPython 3.14; their globals are then the receiving interpreter's __main__.

Objects of the main script pickle by reference to `__main__`; a worker finds them in the script, which it loads as
`__tessera_main__` without running its `if __name__ == "__main__":` block (the sender's script path travels with
the pickle). Not part of the public API: the host calls these two functions by name.
"""

import sys as _sys

__all__ = []

_MAIN_MARK = b"TSM\0"  # a pickle that names __main__: the mark, the script's path (utf-8), NUL, the pickle


def _pickle():
    import pickle
    return pickle


def _xi_dumps(obj):
    """The pickle of `obj` (bytes), or why it has none (a str: the host raises NotShareableError with it)."""
    pickle = _pickle()
    try:
        data = pickle.dumps(obj, 5)
    except Exception as e:
        data = _dumps_function(obj) if type(obj) is not memoryview else _dumps_memoryview(obj)
        if data is None:
            return _why(obj, e)
    if b"__main__" in data:
        path = getattr(_sys.modules.get("__main__"), "__file__", None)
        if path:
            data = _MAIN_MARK + path.encode("utf-8", "surrogateescape") + b"\0" + data
    return data


def _why(obj, e):
    kind = type(obj).__name__
    if kind == "memoryview":
        return ("a memoryview shares memory owned by one interpreter, which another cannot use: allocate it as a "
                "tessera array (tessera.zeros(n, format)) and pass array.slice() or array.readonly() views, which "
                "arrive as memoryviews")
    if kind == "Array" and type(obj).__module__ == "tessera":
        return "pass a view of the array (array.readonly() or array.slice(start, stop)), not the array"
    if kind == "function" and getattr(obj, "__closure__", None):
        return f"{obj.__qualname__!r} is a closure: its captured variables cannot cross; define it at module level"
    return f"{type(e).__name__}: {e}"


def _dumps_memoryview(mv):
    """A read-only memoryview crosses as a copy of its memory (an immutable bytes object's, typically); a writable one
    cannot: its memory belongs to one interpreter (None: the caller says to use a tessera array)."""
    if not mv.readonly or not mv.c_contiguous:
        return None
    return _pickle().dumps(_MemoryviewCopy(mv.tobytes(), mv.format, mv.shape), 5)


class _MemoryviewCopy:
    __slots__ = ("data", "format", "shape")

    def __init__(self, data, format, shape):
        self.data, self.format, self.shape = data, format, shape

    def __reduce__(self):
        return _memoryview_from, (self.data, self.format, self.shape)


def _memoryview_from(data, format, shape):
    mv = memoryview(data)
    return mv if format == "B" and shape == (len(data),) else mv.cast("B").cast(format, shape)


def _dumps_function(fn):
    """A stateless function (no closure) that pickle cannot name because it is a lambda or defined inside another
    function, pickled as its code; None for anything else (a top-level function pickle cannot find stays refused, as
    in CPython)."""
    import types
    if type(fn) is not types.FunctionType or fn.__closure__:
        return None
    if "<lambda>" not in fn.__qualname__ and "<locals>" not in fn.__qualname__:
        return None
    import marshal
    try:
        code = marshal.dumps(fn.__code__)
        return _pickle().dumps(_StatelessFunction(code, fn.__name__, fn.__qualname__, fn.__defaults__,
                                                  fn.__kwdefaults__), 5)
    except Exception:
        return None


class _StatelessFunction:
    """What a stateless function pickles as: its code and what the code alone lacks."""

    __slots__ = ("code", "name", "qualname", "defaults", "kwdefaults")

    def __init__(self, code, name, qualname, defaults, kwdefaults):
        self.code, self.name, self.qualname, self.defaults, self.kwdefaults = code, name, qualname, defaults, kwdefaults

    def __reduce__(self):
        return _function_from_code, (self.code, self.name, self.qualname, self.defaults, self.kwdefaults)


def _function_from_code(code, name, qualname, defaults, kwdefaults):
    """The function again, in the receiving interpreter, with its __main__ as globals (as CPython 3.14 does)."""
    import marshal
    import types
    fn = types.FunctionType(marshal.loads(code), _sys.modules["__main__"].__dict__, name, defaults)
    fn.__qualname__ = qualname
    fn.__kwdefaults__ = kwdefaults
    return fn


def _xi_loads(data):
    """The object again from its pickle, made in this interpreter."""
    pickle = _pickle()
    main_file = None
    if data[:4] == _MAIN_MARK:
        end = data.index(b"\0", 4)
        main_file = data[4:end].decode("utf-8", "surrogateescape")
        data = data[end + 1:]
    try:
        return pickle.loads(data)
    except (AttributeError, ImportError):
        if main_file is None and b"__tessera_main__" not in data:
            raise
    return _loads_with_script(pickle, data, main_file)


def _loads_with_script(pickle, data, main_file):
    """Loads a pickle that names the main script's objects. (GraalPy's Unpickler ignores a subclass's find_class, so
    the names are made to resolve instead: a worker is one thread, and the main interpreter's alias is its own.)"""
    worker = _sys.modules.get("tessera._worker")
    if worker is None:  # the main interpreter: what a worker loaded as __tessera_main__ is this __main__
        _sys.modules.setdefault("__tessera_main__", _sys.modules["__main__"])
        return pickle.loads(data)
    script = _sys.modules.get("__tessera_main__")
    if script is None:
        if not main_file:
            raise ImportError("the pickle names the sending interpreter's __main__, which this worker cannot load")
        script = worker._load_main(main_file)
    saved = _sys.modules["__main__"]
    _sys.modules["__main__"] = script
    try:
        return pickle.loads(data)
    finally:
        _sys.modules["__main__"] = saved


_loaded_callables = {}


def _call_pickled(_fn, /, *args, **kwargs):
    """Runs in a worker: calls a callable that crossed as its pickle (loaded once per worker, kept for 256)."""
    fn = _loaded_callables.get(_fn)
    if fn is None:
        try:
            fn = _xi_loads(_fn)
        except Exception as e:  # what was sent cannot be made here: not the task's failure
            from tessera._crossing import NotShareableError
            raise NotShareableError(f"args not shareable: the callable could not be unpickled in the worker "
                                    f"({type(e).__name__}: {e})") from None
        if len(_loaded_callables) < 256:
            _loaded_callables[_fn] = fn
    return fn(*args, **kwargs)
