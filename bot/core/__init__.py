"""The platform-neutral core: value types, the platform port, routing and context.

Nothing in this package imports a platform library, the storage layer or any other
copbot package: it is the vocabulary the rest of the bot is written in.
"""
