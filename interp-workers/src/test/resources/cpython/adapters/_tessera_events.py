"""An event that tasks in other interpreters can wait for (the ported executor tests' create_event()): threading.Event
cannot cross interpreters, so this one is a cross-interpreter queue holding a token once set. It crosses (as an
argument, or inside a bound method such as event.wait) by pickle, as the same queue."""

from concurrent import interpreters


class Event:
    def __init__(self):
        self._q = interpreters.create_queue()

    def set(self):
        if self._q.empty():
            self._q.put(True)

    def is_set(self):
        return not self._q.empty()

    def wait(self, timeout=None):
        try:
            self._q.get(timeout=timeout)
        except interpreters.QueueEmpty:
            return False
        self._q.put(True)  # set stays set for the other waiters
        return True
