import os
import sys
print("argv", sys.argv[1:], "cwd", os.getcwd())
print("to stderr", file=sys.stderr)
with open("made_by_script.txt", "w") as f:  # relative: the client's directory
    f.write("written")
