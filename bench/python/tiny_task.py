"""A task with nothing to import: what worker_speed.py times a new worker's first result with."""


def noop(x):
    return x
