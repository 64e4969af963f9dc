import os, sys, tessera, helper_main
def work(x):
    import helper_worker  # imported by the worker only: its sandbox cannot write the cache
    return helper_main.twice(x), helper_worker.thrice(x)
if __name__ == "__main__":
    print(sys.dont_write_bytecode)
    # The same size and time, other code: a worker that reads the cache still doubles.
    st = os.stat(helper_main.__file__)
    with open(helper_main.__file__, "w") as f:
        f.write("def twice(x):\n    return 5 * x\n")
    os.utime(helper_main.__file__, ns=(st.st_atime_ns, st.st_mtime_ns))
    with tessera.InterpreterPool(1) as pool:
        print(pool.submit(work, 7).result(60))
