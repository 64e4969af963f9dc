"""Pipes that every interpreter of the process can use by their file descriptor numbers, for the ported tests.

CPython's interpreter tests pass os.pipe() descriptors to subinterpreters as ints (their processes share one fd
table). Each GraalPy context has a descriptor table of its own, and Tessera's workers have no I/O at all, so a
descriptor made in one interpreter means nothing in another. This adapter gives os.pipe() descriptors that stand for
a cross-interpreter queue (the number encodes the queue's id) and teaches os.read/os.write/os.close, open(fd),
os.fdopen and select.select in each interpreter to use them. install() runs in the main interpreter and, through the
test runner, in every interpreter it creates. Real descriptors go to the original functions.
"""

import builtins
import errno
import io
import os
import sys

BASE = 1 << 20  # descriptors from here on are pipe ends: BASE + 2 * queue id (+ 1 for the write end)

_orig = {}
_buffers = {}  # read fd -> bytearray of what this interpreter took from the queue and has not read yet
_eof = set()  # read fds whose writer closed
_closed = set()  # fds this interpreter closed


def _is_pipe(fd):
    return isinstance(fd, int) and not isinstance(fd, bool) and fd >= BASE


def _queue(fd):
    from concurrent.interpreters import _queues
    try:
        return _queues.Queue((fd - BASE) // 2)
    except _queues.QueueNotFoundError:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF)) from None


def _check_open(fd):
    if fd in _closed:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


_pipe_queues = set()  # ids of the queues behind the pipes this interpreter made (hidden from list_all)


def pipe():
    from concurrent.interpreters import _queues
    q = _queues.create()
    _pipe_queues.add(q.id)
    return BASE + 2 * q.id, BASE + 2 * q.id + 1


def _list_all_but_pipes(list_all):
    def list_all_queues():
        return [entry for entry in list_all() if entry[0] not in _pipe_queues]
    return list_all_queues


def _fill(fd, block, timeout=None):
    """Takes the next chunk from the queue into the buffer; False if none came."""
    from concurrent.interpreters import _queues
    q = _queue(fd)
    try:
        chunk = q.get(timeout=timeout) if block else q.get_nowait()
    except _queues.QueueEmpty:
        return False
    if chunk is None:  # the writer closed: later reads see the end too
        _eof.add(fd)
        q.put(None)
    else:
        _buffers.setdefault(fd, bytearray()).extend(chunk)
    return True


def read(fd, n):
    if not _is_pipe(fd):
        return _orig["read"](fd, n)
    _check_open(fd)
    if fd % 2:
        raise OSError(errno.EBADF, "not the read end of a pipe")
    buf = _buffers.setdefault(fd, bytearray())
    while not buf and fd not in _eof:
        _fill(fd, True)
    out = bytes(buf[:n])
    del buf[:n]
    return out


def write(fd, data):
    if not _is_pipe(fd):
        return _orig["write"](fd, data)
    _check_open(fd)
    if not fd % 2:
        raise OSError(errno.EBADF, "not the write end of a pipe")
    data = bytes(data)
    if data:
        _queue(fd).put(data)
    return len(data)


def close(fd):
    if not _is_pipe(fd):
        return _orig["close"](fd)
    _check_open(fd)
    _closed.add(fd)
    if fd % 2:
        try:
            _queue(fd).put(None)  # end of file for the reader
        except OSError:
            pass


def get_blocking(fd):
    return True if _is_pipe(fd) else _orig["get_blocking"](fd)


def set_blocking(fd, blocking):
    if not _is_pipe(fd):
        return _orig["set_blocking"](fd, blocking)


def select(rlist, wlist, xlist, timeout=None):
    pipes = [fd for fd in rlist if _is_pipe(fd)]
    if not pipes:
        return _orig["select"](rlist, wlist, xlist, timeout)
    import time
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        ready = [fd for fd in pipes if _buffers.get(fd) or fd in _eof]
        if ready:
            return ready, [], []
        for fd in pipes:
            if _fill(fd, False):
                break
        else:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return [], [], []
            _fill(pipes[0], True, 0.01 if left is None else min(left, 0.01))


class _PipeEnd(io.RawIOBase):
    def __init__(self, fd, closefd):
        self.fd, self.closefd = fd, closefd

    def readable(self):
        return not self.fd % 2

    def writable(self):
        return bool(self.fd % 2)

    def readinto(self, b):
        data = read(self.fd, len(b))
        b[:len(data)] = data
        return len(data)

    def write(self, b):
        return write(self.fd, b)

    def fileno(self):
        return self.fd

    def close(self):
        if not self.closed and self.closefd:
            try:
                close(self.fd)
            except OSError:
                pass
        super().close()


def _open_pipe(fd, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True):
    raw = _PipeEnd(fd, closefd)
    if "b" in mode and buffering == 0:
        return raw
    buffered = io.BufferedWriter(raw) if fd % 2 else io.BufferedReader(raw)
    if "b" in mode:
        return buffered
    return io.TextIOWrapper(buffered, encoding=encoding or "utf-8", errors=errors, newline=newline,
                            line_buffering=buffering == 1, write_through=bool(fd % 2))


def open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
    if _is_pipe(file):
        _check_open(file)
        return _open_pipe(file, mode, buffering, encoding, errors, newline, closefd)
    return _orig["open"](file, mode, buffering, encoding, errors, newline, closefd, opener)


def fdopen(fd, mode="r", buffering=-1, encoding=None, *args, **kwargs):
    if _is_pipe(fd):
        return open(fd, mode, buffering, encoding, *args, **kwargs)
    return _orig["fdopen"](fd, mode, buffering, encoding, *args, **kwargs)


def install():
    """Patches this interpreter's os, builtins, io and select (once)."""
    if _orig:
        return
    import select as select_module
    _orig.update(read=os.read, write=os.write, close=os.close, get_blocking=os.get_blocking,
                 set_blocking=os.set_blocking, open=builtins.open, fdopen=os.fdopen, select=select_module.select)
    os.pipe = pipe
    os.read, os.write, os.close = read, write, close
    os.get_blocking, os.set_blocking, os.fdopen = get_blocking, set_blocking, fdopen
    builtins.open = io.open = open
    select_module.select = select
    import _interpqueues  # the tests count queues: the pipes' are not theirs
    _interpqueues.list_all = _list_all_but_pipes(_interpqueues.list_all)
