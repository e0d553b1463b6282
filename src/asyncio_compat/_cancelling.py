"""Counting cancellation requests: ``Task.cancelling()`` / ``Task.uncancel()`` as functions.

3.11 gave tasks a count of ``cancel()`` requests, so that a TaskGroup or a timeout can
tell its own cancellation from somebody else's; 3.13 made ``uncancel()`` reaching zero
also withdraw a request not yet delivered (gh-116720).

Before 3.11 a task has no count. The task object stays the same one (code compares and
stores ``current_task()``), and neither the loop's task factory nor ``asyncio`` is patched:
instead, a task in which a group or a timeout is active gets an instance attribute
``cancel`` that counts and then calls the class's own ``cancel``. Everything that cancels
a task -- ``gather``, ``wait_for``, an awaiting task, ``asyncio.run`` -- looks ``cancel``
up on the instance, in C as in Python, so every request is counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import weakref
from typing import Any, Optional

__all__ = ["cancelling", "uncancel"]


def _withdraw(task: asyncio.Task[Any]) -> None:
    # gh-116720 (3.13): no request left means no cancellation may still be delivered.
    # The C task's _must_cancel is read-only before 3.13: see settle_withdrawn().
    if getattr(task, "_must_cancel", False):
        # Written only when set: a failed write costs a raised AttributeError.
        with contextlib.suppress(AttributeError):
            task._must_cancel = False  # type: ignore[attr-defined]


if sys.version_info >= (3, 13):  # 3.13+: gh-116720, uncancel() withdraws a pending cancel

    def cancelling(task: asyncio.Task[Any]) -> int:
        """Return how many cancellation requests *task* has not yet withdrawn."""
        return task.cancelling()

    def uncancel(task: asyncio.Task[Any]) -> int:
        """Withdraw one cancellation request of *task*; return how many are left."""
        return task.uncancel()

    def count_cancels(task: asyncio.Task[Any]) -> None:
        """Tasks count their own cancellation requests here."""

elif sys.version_info >= (3, 11):  # 3.11+: Task.cancelling()/uncancel() (bpo-46771)

    def cancelling(task: asyncio.Task[Any]) -> int:
        """Return how many cancellation requests *task* has not yet withdrawn."""
        return task.cancelling()

    def uncancel(task: asyncio.Task[Any]) -> int:
        """Withdraw one cancellation request of *task*; return how many are left.

        Reaching zero withdraws a request not yet delivered, as 3.13 does, where the task
        lets us (pure-Python tasks); the C task's flag is read-only before 3.13, and
        TaskGroup and timeout then take the stale request themselves (settle_withdrawn).
        """
        left = task.uncancel()
        if left == 0:
            _withdraw(task)
        return left

    def count_cancels(task: asyncio.Task[Any]) -> None:
        """Tasks count their own cancellation requests here."""

else:

    class _CancelCounter:
        """The ``cancel`` of one task, counting the requests it accepts.

        It holds the task weakly: the task holds it, and a cycle would keep every
        finished task alive until the garbage collector runs.
        """

        __slots__ = ("__weakref__", "_task", "count")

        def __init__(self, task: asyncio.Task[Any], count: int) -> None:
            self._task = weakref.ref(task)
            self.count = count

        if sys.version_info >= (3, 9):  # 3.9+: Task.cancel(msg) (bpo-31033)

            def __call__(self, msg: Optional[Any] = None) -> bool:
                task = self._task()
                if task is None or task.done():
                    return False
                self.count += 1
                return type(task).cancel(task, msg)

        else:

            def __call__(self) -> bool:
                task = self._task()
                if task is None or task.done():
                    return False
                self.count += 1
                return type(task).cancel(task)

        def __repr__(self) -> str:
            return f"<cancel of {self._task()!r}, {self.count} pending>"

    def count_cancels(task: asyncio.Task[Any]) -> _CancelCounter:
        """Start counting *task*'s cancellation requests, if not already counted.

        A request made before counting started and not yet delivered counts as one.
        """
        counter = task.cancel
        if isinstance(counter, _CancelCounter):
            return counter
        counter = _CancelCounter(task, 1 if getattr(task, "_must_cancel", False) else 0)
        task.cancel = counter  # type: ignore[method-assign]
        return counter

    def cancelling(task: asyncio.Task[Any]) -> int:
        """Return how many cancellation requests *task* has not yet withdrawn.

        Requests are counted from the first time a TaskGroup or a timeout is active in
        the task, or it is created by a TaskGroup, or it is passed here.
        """
        return count_cancels(task).count

    def uncancel(task: asyncio.Task[Any]) -> int:
        """Withdraw one cancellation request of *task*; return how many are left.

        Reaching zero withdraws a request not yet delivered, as 3.13 does, where the task
        lets us (pure-Python tasks, PyPy); the C task's flag is read-only before 3.13, and
        TaskGroup and timeout then take the stale request themselves (settle_withdrawn).
        """
        counter = count_cancels(task)
        if counter.count > 0:
            counter.count -= 1
        if counter.count == 0:
            _withdraw(task)
        return counter.count


async def settle_withdrawn(task: asyncio.Task[Any]) -> Optional[BaseException]:
    """Call after ``uncancel(task)`` returned 0, from inside *task*.

    Where ``_must_cancel`` is read-only (the C task before 3.13), ``uncancel()`` cannot
    withdraw a request made while the task was running, and the task would get a
    ``CancelledError`` at its next suspension, outside the group or timeout that made
    and withdrew the request. Take that delivery here, at a suspension of our own.

    Returns a ``CancelledError`` that must propagate because a new request arrived
    meanwhile, else ``None``.
    """
    if sys.version_info >= (3, 13) or not getattr(task, "_must_cancel", False):
        return None
    try:
        await asyncio.sleep(0)
    except asyncio.CancelledError as exc:
        if cancelling(task):
            return exc
    return None


cancelling.__module__ = uncancel.__module__ = "asyncio_compat"
