"""worker_state.py set|read: a one-worker pool sets a module global in its worker, or reads it (run_suite.py runs
`set` then `read`: a worker of the second script never ran the first script's task)."""
import sys

import tessera


def mark(value):
    import worker_globals
    worker_globals.MARK = value
    return value


def read():
    import worker_globals
    return worker_globals.MARK


if __name__ == "__main__":
    with tessera.InterpreterPool(1, spare_workers=0) as pool:
        if sys.argv[1] == "set":
            print("set", pool.submit(mark, "set by the first script").result())
        print("read", pool.submit(read).result())
