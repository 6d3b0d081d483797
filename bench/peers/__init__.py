"""copbot against python-telegram-bot and aiogram on the same 8-step form (issue 19).

``python -m bench.peers`` runs :mod:`bench.peers.driver`.
"""
