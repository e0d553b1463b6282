"""Golden call graphs: the text of ``format_call_graph()`` for the same programs on
CPython 3.15's stdlib and on the backport on every other interpreter.

- ``programs``: the programs (a TaskGroup tree, gather, shield, timeouts, wait_for,
  as_completed, async and sync generators, limits), written against an API namespace so
  that the same code runs with the stdlib's names or the backport's; ``normalise()``.
- ``regen``: ``PYTHONPATH=src python3.15 -m tests.graph_golden.regen`` writes
  ``<program>.txt``, the stdlib's text, which ``tests/test_graph_golden.py`` compares
  the backport's with.
"""
