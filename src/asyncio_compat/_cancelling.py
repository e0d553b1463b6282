"""Counting cancellation requests: ``Task.cancelling()`` / ``Task.uncancel()`` as functions.

3.11 gave tasks a count of ``cancel()`` requests, so that a TaskGroup or a timeout can
tell its own cancellation from somebody else's; 3.13 made ``uncancel()`` reaching zero
also withdraw a request not yet delivered (gh-116720).

Before 3.11 a task has no count. The task object stays the same one (code compares and
stores ``current_task()``), and neither the loop's task factory nor ``asyncio`` is patched.
A TaskGroup's children are ``CountingTask``s, asyncio's Task with a ``cancel`` that
counts into a slot (on asyncio's own loops without a task factory; elsewhere the loop
makes the task). Any other task in which a group or a timeout is active gets an instance
attribute ``cancel`` that counts and then calls the class's own ``cancel``. Everything
that cancels a task -- ``gather``, ``wait_for``, an awaiting task, ``asyncio.run`` --
looks ``cancel`` up on the object when it cancels, in C as in Python, so their requests
are counted. A ``task.cancel`` looked up before counting started is the class's own: its
requests are counted only where a timeout's expiry or a TaskGroup sees them arrive
(``cancel_watching``, the group's exit); docs/how-it-works.md has the pattern and remedy.
"""

from __future__ import annotations

__all__ = ["cancelling", "uncancel"]

import asyncio
import contextlib
import sys
import weakref

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from typing import Any, Optional


def _withdraw(task: asyncio.Task[Any]) -> None:
    # gh-116720 (3.13): no request left means no cancellation may still be delivered.
    # The C task's _must_cancel is read-only before 3.13: see settle_withdrawn().
    if getattr(task, "_must_cancel", False):
        # Written only when set: a failed write costs a raised AttributeError.
        with contextlib.suppress(AttributeError):
            task._must_cancel = False  # type: ignore[attr-defined]


if sys.version_info >= (3, 13):  # 3.13+: gh-116720, uncancel() withdraws a pending cancel

    def cancelling(task: asyncio.Task[Any]) -> int:
        """Return how many cancellation requests *task* has not yet withdrawn.

        Before 3.11 the backport counts from the first time a TaskGroup or a timeout is
        active in the task, and a ``task.cancel`` looked up before that (``call_later(d,
        task.cancel)``, a signal handler) is counted only where an expiring timeout or a
        TaskGroup sees its request arrive: ``lambda: task.cancel()`` is always counted.
        """
        return task.cancelling()

    def uncancel(task: asyncio.Task[Any]) -> int:
        """Withdraw one cancellation request of *task*; return how many are left."""
        return task.uncancel()

    def count_cancels(task: asyncio.Task[Any]) -> None:
        """Tasks count their own cancellation requests here."""

