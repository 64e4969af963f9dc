# Every test of PythonPoolTest runs in this main interpreter: tessera, the task module `tasks` (in MODS, set by the
# test) and a pool of two workers that import from MODS.
import sys, tessera, concurrent.futures, queue
sys.path.insert(0, MODS)
import tasks
pool = tessera.InterpreterPool(2, sys_path=[MODS])
