"""The ``taskgroup`` package's names, answered by asyncio_compat.

What a project that imports ``taskgroup`` on Python < 3.11 writes when it moves to
asyncio_compat: the same six names, taken from asyncio_compat instead. tools/downstream.py
puts this folder first on ``sys.path`` in its second pass, so that the project's own
``from taskgroup import ...`` lands here without a change to the project.
"""

from asyncio_compat import Runner, TaskGroup, Timeout, run, timeout, timeout_at

__all__ = ["Runner", "TaskGroup", "Timeout", "run", "timeout", "timeout_at"]
