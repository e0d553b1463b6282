"""The first error: ``asyncio.gather()`` against ``TaskGroup``.

``gather()`` raises the first error at once and leaves the other tasks running, with
nobody waiting for them: what they do next happens behind the caller's back. A
``TaskGroup`` cancels the other tasks, waits until they have finished, and only then
raises the errors, all of them, in an ``ExceptionGroup`` (handled here with ``catch()``).

Run: ``python examples/first_error.py``
"""

import asyncio
from typing import List

import asyncio_compat


async def charge_card() -> None:
    await asyncio.sleep(0.01)
    print("  charge_card: card declined")
    raise ValueError("card declined")


async def reserve_seat() -> None:
    try:
        await asyncio.sleep(0.1)
    except asyncio.CancelledError:
        print("  reserve_seat: cancelled, no seat reserved")
        raise
    print("  reserve_seat: seat reserved -- after the caller gave up on the booking")


def still_running() -> List[str]:
    me = asyncio.current_task()
    return sorted(task.get_name() for task in asyncio.all_tasks() if task is not me)


async def let_the_others_finish() -> None:
    # The program goes on; here, just long enough to see what the leftover tasks do.
    me = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not me]
    if others:
        await asyncio.wait(others)


async def book_with_gather() -> None:
    print("asyncio.gather():")
    seat = asyncio.create_task(reserve_seat(), name="reserve_seat")
    card = asyncio.create_task(charge_card(), name="charge_card")
    try:
        await asyncio.gather(seat, card)
    except ValueError as exc:
        print(f"  caller: gather raised {exc!r}; booking failed")
    print(f"  caller: still running: {still_running()}")
    await let_the_others_finish()


async def book_with_taskgroup() -> None:
    print("asyncio_compat.TaskGroup():")

    def declined(group: asyncio_compat.BaseExceptionGroup) -> None:
        errors = ", ".join(repr(exc) for exc in group.exceptions)
        print(f"  caller: the group raised {type(group).__name__} [{errors}]; booking failed")

    with asyncio_compat.catch({ValueError: declined}):
        async with asyncio_compat.TaskGroup() as tg:
            tg.create_task(reserve_seat(), name="reserve_seat")
            tg.create_task(charge_card(), name="charge_card")
    print(f"  caller: still running: {still_running()}")


async def main() -> None:
    await book_with_gather()
    print()
    await book_with_taskgroup()


if __name__ == "__main__":
    asyncio_compat.run(main())
