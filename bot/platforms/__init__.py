"""Platform adapters: the only code that talks to a chat platform.

``console`` is the local, in-process platform used by the embedded default, the CLI's
``chat`` command and the tests. ``telegram`` and ``matrix`` are the only modules allowed
to import python-telegram-bot and matrix-nio.
"""
