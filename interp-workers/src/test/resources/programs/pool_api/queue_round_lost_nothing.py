import itertools
assert sorted(itertools.chain(*items)) == sorted((p, i) for p in range(P) for i in range(N))
