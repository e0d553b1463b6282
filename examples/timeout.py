"""Deadlines: ``wait_for(gather(...))`` against ``timeout()`` around a ``TaskGroup``.

``asyncio.wait_for()`` around ``asyncio.gather()`` cancels the tasks on expiry, but raises
``TimeoutError`` as soon as the first of them has finished: the others may still be
cleaning up. ``asyncio_compat.timeout()`` around a ``TaskGroup`` raises only once every
task has finished, and its ``TimeoutError`` is the builtin one on every Python version,
so that a plain ``except TimeoutError`` catches it (before 3.11, ``wait_for()`` raises
``asyncio.TimeoutError``, which that clause does not catch).

Run: ``python examples/timeout.py``
"""

import asyncio
from typing import Any, List

import asyncio_compat


async def download(name: str, duration: float) -> str:
    await asyncio.sleep(duration)
    print(f"  {name}: downloaded")
    return name


async def quick_to_cancel() -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        await asyncio.sleep(0)
        print("  quick: cancelled, nothing to clean up")
        raise


async def slow_to_cancel() -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        print("  slow: cancelled, removing its partial download")
        await asyncio.sleep(0.1)
        print("  slow: partial download removed")
        raise


def still_running() -> List[str]:
    me = asyncio.current_task()
    return sorted(t.get_name() for t in asyncio.all_tasks() if t is not me)


async def let_the_others_finish() -> None:
    # The program goes on; here, just long enough to see what the leftover tasks do.
    me = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not me]
    if others:
        await asyncio.wait(others)


async def with_wait_for() -> None:
    print("asyncio.wait_for() around asyncio.gather(), 0.1 s:")

    async def download_all() -> List[Any]:
        return await asyncio.gather(
            asyncio.create_task(download("small", 0.01), name="small"),
            asyncio.create_task(quick_to_cancel(), name="quick"),
            asyncio.create_task(slow_to_cancel(), name="slow"),
        )

    try:
        await asyncio.wait_for(download_all(), 0.1)
    except asyncio.TimeoutError:
        print(f"  caller: timed out; still running: {still_running()}")
    await let_the_others_finish()


async def with_timeout() -> None:
    print("asyncio_compat.timeout() around asyncio_compat.TaskGroup(), 0.1 s:")
    try:
        async with asyncio_compat.timeout(0.1), asyncio_compat.TaskGroup() as tg:
            tg.create_task(download("small", 0.01), name="small")
            tg.create_task(quick_to_cancel(), name="quick")
            tg.create_task(slow_to_cancel(), name="slow")
    except TimeoutError:  # the builtin class, on every version
        print(f"  caller: timed out; still running: {still_running()}")


async def in_time() -> None:
    print("asyncio_compat.timeout(), everything done in time:")
    async with asyncio_compat.timeout(0.1) as deadline, asyncio_compat.TaskGroup() as tg:
        small = tg.create_task(download("small", 0.01))
    print(f"  caller: got {small.result()!r}; expired: {deadline.expired()}")


async def main() -> None:
    await with_wait_for()
    print()
    await with_timeout()
    print()
    await in_time()


if __name__ == "__main__":
    asyncio_compat.run(main())
