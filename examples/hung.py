"""A service that hangs, and the tree of its tasks that shows where.

Two workers each wait for the other's reply before they send their own: nothing fails,
nothing times out, the service just stops making progress. ``asyncio_compat.tasktree``
shows every task of the loop as a tree: each task with the lines it waits on (its stack,
outermost first), then the tasks it awaits (here the service, through its TaskGroup,
awaits both workers). In a real service,
``tasktree.dump_on_signal()`` prints this tree to stderr whenever the process gets
``SIGUSR1`` (``kill -USR1 <pid>``); here a watchdog prints it once the service has been
stuck for a moment, and then stops the service.

Run: ``python examples/hung.py``
"""

import asyncio
from typing import Dict

import asyncio_compat
from asyncio_compat import tasktree


async def wait_for_reply(replies: Dict[str, "asyncio.Future[str]"], peer: str) -> str:
    return await replies[peer]


async def worker(replies: Dict[str, "asyncio.Future[str]"], me: str, peer: str) -> None:
    answer = await wait_for_reply(replies, peer)  # the peer does the same: a deadlock
    replies[me].set_result(f"{me} got {answer}")


async def service() -> None:
    loop = asyncio.get_running_loop()
    replies = {name: loop.create_future() for name in ("alice", "bob")}
    stop = loop.create_future()

    def watchdog() -> None:
        # The tree, from a callback of the loop: every task is suspended where it waits.
        print(tasktree.format_task_tree())
        stop.set_result(None)

    loop.call_later(0.1, watchdog)
    async with asyncio_compat.TaskGroup() as tg:
        workers = [
            tg.create_task(worker(replies, "alice", "bob"), name="alice"),
            tg.create_task(worker(replies, "bob", "alice"), name="bob"),
        ]
        await stop  # the service runs until it is told to stop
        tg.cancel()
    print("stopped:", ", ".join(f"{w.get_name()} cancelled: {w.cancelled()}" for w in workers))


async def main() -> None:
    task = asyncio.current_task()
    assert task is not None
    task.set_name("service")
    await service()


asyncio.run(main())
