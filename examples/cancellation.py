"""Cancellation: ``asyncio.gather()`` against ``TaskGroup``.

1. Cancelling the caller of ``gather()`` cancels the tasks, but the caller gets its
   ``CancelledError`` as soon as the *first* of them has finished: the others may still
   be cleaning up -- closing files, rolling back -- after the caller has gone. A
   ``TaskGroup`` lets its caller go only once every task has finished.
2. Cancelling one of the tasks (a shutdown, a ``wait_for()`` inside) makes ``gather()``
   raise ``CancelledError`` in its caller, which nobody cancelled, and the other tasks
   run on unobserved. In a ``TaskGroup`` that task is cancelled, and that is all.

Run: ``python examples/cancellation.py``
"""

import asyncio
from typing import Any, Callable, List

import asyncio_compat


async def quick_worker() -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        await asyncio.sleep(0)
        print("  quick: cancelled, nothing to clean up")
        raise


async def slow_worker() -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        print("  slow: cancelled, cleaning up")
        await asyncio.sleep(0.1)
        print("  slow: cleanup done")
        raise


async def job(name: str, duration: float) -> str:
    await asyncio.sleep(duration)
    print(f"  {name}: done")
    return name


def still_running(*exclude: "asyncio.Task[Any]") -> List[str]:
    me = asyncio.current_task()
    return sorted(t.get_name() for t in asyncio.all_tasks() if t is not me and t not in exclude)


async def let_the_others_finish() -> None:
    # The program goes on; here, just long enough to see what the leftover tasks do.
    me = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not me]
    if others:
        await asyncio.wait(others)


async def cancel_the_caller(title: str, caller: Callable[[], Any]) -> None:
    print(title)
    task = asyncio.create_task(caller(), name="caller")
    await asyncio.sleep(0.01)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print(f"  caller: cancelled; still running: {still_running(task)}")
    await let_the_others_finish()


async def gather_caller() -> None:
    await asyncio.gather(
        asyncio.create_task(quick_worker(), name="quick"),
        asyncio.create_task(slow_worker(), name="slow"),
    )


async def taskgroup_caller() -> None:
    async with asyncio_compat.TaskGroup() as tg:
        tg.create_task(quick_worker(), name="quick")
        tg.create_task(slow_worker(), name="slow")


async def cancel_one_task_gather() -> None:
    print("2. asyncio.gather(), one task cancelled by someone else:")
    other = asyncio.create_task(job("other", 0.1), name="other")
    victim = asyncio.create_task(job("victim", 3600), name="victim")
    asyncio.get_running_loop().call_later(0.01, victim.cancel)
    try:
        await asyncio.gather(other, victim)
    except asyncio.CancelledError:
        print(f"  caller: gather raised CancelledError; still running: {still_running()}")
    await let_the_others_finish()


async def cancel_one_task_taskgroup() -> None:
    print("2. asyncio_compat.TaskGroup(), one task cancelled by someone else:")
    async with asyncio_compat.TaskGroup() as tg:
        other = tg.create_task(job("other", 0.1), name="other")
        victim = tg.create_task(job("victim", 3600), name="victim")
        asyncio.get_running_loop().call_later(0.01, victim.cancel)
    print(
        f"  caller: the group ended normally; other: {other.result()!r}, "
        f"victim cancelled: {victim.cancelled()}"
    )


async def main() -> None:
    await cancel_the_caller("1. asyncio.gather(), its caller cancelled:", gather_caller)
    print()
    await cancel_the_caller(
        "1. asyncio_compat.TaskGroup(), its caller cancelled:", taskgroup_caller
    )
    print()
    await cancel_one_task_gather()
    print()
    await cancel_one_task_taskgroup()


if __name__ == "__main__":
    asyncio_compat.run(main())