elif sys.version_info >= (3, 11):  # 3.11+: Task.cancelling()/uncancel() (bpo-46771)

    def cancelling(task: asyncio.Task[Any]) -> int:
        """Return how many cancellation requests *task* has not yet withdrawn.

        Before 3.11 the backport counts from the first time a TaskGroup or a timeout is
        active in the task, and a ``task.cancel`` looked up before that (``call_later(d,
        task.cancel)``, a signal handler) is counted only where an expiring timeout or a
        TaskGroup sees its request arrive: ``lambda: task.cancel()`` is always counted.
        """
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

    class CountingTask(asyncio.Task):  # type: ignore[type-arg]
        """The task a TaskGroup creates: an ``asyncio.Task`` that counts in a slot.

        Cheaper than a ``_CancelCounter``: no instance dict, no counter, no weakref. Named
        ``Task`` so that its repr (and the logs that print it) are asyncio's own.
        """

        __slots__ = ("_asyncio_compat_cancels",)

        def cancel(self, *args: Any, **kwargs: Any) -> bool:
            if self.done():
                return False
            self._asyncio_compat_cancels = _count(self) + 1
            return super().cancel(*args, **kwargs)

    CountingTask.__name__ = CountingTask.__qualname__ = "Task"

    def _count(task: CountingTask) -> int:
        # The slot is unset until the first request: no __init__ of ours on the hot path.
        return getattr(task, "_asyncio_compat_cancels", 0)

    def count_cancels(task: asyncio.Task[Any]) -> None:
        """Start counting *task*'s cancellation requests, if not already counted.

        A request made before counting started and not yet delivered counts as one.
        """
        if type(task) is not CountingTask and not isinstance(task.cancel, _CancelCounter):
            count = 1 if getattr(task, "_must_cancel", False) else 0
            task.cancel = _CancelCounter(task, count)  # type: ignore[method-assign]

    def count_since(task: asyncio.Task[Any]) -> Optional[int]:
        """Start counting *task*'s requests (as ``count_cancels``); return the count, or
        ``None`` if a request is pending (it cannot be told from an uncounted one)."""
        pending = getattr(task, "_must_cancel", False)
        if type(task) is CountingTask:
            count = _count(task)
        else:
            cancel = task.cancel
            if not isinstance(cancel, _CancelCounter):
                cancel = _CancelCounter(task, 1 if pending else 0)
                task.cancel = cancel  # type: ignore[method-assign]
            count = cancel.count
        return None if pending else count

    def count_uncounted(task: asyncio.Task[Any]) -> None:
        """Count one request that *task* accepted without counting it.

        That is a ``task.cancel`` looked up before counting started (``call_later(d,
        task.cancel)``, a signal handler): a bound method of the class's own ``cancel``,
        which the instance attribute cannot intercept. Callers count one only where they
        saw it delivered or pending and their own view of the count did not change.
        """
        if type(task) is CountingTask:
            task._asyncio_compat_cancels = _count(task) + 1
        else:
            count_cancels(task)
            task.cancel.count += 1  # type: ignore[attr-defined]

    def delivery_pending(task: asyncio.Task[Any]) -> bool:
        """Has suspended *task* accepted a request it has not yet received?

        Either its flag is set, or the future it waits on is cancelled and its wake-up
        is still to come (a task clears ``_fut_waiter`` as it resumes). A request passed
        on to an awaited task or gather that has not finished yet is not seen.
        """
        if getattr(task, "_must_cancel", False):
            return True
        waiter = getattr(task, "_fut_waiter", None)
        return waiter is not None and waiter.cancelled()  # type: ignore[no-any-return]

    def cancel_watching(task: asyncio.Task[Any], since: Optional[int]) -> None:
        """Cancel suspended *task* for a TaskGroup or a timeout, counting what can be seen
        of a request that bypassed the count around ours (3.11+ counts it, and it must
        then win over ours).

        Before ours: a request already pending while the count is still *since* (the
        count when the caller began; ``None`` if it cannot tell). After ours: the flag
        set by another ``cancel()`` before the task wakes up, seen by a callback queued
        just ahead of the wake-up that our request schedules.
        """
        if since is not None and cancelling(task) == since and delivery_pending(task):
            count_uncounted(task)
        after: list[int] = []
        task.get_loop().call_soon(_recount, task, after)
        task.cancel()
        if not getattr(task, "_must_cancel", False):
            # Our request went to the waiter: the flag is free to show another one.
            after.append(cancelling(task))

    def _recount(task: asyncio.Task[Any], after: list[int]) -> None:
        if after and getattr(task, "_must_cancel", False) and cancelling(task) == after[0]:
            count_uncounted(task)

    def cancelling(task: asyncio.Task[Any]) -> int:
        """Return how many cancellation requests *task* has not yet withdrawn.

        Requests are counted from the first time a TaskGroup or a timeout is active in
        the task, or it is created by a TaskGroup, or it is passed here. A ``cancel``
        looked up on the task before that (``loop.call_later(d, task.cancel)``,
        ``loop.add_signal_handler(sig, task.cancel)``) bypasses the count: such a
        request is counted only where a timeout's expiry or a TaskGroup's exit sees
        it arrive; ``lambda: task.cancel()`` is always counted.
        """
        if type(task) is CountingTask:
            return _count(task)
        count_cancels(task)
        return task.cancel.count  # type: ignore[attr-defined,no-any-return]

    def uncancel(task: asyncio.Task[Any]) -> int:
        """Withdraw one cancellation request of *task*; return how many are left.

        Reaching zero withdraws a request not yet delivered, as 3.13 does, where the task
        lets us (pure-Python tasks, PyPy); the C task's flag is read-only before 3.13, and
        TaskGroup and timeout then take the stale request themselves (settle_withdrawn).
        The count is ``cancelling()``'s, which misses some requests of a ``task.cancel``
        looked up before counting started.
        """
        left = cancelling(task)
        if left > 0:
            left -= 1
            if type(task) is CountingTask:
                task._asyncio_compat_cancels = left
            else:
                task.cancel.count = left  # type: ignore[attr-defined]
        if left == 0:
            _withdraw(task)
        return left


async def settle_withdrawn(task: asyncio.Task[Any]) -> Optional[BaseException]:
    """Call after ``uncancel(task)`` returned 0, from inside *task*, only if
    ``task._must_cancel`` is still set: callers look first, since making a coroutine is
    not free. (From 3.13, and on tasks whose flag we can write, ``uncancel()`` reaching
    zero has cleared it already.)

    Where ``_must_cancel`` is read-only (the C task before 3.13), ``uncancel()`` cannot
    withdraw a request made while the task was running, and the task would get a
    ``CancelledError`` at its next suspension, outside the group or timeout that made
    and withdrew the request. Take that delivery here, at a suspension of our own.

    Returns a ``CancelledError`` that must propagate because a new request arrived
    meanwhile, else ``None``.
    """
    try:
        await asyncio.sleep(0)
    except asyncio.CancelledError as exc:
        if cancelling(task):
            return exc
    return None


cancelling.__module__ = uncancel.__module__ = "asyncio_compat"
