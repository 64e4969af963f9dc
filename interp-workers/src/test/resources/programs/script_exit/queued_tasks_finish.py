from shutdown_helpers import sleep_and_print
import tessera

if __name__ == "__main__":
    t = tessera.InterpreterPool(5)
    t.submit(sleep_and_print, 1.0, "apple")
