spin = slow.submit(tasks.forever)
import time
while not spin.running():
    time.sleep(0.01)
assert spin.cancel(interrupt=True)
assert spin.cancelled()
slow.shutdown()
