"""copbot: the chat front end of a community of practice."""

__version__ = "0.1.0"
