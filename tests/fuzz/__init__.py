"""Differential fuzzing of ``asyncio_compat.backport`` against CPython 3.15's stdlib.

- ``scenario``: the scenario language (random programs of nested TaskGroups, timeouts,
  ``wait_for``, cancellations, shields, ``catch``/``suppress``...), its generator --
  driven either by hypothesis or by a seeded ``random.Random`` -- and its rendering as
  Python-like source.
- ``harness``: runs one scenario on a virtual-time event loop against one implementation
  and returns its trace (a list of strings); the per-interpreter normalisations.
- ``regen``: ``python -m tests.fuzz.regen`` (on CPython 3.15) writes
  ``expected/traces.jsonl``, the stdlib's traces of seeded scenarios that every other
  interpreter's backport must reproduce.
- ``replay``: ``python -m tests.fuzz.replay`` runs one scenario (JSON) or stored entry
  and shows its source, its traces and their difference (``--minimise``: simplified).
- ``sweep``: ``python -m tests.fuzz.sweep`` runs seeded scenarios without hypothesis.

``README.md`` says how to run them, and what differs between interpreters by design.

``tests/test_fuzz.py`` holds the tests.
"""
