# A script that puts a directory of its own making on sys.path and sends a function of a module there to its
# workers; under CPython's spawn the children get the parent's sys.path, so the import works there too.
import os
import shutil
import sys
import tempfile

import tessera


def worker_path_has(p):
    return p in sys.path


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    print(sys.path[0] == here, sys.path.count(here), "" in sys.path)  # as under `python added_dir.py`
    lib = tempfile.mkdtemp(prefix="tessera-added-dir-")
    try:
        with open(os.path.join(lib, "added_dir_helper.py"), "w") as f:
            f.write("def twice(x):\n    return 2 * x\n")
        sys.path.insert(0, lib)
        sys.path.append(os.path.join(lib, "missing"))  # not there: not granted, not passed on
        import added_dir_helper
        with tessera.InterpreterPool(2) as pool:
            print(pool.submit(added_dir_helper.twice, 21).result())
            print(pool.submit(worker_path_has, lib).result(), pool.submit(worker_path_has, os.path.join(lib, "missing")).result())
    finally:
        shutil.rmtree(lib)


if __name__ == "__main__":
    main()
