before = pool.stats()
pool.submit(tasks.spin, 10_000_000).result(60)
after = pool.stats()
