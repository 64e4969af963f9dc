import tessera
SQUARE = tessera.source("def sq(x):\n    return x * x\n", "sq")   # runs in workers too
assert tessera.QueueEmpty and tessera.ExecutionFailed and tessera.NotShareableError

def task(x):
    return (x, tessera.is_shareable((1, "a")), type(SQUARE).__name__)

if __name__ == "__main__":
    with tessera.InterpreterPool(2) as pool:
        print(pool.submit(task, 3).result(), pool.submit(SQUARE, 4).result())
        try:
            pool.submit(tessera.source("import tessera\ndef f():\n    tessera.InterpreterPool(1)\n", "f")).result()
        except tessera.ExecutionFailed as e:
            print(e.excinfo.type, "main interpreter" in e.excinfo.msg)
