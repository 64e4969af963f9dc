a = tessera.zeros(100_000, 'd')
fs = [pool.submit(tasks.fill, a.slice(lo, lo + 25_000), lo) for lo in range(0, 100_000, 25_000)]
assert [f.result(60) for f in fs] == [25_000] * 4
sum(memoryview(a))
