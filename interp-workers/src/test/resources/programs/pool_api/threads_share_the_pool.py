import threading, concurrent.futures as cf
res = []
def user(k):
    for i in range(50):
        res.append(pool.submit(tasks.add, i, k).result(60))
ths = [threading.Thread(target=user, args=(k,)) for k in range(4)]
for th in ths: th.start()
for th in ths: th.join(120)
done, not_done = cf.wait([pool.submit(tasks.spin, 100_000) for _ in range(4)], timeout=60)
n = sum(1 for _ in cf.as_completed([pool.submit(tasks.add, i, 1) for i in range(10)], timeout=60))
fired = threading.Event()
pool.submit(tasks.add, 1, 1).add_done_callback(lambda f: fired.set())  # nobody calls result()
with cf.ThreadPoolExecutor(4) as ex:
    total = sum(ex.map(lambda i: pool.submit(tasks.add, i, 0).result(60), range(100)))
str([len(res), len(done), n, fired.wait(60), total])
