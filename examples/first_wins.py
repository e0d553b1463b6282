"""The first answer wins: ``asyncio.wait(FIRST_COMPLETED)`` against ``TaskGroup.cancel()``.

Asking several mirrors and keeping the first answer is often written with
``asyncio.wait(..., return_when=FIRST_COMPLETED)``; the tasks left pending then have to
be cancelled *and awaited* by hand, or they go on running after the caller has its
answer. ``TaskGroup.cancel()`` (new in Python 3.15, and here on every version) ends the
group early without an error: the other tasks are cancelled and waited for.

Run: ``python examples/first_wins.py``
"""

import asyncio
from typing import List

import asyncio_compat

LATENCY = {"mirror-a": 0.5, "mirror-b": 0.01, "mirror-c": 0.6}


async def fetch(mirror: str) -> str:
    await asyncio.sleep(LATENCY[mirror])
    return f"data from {mirror}"


def still_running() -> List[str]:
    me = asyncio.current_task()
    return sorted(t.get_name() for t in asyncio.all_tasks() if t is not me and not t.done())


async def with_wait() -> None:
    print("asyncio.wait(return_when=FIRST_COMPLETED):")
    tasks = [asyncio.create_task(fetch(m), name=m) for m in LATENCY]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print(f"  caller: {next(iter(done)).result()!r}")
    for task in pending:
        task.cancel()  # a request only: the tasks have not finished yet
    print(f"  caller: after cancel(), still running: {still_running()}")
    await asyncio.sleep(0)


async def with_taskgroup() -> None:
    print("asyncio_compat.TaskGroup() and its cancel():")
    answers: List[str] = []
    answered = asyncio.Event()

    async def fetch_into(mirror: str) -> None:
        answers.append(await fetch(mirror))
        answered.set()

    async with asyncio_compat.TaskGroup() as tg:
        tasks = [tg.create_task(fetch_into(m), name=m) for m in LATENCY]
        await answered.wait()
        tg.cancel()  # ends the group, without an error: the other tasks are cancelled
    cancelled = sorted(t.get_name() for t in tasks if t.cancelled())
    print(f"  caller: {answers[0]!r}")
    print(f"  caller: cancelled: {cancelled}; still running: {still_running()}")


async def main() -> None:
    await with_wait()
    print()
    await with_taskgroup()


if __name__ == "__main__":
    asyncio_compat.run(main())
