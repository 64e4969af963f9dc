"""A script that leaves abruptly with its pool busy: tasks running forever, more queued, the pool shut down
without waiting, then os._exit. The service must end the pool's workers and serve the next script."""
import os
import time

import tessera


def forever():
    while True:
        pass


if __name__ == "__main__":
    pool = tessera.InterpreterPool(2)
    futures = [pool.submit(forever) for _ in range(4)]
    deadline = time.monotonic() + 60
    while not (futures[0].running() and futures[1].running()) and time.monotonic() < deadline:
        time.sleep(0.01)
    print("running", futures[0].running() and futures[1].running(), flush=True)
    pool.shutdown(wait=False, cancel_futures=True)
    os._exit(7)
