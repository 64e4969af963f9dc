# Evaluated once per interpreter by the host (TesseraPackage); its value is the installer.

def _tessera_install(host, parts):
    """Builds the package `tessera`: `tessera._host` from the host's (name, value) pairs, then each part as its own
    module `tessera.<name>`; the package exports every part's __all__."""
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

    modules = []
    public = []
    for name, filename, text in parts:
        module = types.ModuleType("tessera." + name)
        module.__package__ = "tessera"
        module.__file__ = filename
        sys.modules[module.__name__] = module
        setattr(pkg, name, module)
        exec(compile(text, filename, "exec"), module.__dict__)
        for export in module.__all__:
            if export in module.__dict__:  # names a part makes on first use stay lazy
                setattr(pkg, export, module.__dict__[export])
        public.extend(module.__all__)
        modules.append(module)
    pkg.__all__ = public

    def __getattr__(name):
        for module in modules:
            if "__getattr__" in module.__dict__:
                try:
                    return module.__getattr__(name)
                except AttributeError:
                    pass
        raise AttributeError(f"module 'tessera' has no attribute {name!r}")

    def lookup(name):
        """The class the host raises or builds under `name` (e.g. QueueEmpty): tessera's, else a builtin."""
        for module in modules:
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


_tessera_install
