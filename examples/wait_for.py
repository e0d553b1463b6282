"""``wait_for()`` and its caller's cancellation: Python 3.8-3.11's against the newest.

Before 3.12, ``asyncio.wait_for()`` runs the awaitable in a task of its own and waits
for that task. Two things go wrong when the caller is cancelled:

1. if the awaitable finishes in the same loop iteration, ``wait_for()`` returns its
   result and the cancellation is lost: the caller goes on as if nobody had cancelled
   it (CPython gh-86296);
2. once the deadline has passed, ``wait_for()`` cancels the awaitable and waits for its
   cleanup; if the caller is cancelled meanwhile, it leaves at once, and the awaitable
   goes on cleaning up in a task nobody waits for any more.

3.12 rewrote ``wait_for()`` as a ``timeout()`` around an ``await``: no task of its own,
so neither can happen. ``asyncio_compat.wait_for`` behaves so on every version. On
3.12 and newer both halves of this program print the same thing.

Run: ``python examples/wait_for.py``
"""

import asyncio
import sys
from typing import Any, Callable

import asyncio_compat


async def quick_lookup() -> str:
    return "cached value"


async def slow_query() -> str:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        await asyncio.sleep(0.05)  # roll back the transaction
        raise
    return "rows"


def others() -> int:
    me = asyncio.current_task()
    return sum(1 for t in asyncio.all_tasks() if t is not me and not t.done())


async def show(title: str, wait_for: Callable[..., Any]) -> None:
    print(title)

    # 1. The awaited task finishes in the very iteration in which the caller is cancelled.
    lookup = asyncio.ensure_future(quick_lookup())

    async def caller() -> None:
        value = await wait_for(lookup, 10)
        await asyncio.sleep(0.01)  # store the value somewhere
        print(f"  1. caller: stored {value!r}, though it was cancelled")

    task = asyncio.ensure_future(caller())
    await asyncio.sleep(0)  # lookup finishes, caller starts waiting for it
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("  1. caller: cancelled, as asked")

    # 2. The deadline has passed and the query is rolling back when the caller is
    # cancelled: does the rollback outlive the caller?
    task = asyncio.ensure_future(wait_for(slow_query(), 0.01))
    await asyncio.sleep(0.03)
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, asyncio.TimeoutError) as exc:
        print(f"  2. caller: {type(exc).__name__}; tasks left running: {others()}")
    await asyncio.sleep(0.1)  # let a leftover rollback end before the next part


async def main() -> None:
    await show("asyncio.wait_for() on this Python:", asyncio.wait_for)
    print()
    await show("asyncio_compat.wait_for():", asyncio_compat.wait_for)


if __name__ == "__main__":
    if sys.version_info >= (3, 12):
        print("(this Python's asyncio.wait_for() already has the fix)\n")
    asyncio.run(main())
