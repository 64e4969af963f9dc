"""Ends the way its first argument says, for ScriptExitTest's exit statuses (as CPython gives them)."""
import sys

how = sys.argv[1]
if how == "print":
    print("fine")
elif how == "exit-0":
    sys.exit(0)
elif how == "exit-none":
    sys.exit()
elif how == "exit-3":
    sys.exit(3)
elif how == "exit-false":
    sys.exit(False)
elif how == "exit-true":
    sys.exit(True)
elif how == "exit-message":
    sys.exit("bad input")
elif how == "raise":
    def f():
        raise ValueError("nope")
    f()
elif how == "argv":
    print(sys.argv[2:])
