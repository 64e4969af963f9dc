"""Reads its standard input as a script does: a line with input(), then the rest; with `bytes`, all of it from
sys.stdin.buffer (its length and a checksum). Not both: input() reads ahead into sys.stdin's text buffer, under
CPython as here."""
import sys
import zlib

if sys.argv[1:] == ["bytes"]:
    data = sys.stdin.buffer.read()
    print(f"{len(data)} bytes, crc {zlib.crc32(data)}")
else:
    try:
        first = input()
    except EOFError:
        first = None
    print(f"first {first!r} rest {sys.stdin.read()!r}")
