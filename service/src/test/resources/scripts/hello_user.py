print("hello from a user")
