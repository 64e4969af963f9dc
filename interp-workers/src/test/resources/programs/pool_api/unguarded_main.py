import tessera

def square(x):
    return x * x

with tessera.InterpreterPool(1) as p:   # no __main__ guard: the worker importing this file starts a pool
    try:
        p.submit(square, 3).result(timeout=60)
        print("no error")
    except tessera.ExecutionFailed as e:
        print("failed:", e.excinfo.type, e.excinfo.msg)
