import time, tessera
print(sorted(n for n in globals() if not n.startswith("__")))
if __name__ == "__main__":
    with tessera.InterpreterPool(1) as pool:
        print(pool.submit(time.sleep, 0).result(60), time.sleep.__module__, time.sleep.__name__)
