q = tessera.create_queue()
q.put_many(range(5))
q.put_many(("x",))
got = [q.get_many(3), q.get_many(2), q.get()]
try:
    q.get_many(5, block=False)
except tessera.QueueEmpty:
    got.append(())
str(got)
