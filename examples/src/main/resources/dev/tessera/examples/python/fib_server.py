"""What `tessera example serve` computes per request: fib(n), the naive way (a CPU-bound request)."""


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
