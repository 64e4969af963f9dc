"""A warm-up script that fails (WarmUpTest): the service reports it and serves without a warm-up."""
import sys

print("the warm-up's own error", file=sys.stderr)
raise SystemExit(3)
