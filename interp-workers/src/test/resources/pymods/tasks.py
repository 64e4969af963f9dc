"""Task functions used by the interp-workers tests."""
import time


def add(a, b):
    return a + b


def echo(*args, **kwargs):
    return (args, tuple(sorted(kwargs.items())))


def fill(mv, start):
    for i in range(len(mv)):
        mv[i] = (start + i) * 0.5
    return len(mv)


def boom(x):
    return 1 / x


def spin(n):
    t0 = time.monotonic_ns()
    s = 0
    for i in range(n):
        s += i % 7
    return (t0, time.monotonic_ns(), s)


def forever():
    while True:
        pass


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def try_java():
    import java  # noqa: F401
    return "imported"


def try_open(path):
    with open(path) as f:
        return f.read(10)


def produce(q, producer, count):
    for i in range(count):
        q.put((producer, i))
    return count


def consume(q, count):
    got = []
    for _ in range(count):
        got.append(q.get(timeout=60))
    return tuple(got)


def keep_view(mv):
    global kept
    kept = mv
    return len(mv)


def write_kept():
    kept[0] = 99.0
    return "wrote"


def unshareable_result():
    return [1, 2]


def unpicklable_result():
    return (i for i in range(2))


def hold(mv):
    """Keeps a leased view busy until the task is cancelled."""
    while True:
        mv[0] = mv[0]


def fill_then_fail(mv, start):
    """Writes its slice, then raises: its lease must still end with the task."""
    fill(mv, start)
    raise ValueError("injected failure after the writes")
