import tessera


def square(x):
    return x * x


if __name__ == "__main__":
    with tessera.InterpreterPool(2) as pool:
        print("sum", sum(pool.map(square, range(100))))
