import os
import sys
how = sys.argv[1]
print("before", how, flush=True)
if how == "sys.exit":
    sys.exit(3)
if how == "os._exit":
    os._exit(5)
if how == "raise":
    raise ValueError("raised in the script")
