total = P * N
consumer_counts = [total // 2, total - total // 2]
cons = [qpool.submit(tasks.consume, q, c) for c in consumer_counts]
prods = [qpool.submit(tasks.produce, q, p, N) for p in range(P - 1)]
for i in range(N):
    q.put((P - 1, i))
try:
    assert [f.result(120) for f in prods] == [N] * (P - 1)
    items = [f.result(120) for f in cons]
except Exception as e:
    raise AssertionError(f"stalled: {e!r}; qsize {q.qsize()}, stats {qpool.stats()}, "
                         f"running {[f.running() for f in prods + cons]}") from e
(items, q.empty())
