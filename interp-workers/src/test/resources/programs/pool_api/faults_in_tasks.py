import sys
import tessera

def exit_task(code):
    sys.exit(code)

def interrupt():
    raise KeyboardInterrupt

def out_of_memory():
    raise MemoryError("pretend")

def recurse(n):
    return recurse(n + 1)

def ok(x):
    return x + 1

if __name__ == "__main__":
    with tessera.InterpreterPool(2) as pool:
        for fn, args in ((exit_task, (3,)), (interrupt, ()), (out_of_memory, ()), (recurse, (0,))):
            try:
                pool.submit(fn, *args).result(timeout=120)
                print(fn.__name__, "returned")
            except tessera.ExecutionFailed as e:
                print(fn.__name__, "failed with", e.excinfo.type)
            print(fn.__name__, "then", pool.submit(ok, 1).result(timeout=120))
        print("failed", pool.stats()["failed"], "replaced", pool.stats()["replaced_workers"])
