from shutdown_helpers import sleep_and_print
import tessera

if __name__ == "__main__":
    t = tessera.InterpreterPool()
    t.submit(sleep_and_print, .1, "apple")
    t.shutdown(wait=False, cancel_futures=True)
