"""First contact and getting around: ``/start``, ``/help``, ``/language``."""
