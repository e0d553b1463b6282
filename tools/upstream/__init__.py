"""Helpers of ``tools/run_upstream.py``: run CPython's own TaskGroup, timeout, wait_for and
as_completed tests against ``asyncio_compat.backport`` (or the stdlib, or the ``taskgroup``
package, for comparison).

Nothing of CPython is copied here: the tests are read from the CPython test suite installed
on the machine, rewritten in memory and run.
"""
