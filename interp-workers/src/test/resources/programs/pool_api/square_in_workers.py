import tessera

def square(x):
    return x * x

if __name__ == "__main__":
    with tessera.InterpreterPool(2) as p:
        print("squares", sorted(p.map(square, range(5))))
