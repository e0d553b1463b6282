"""Golden task trees: the text of ``tasktree.format_task_tree()`` for the same programs on
CPython 3.15 (with the stdlib's TaskGroup and wait_for) and on every other interpreter.

- ``programs``: the programs (TaskGroup children, a wait_for around a TaskGroup, gather,
  a task waiting at the end of ``async with TaskGroup()``, a deadlock), written against an
  API namespace so that the same code runs with ``asyncio_compat``'s names or the
  backport's; ``normalise()``.
- ``regen``: ``PYTHONPATH=src python3.15 -m tests.tasktree_golden.regen`` writes
  ``<program>.txt``, which ``tests/test_tasktree.py`` compares every interpreter's with.
"""
