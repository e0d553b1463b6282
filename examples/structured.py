"""The gather glue, written once: ``asyncio_compat.structured`` beside a TaskGroup by hand.

Code that moves from ``asyncio.gather()`` to a ``TaskGroup`` writes the same glue again
and again: a list of tasks and ``[t.result() for t in tasks]``; a semaphore to bound a
fan-out; a hand-made "first answer wins"; a loop over tasks as they finish that must not
leave any running. ``asyncio_compat.structured`` has each as one call, with the
TaskGroup's guarantees: no child outlives the call, a failure cancels the others, and
the errors come out as an ``ExceptionGroup`` (handled here with ``catch()``).

Run: ``python examples/structured.py``
"""

import asyncio
from typing import Dict, List, Optional

import asyncio_compat
from asyncio_compat import structured

cancelled: List[str] = []


def still_running() -> List[str]:
    me = asyncio.current_task()
    return sorted(t.get_name() for t in asyncio.all_tasks() if t is not me and not t.done())


async def sleep_or_note(delay: float, name: str) -> None:
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        cancelled.append(name)
        raise


# 1. Results in argument order ------------------------------------------------------------

USERS: Dict[int, str] = {1: "ada"}


async def user(uid: int) -> str:
    await sleep_or_note(0.05 * uid, f"user {uid}")
    try:
        return USERS[uid]
    except KeyError:
        raise LookupError(f"no user {uid}") from None


async def orders(uid: int) -> List[str]:
    await sleep_or_note(0.2, f"orders of {uid}")
    return ["book", "lamp"]


async def results_in_order() -> None:
    print("1. Results in argument order")
    async with asyncio_compat.TaskGroup() as tg:
        name_task = tg.create_task(user(1))
        orders_task = tg.create_task(orders(1))
    name, items = name_task.result(), orders_task.result()
    print(f"  TaskGroup, by hand: {name!r} {items!r}")

    name, items = await structured.gather(user(1), orders(1))  # typed: Tuple[str, List[str]]
    print(f"  structured.gather(): {name!r} {items!r}")

    def no_user(group: asyncio_compat.BaseExceptionGroup) -> None:
        print(f"  structured.gather(), user 2: catch() handled {list(group.exceptions)}")

    cancelled.clear()
    with asyncio_compat.catch({LookupError: no_user}):
        await structured.gather(user(2), orders(2))
    print(f"  cancelled: {cancelled}; still running: {still_running()}")


# 2. Bounded fan-out -----------------------------------------------------------------------

PAGES = ["a", "b", "c", "d", "e"]


class Peak:
    def __init__(self) -> None:
        self.downloads = self.now = self.tasks = 0

    async def download(self, page: str) -> int:
        self.now += 1
        self.downloads = max(self.downloads, self.now)
        self.tasks = max(self.tasks, len(asyncio.all_tasks()) - 1)  # but main()
        await asyncio.sleep(0.01)
        self.now -= 1
        return len(page * 3)


async def bounded_fan_out() -> None:
    print("2. Bounded fan-out, 2 downloads at a time")
    peak = Peak()
    semaphore = asyncio.Semaphore(2)

    async def bounded(page: str) -> int:
        async with semaphore:
            return await peak.download(page)

    async with asyncio_compat.TaskGroup() as tg:
        tasks = [tg.create_task(bounded(page)) for page in PAGES]
    sizes = [task.result() for task in tasks]
    print(
        f"  Semaphore + TaskGroup, by hand: {sizes}; at once: {peak.downloads}; tasks: {peak.tasks}"
    )

    peak = Peak()
    sizes = await structured.amap(peak.download, PAGES, limit=2)
    print(f"  structured.amap(limit=2): {sizes}; at once: {peak.downloads}; tasks: {peak.tasks}")


# 3. The first answer wins -----------------------------------------------------------------

LATENCY = {"mirror-a": 0.01, "mirror-b": 0.08, "mirror-c": 1.0}


async def fetch(mirror: str) -> str:
    await sleep_or_note(LATENCY[mirror], mirror)
    if mirror == "mirror-a":
        raise ConnectionError(f"{mirror} refused")
    return f"data from {mirror}"


async def first_answer_wins() -> None:
    print("3. The first answer wins; a mirror that fails does not")
    cancelled.clear()
    answers: List[str] = []
    errors: List[Exception] = []

    async def try_mirror(mirror: str, tg: asyncio_compat.TaskGroup) -> None:
        try:
            answers.append(await fetch(mirror))
        except ConnectionError as exc:
            errors.append(exc)
        else:
            tg.cancel()  # the others are cancelled; the group ends without an error

    async with asyncio_compat.TaskGroup() as tg:
        for mirror in LATENCY:
            tg.create_task(try_mirror(mirror, tg))
    if not answers:
        raise asyncio_compat.ExceptionGroup("every mirror failed", errors)
    print(f"  TaskGroup.cancel(), by hand: {answers[0]!r}; cancelled: {cancelled}")

    cancelled.clear()
    data = await structured.race(*(fetch(mirror) for mirror in LATENCY))
    print(f"  structured.race(): {data!r}; cancelled: {cancelled}")
    print(f"  still running: {still_running()}")


# 4. As they complete ----------------------------------------------------------------------

ENGINES = {"engine-a": (0.01, None), "engine-b": (0.06, "found it"), "engine-c": (1.0, "late")}


async def search(engine: str) -> Optional[str]:
    delay, hit = ENGINES[engine]
    await sleep_or_note(delay, engine)
    return hit


async def as_they_complete() -> None:
    print("4. As they complete, until the first hit")
    cancelled.clear()
    async with asyncio_compat.TaskGroup() as tg:
        tasks = [tg.create_task(search(engine)) for engine in ENGINES]
        for next_done in asyncio.as_completed(tasks):
            hit = await next_done
            if hit:
                tg.cancel()  # else the group would wait for the slowest engine
                break
    print(f"  asyncio.as_completed() in a TaskGroup, by hand: {hit!r}; cancelled: {cancelled}")

    cancelled.clear()
    async with structured.as_completed(*(search(engine) for engine in ENGINES)) as done:
        async for task in done:
            hit = task.result()
            if hit:
                break  # leaving the block cancels and awaits the rest
    print(f"  structured.as_completed(): {hit!r}; cancelled: {cancelled}")
    print(f"  still running: {still_running()}")


async def main() -> None:
    await results_in_order()
    print()
    await bounded_fan_out()
    print()
    await first_answer_wins()
    print()
    await as_they_complete()


if __name__ == "__main__":
    asyncio_compat.run(main())
