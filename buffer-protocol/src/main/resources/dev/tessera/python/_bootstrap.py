# Evaluated once per interpreter by the host (TesseraPackage); its value is the installer.


def _refuse_c_extensions():
    """No Tessera interpreter has native access, so a C extension can never load. GraalPy says so with ImportError
    for the first one and SystemError ("a second GraalPy context attempted to load a native module") for the next;
    code that falls back when `import _speedups` fails expects ImportError every time."""
    import _imp

    def create_dynamic(spec, file=None):
        raise ImportError(f"cannot load the C extension module {spec.name!r}: Tessera's interpreters run without "
                          f"native access (use a pure-Python package, or tessera.kernels for array work)",
                          name=spec.name, path=getattr(spec, "origin", None))

    _imp.create_dynamic = create_dynamic


_refuse_c_extensions()


def _replace_time_sleep():
    """GraalPy 25.0.3's time.sleep has two faults. Given an int n, it rounds its deadline down to a whole second and
    then calls Thread.sleep(0) in a loop until the clock's next whole second: it sleeps n to n + 1 s and spins a core
    for the extra (measured: time.sleep(2) took 2.96 s, 0.95 s of it on a core). Given a float, once anything
    interrupts the sleeping thread (GraalPy's own periodic actions do, often in a fresh worker), it re-raises the
    interrupt at every turn and spins a core for the rest of the sleep (0.3-0.5 s of CPU in one 1 s sleep of a new
    worker, in about half the tries). A lock's timed acquire waits correctly and still lets GraalPy's actions
    (signals, KeyboardInterrupt, a worker's cancellation) through, so time.sleep waits on one, in slices of at most
    50 ms against a deadline: after an action GraalPy restarts the acquire with its whole timeout, so one long
    acquire could overrun by as much as had passed (its timeouts are whole milliseconds, so a slice is at least one).
    Anything but a finite, positive int or float goes to GraalPy's own sleep, which raises what it raises. The
    replacement is a plain module-level function of `time` (no closure), so pool.submit(time.sleep, 1) still works."""
    import _thread
    import time
    namespace = {"__name__": "time", "_graalpy_sleep": time.sleep, "_allocate_lock": _thread.allocate_lock,
                 "_monotonic": time.monotonic}
    exec("def sleep(seconds, /):\n"
         "    if type(seconds) is not float and not isinstance(seconds, int) or not 0 < seconds < 1e12:\n"
         "        return _graalpy_sleep(seconds)\n"
         "    deadline = _monotonic() + seconds\n"
         "    lock = _allocate_lock()\n"
         "    lock.acquire()\n"
         "    while (left := deadline - _monotonic()) > 0:\n"
         "        lock.acquire(True, 0.05 if left > 0.05 else left + 0.001)\n", namespace)
    namespace["sleep"].__doc__ = time.sleep.__doc__
    time.sleep = namespace["sleep"]


_replace_time_sleep()

def _tessera_install(host, parts):
    """Builds the package `tessera`: `tessera._host` from the host's (name, value) pairs, then each part as its own
    module `tessera.<name>`; the package exports every private part's __all__, and a public part (tessera.kernels)
    as the submodule itself. A lazy part (its exports listed by the host) runs the first time one of its names is
    used: a script that never starts a pool never imports concurrent.futures."""
    import sys
    import types

    pkg = types.ModuleType("tessera", "Tessera: shared-memory arrays and parallel interpreters.")
    pkg.__path__ = []
    pkg.__package__ = "tessera"
    sys.modules["tessera"] = pkg
    hostmod = types.ModuleType("tessera._host", "The host functions of this interpreter (internal to tessera).")
    for name, value in host:
        setattr(hostmod, name, value)
    sys.modules["tessera._host"] = hostmod
    pkg._host = hostmod
    trace = getattr(hostmod, "trace_startup", False)

    # A module's code (from GraalPy's bytecode file, or its source) is parsed into the engine's cache, where the next
    # interpreter finds it compiled, unless a garbage collection dropped it first (see the host's SharedCode): right
    # after a module's code is loaded, the host keeps it.
    source_loader = getattr(sys.modules.get("_frozen_importlib_external"), "SourceLoader", None)
    get_code = getattr(source_loader, "get_code", None)
    if get_code is not None and not getattr(get_code, "_tessera_keeps", False):
        keep = hostmod.keep_parsed

        def _get_code(self, fullname):
            code = get_code(self, fullname)
            keep()
            return code

        _get_code.__name__, _get_code.__qualname__, _get_code.__doc__ = "get_code", get_code.__qualname__, get_code.__doc__
        _get_code._tessera_keeps = True
        source_loader.get_code = _get_code

    loaded = []
    lazy = {}  # exported name -> (part name, filename, text, exports) of a part not run yet

    def load(name, filename, text, exports):
        if trace:
            import time
            t0 = time.perf_counter()
        module = types.ModuleType("tessera." + name)
        module.__package__ = "tessera"
        module.__file__ = filename
        sys.modules[module.__name__] = module
        setattr(pkg, name, module)
        code = compile(text, filename, "exec")
        hostmod.keep_parsed()  # the part's parse, kept for the next interpreter (see SharedCode)
        exec(code, module.__dict__)
        if exports is not None and sorted(exports) != sorted(module.__all__):
            raise ImportError(f"tessera.{name}: __all__ {sorted(module.__all__)} differs from what the host "
                              f"lists for it {sorted(exports)}")
        if name.startswith("_"):  # a private part: the package exports its names
            for export in module.__all__:
                lazy.pop(export, None)
                if export in module.__dict__:  # names a part makes on first use stay lazy
                    setattr(pkg, export, module.__dict__[export])
        loaded.append(module)
        if trace:
            print(f"tessera: part {name} {1000 * (time.perf_counter() - t0):.1f} ms", file=sys.stderr)
        return module

    public = []
    for name, filename, text, exports in parts:
        if not len(exports):  # an eager part
            module = load(name, filename, text, None)
            public.extend(module.__all__ if name.startswith("_") else [name])  # a public part is a submodule
        else:
            exports = tuple(exports)
            for export in exports:
                lazy[export] = (name, filename, text, exports)
            public.extend(exports)
    pkg.__all__ = public

    def __getattr__(name):
        part = lazy.get(name)
        if part is not None:
            module = load(*part)
            if name in module.__dict__:
                return module.__dict__[name]
        for module in loaded:
            if "__getattr__" in module.__dict__:
                try:
                    return module.__getattr__(name)
                except AttributeError:
                    pass
        raise AttributeError(f"module 'tessera' has no attribute {name!r}")

    def lookup(name):
        """The class the host raises or builds under `name` (e.g. QueueEmpty): tessera's, else a builtin."""
        for module in loaded:
            if name in module.__dict__:
                return module.__dict__[name]
        try:
            return __getattr__(name)
        except AttributeError:
            import builtins
            return getattr(builtins, name)

    pkg.__getattr__ = __getattr__
    hostmod.bind_classes(lookup)
    return pkg


# The bootstrap runs in the main module's namespace: it leaves no name there (a script's globals are CPython's), and
# its value is the installer.
del _refuse_c_extensions, _replace_time_sleep
globals().pop("_tessera_install")
