import atexit
import tessera

@atexit.register
def run_last():
    try:
        t.submit(id, None)
    except RuntimeError:
        print("runtime-error")
        raise

if __name__ == "__main__":
    t = tessera.InterpreterPool(5)
    t.submit(id, 42).result()
