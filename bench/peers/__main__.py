"""``python -m bench.peers``: the driver (:mod:`bench.peers.driver`)."""

from bench.peers.driver import main

main()
