import atexit, threading, time
atexit.register(lambda: print("atexit hook ran"))
def late():
    time.sleep(0.3)
    print("thread finished")
threading.Thread(target=late).start()
print("script ends")
