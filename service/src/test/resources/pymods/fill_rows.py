def fill(view, start):
    for i in range(len(view)):
        view[i] = (start + i) * 0.5
    return len(view)

def total(view):
    return sum(view)

def boom():
    raise ValueError("bad job")

def fill_2d(view, start):
    m = view.cast("B").cast("d")  # flat: row r, column k holds (start + r) * 4 + k
    for i in range(len(m)):
        m[i] = start * 4 + i
    return len(m) // 4

def first(view):
    return memoryview(view).cast("B").cast("d")[0]

def spin(seconds):
    import time
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.01)
    return seconds

def fail_from(view, start, row):
    if start >= row:
        raise ValueError(f"part at row {start} refused")
    return start

def arange(view, start):
    import tessera.kernels
    tessera.kernels.arange(view, start)
    return len(view)
