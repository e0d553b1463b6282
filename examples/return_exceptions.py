"""Errors as values: ``gather(return_exceptions=True)`` against ``TaskGroup``.

``return_exceptions=True`` lets every task run to its end, but hands back a list in
which errors sit among the results: each caller has to sort them out, and one that
forgets uses an exception as if it were a result. With a ``TaskGroup`` the results are
results: an error that a task expects is handled in that task, and one that it does not
expect stops the group and comes out in an ``ExceptionGroup``, handled by its type with
``catch()``.

Run: ``python examples/return_exceptions.py``
"""

import asyncio
from typing import Dict, List, Optional

import asyncio_compat

USERS: Dict[int, str] = {1: "ada", 3: "grace", 5: "linus"}
LATENCY: Dict[int, float] = {1: 0.01, 2: 0.02, 3: 0.03, 4: 0.04, 5: 1.0}


async def lookup(user_id: int) -> str:
    await asyncio.sleep(LATENCY[user_id])
    if user_id == 4:
        raise ConnectionError("database down")
    try:
        return USERS[user_id]
    except KeyError:
        raise LookupError(f"no user {user_id}") from None


async def with_gather() -> None:
    print("asyncio.gather(return_exceptions=True):")
    results = await asyncio.gather(*(lookup(i) for i in (1, 2, 3, 4)), return_exceptions=True)
    print(f"  results: {results}")
    try:
        names = [name.title() for name in results]  # type: ignore[union-attr]
        print(f"  names: {names}")
    except AttributeError as exc:
        print(f"  names: {type(exc).__name__}, an exception was used as a name")
    errors = [r for r in results if isinstance(r, BaseException)]
    print(f"  the caller must pick the errors out itself: {errors}")


async def lookup_or_none(user_id: int) -> Optional[str]:
    # The error this task expects, it handles; anything else propagates.
    try:
        return await lookup(user_id)
    except LookupError:
        return None


async def with_taskgroup(user_ids: List[int]) -> None:
    print(f"asyncio_compat.TaskGroup(), users {user_ids}:")

    def database_down(group: asyncio_compat.BaseExceptionGroup) -> None:
        errors = ", ".join(repr(exc) for exc in group.exceptions)
        print(f"  caller: catch() handled {type(group).__name__} [{errors}]")

    tasks = []
    with asyncio_compat.catch({ConnectionError: database_down}):
        async with asyncio_compat.TaskGroup() as tg:
            tasks = [tg.create_task(lookup_or_none(i)) for i in user_ids]
        print(f"  results: {[task.result() for task in tasks]}")
    cancelled = [user_ids[i] for i, task in enumerate(tasks) if task.cancelled()]
    if cancelled:
        print(f"  lookups cancelled when the database went down: {cancelled}")


async def main() -> None:
    await with_gather()
    print()
    await with_taskgroup([1, 2, 3])
    print()
    await with_taskgroup([1, 2, 4, 5])


if __name__ == "__main__":
    asyncio_compat.run(main())
