def thrice(x):
    return 3 * x
