"""A module whose global a worker of one script sets (worker_state.py): a worker of the next script must not see it."""
MARK = None
