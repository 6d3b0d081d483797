"""The reliability suite (issue 17): nothing lost, nothing leaked, nothing crashes.

Each scenario measures its figures, records them (:mod:`tests.reliability.conftest`) and
asserts its invariant. ``COPBOT_RELIABILITY=short`` (the default, part of every test run)
or ``full`` (``make reliability``) sets the sizes; :mod:`tests.reliability.report` prints
the table of the recorded figures.
"""
