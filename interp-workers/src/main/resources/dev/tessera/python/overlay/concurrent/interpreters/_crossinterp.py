"""What queues share with other cross-interpreter containers: the unbound-item markers and modes (Tessera's version
of CPython 3.14's module of this name)."""


class ItemInterpreterDestroyed(Exception):
    """get() found an item whose interpreter was closed, put with unbounditems=UNBOUND_ERROR."""


class classonly:
    """A descriptor for a value that only the class shows (not its instances)."""

    def __init__(self, value):
        self.value = value
        self.name = None

    def __set_name__(self, cls, name):
        if self.name is not None:
            raise TypeError("already used")
        self.name = name

    def __get__(self, obj, cls):
        if obj is not None:
            raise AttributeError(self.name)
        return self.value.__get__(None, cls) if hasattr(self.value, "__get__") else self.value


class UnboundItem:
    """Stands for an item whose interpreter was closed (what get() returns under the UNBOUND mode)."""

    __slots__ = ()

    @classonly
    @classmethod
    def singleton(cls, kind, module, name="UNBOUND"):
        doc = (cls.__doc__ or "").replace("interpreter", f"{kind}'s interpreter", 1)
        subclass = type(f"Unbound{kind.capitalize()}Item", (cls,), {"_MODULE": module, "_NAME": name, "__doc__": doc})
        return object.__new__(subclass)

    _MODULE = __name__
    _NAME = "UNBOUND"

    def __new__(cls):
        raise Exception(f"use {cls._MODULE}.{cls._NAME}")

    def __repr__(self):
        return f"{self._MODULE}.{self._NAME}"


UNBOUND = object.__new__(UnboundItem)
UNBOUND_ERROR = object()
UNBOUND_REMOVE = object()

_UNBOUND_CONSTANT_TO_FLAG = {UNBOUND_REMOVE: 1, UNBOUND_ERROR: 2, UNBOUND: 3}
_UNBOUND_FLAG_TO_CONSTANT = {flag: constant for constant, flag in _UNBOUND_CONSTANT_TO_FLAG.items()}


def serialize_unbound(unbound):
    try:
        return (_UNBOUND_CONSTANT_TO_FLAG[unbound],)
    except (KeyError, TypeError):
        raise NotImplementedError(f"unsupported unbound replacement op {unbound!r}") from None


def resolve_unbound(flag, exctype_destroyed):
    op = _UNBOUND_FLAG_TO_CONSTANT.get(flag)
    if op is UNBOUND_ERROR:
        raise exctype_destroyed("item's original interpreter destroyed")
    if op is UNBOUND:
        return UNBOUND
    raise NotImplementedError(f"unsupported unbound replacement op {flag!r}")
