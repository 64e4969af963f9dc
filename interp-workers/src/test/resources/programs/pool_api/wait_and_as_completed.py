fs = [pool.submit(tasks.add, i, 0) for i in (1, 2, 3)]
done, not_done = tessera.wait(fs, timeout=60)
assert not not_done
str(sorted(f.result() for f in tessera.as_completed(fs, timeout=60)))
