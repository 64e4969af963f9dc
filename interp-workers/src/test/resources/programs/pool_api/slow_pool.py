slow = tessera.InterpreterPool(1, sys_path=[MODS], task_timeout=2.0)
hung = slow.submit(tasks.forever)
queued = slow.submit(tasks.add, 1, 1)
