"""Run after a warm-up (WarmUpTest): nothing of the warm-up's runs is in this script's interpreter or its workers."""
import sys

import tessera


def seen(name):
    main = sys.modules.get("__main__")
    return [m for m in sys.modules if "warm" in m] + [n for n in ("fib", "noop", "fill") if hasattr(main, n)] + [name]


if __name__ == "__main__":
    with tessera.InterpreterPool(2) as pool:
        print("main", seen("-"), "worker", pool.submit(seen, "+").result())
