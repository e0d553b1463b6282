"""Properties of asyncio_compat.structured, on virtual time (hypothesis).

Each example runs on the fuzzer's ``VirtualTimeLoop`` (tests/fuzz/harness.py): its clock
jumps to the next timer whenever nothing is ready, so that delays of whole seconds cost
nothing, and timers due at the same time fire in the order they were set. Children
sleep whole virtual seconds, so many of them finish at the same moment: the orders
they finish in are all the ones the loop can produce.

- results come in input order, whatever order the children finish in;
- with ``limit=k`` the highest number of children running at once is ``min(k, n)``;
- when the call ends -- a failure, the caller's cancellation, or a result -- no child is
  left running, and every child has finished;
- ``race`` returns the value of the first contestant to succeed whenever one succeeds,
  and an ExceptionGroup of every error, in argument order, when none does;
- ``as_completed`` yields the children in the order they finish.
"""

from __future__ import annotations

import asyncio
from typing import Any, Coroutine, List, Optional, Tuple

from fuzz.harness import VirtualTimeLoop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncio_compat import BaseExceptionGroup, ExceptionGroup, structured

# Modest and reproducible: the whole matrix runs these on two shared cores.
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

delays = st.lists(st.integers(min_value=0, max_value=4), max_size=10)
limits = st.one_of(st.none(), st.integers(min_value=1, max_value=12))


class Boom(Exception):
    pass


def run_virtual(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run *coro* on a fresh virtual-time loop; no task may be left pending, and nothing
    may reach the loop's exception handler."""
    loop = VirtualTimeLoop()
    handled: List[Any] = []
    loop.set_exception_handler(lambda _loop, context: handled.append(context))
    try:
        result = loop.run_until_complete(coro)
        assert [] == [t for t in asyncio.all_tasks(loop) if not t.done()]
        assert [] == handled
        return result
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


class Children:
    """Children that sleep their delay and count themselves while they run."""

    def __init__(self, delays: List[int], fail_at: Optional[int] = None) -> None:
        self.delays = delays
        self.fail_at = fail_at
        self.running = 0
        self.highest = 0
        self.tasks: List[asyncio.Task[Any]] = []

    async def child(self, index: int) -> int:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.append(task)
        self.running += 1
        self.highest = max(self.highest, self.running)
        try:
            await asyncio.sleep(self.delays[index])
            if index == self.fail_at:
                raise Boom(index)
        except asyncio.CancelledError:
            await asyncio.sleep(0.5)  # a cleanup the call must wait for
            raise
        finally:
            self.running -= 1
        return index

    def coros(self) -> List[Coroutine[Any, Any, int]]:
        return [self.child(i) for i in range(len(self.delays))]

    def settled(self) -> bool:
        return self.running == 0 and all(t.done() for t in self.tasks)


@PROPERTY
@given(delays=delays, limit=limits, return_exceptions=st.booleans())
def test_gather_results_in_input_order(delays, limit, return_exceptions):
    """gather: results in argument order, for any finishing order, limit and mode."""
    children = Children(delays)

    async def main():
        return await structured.gather(
            *children.coros(), limit=limit, return_exceptions=return_exceptions
        )

    assert tuple(range(len(delays))) == run_virtual(main())


@PROPERTY
@given(delays=delays, limit=limits, asynchronous=st.booleans())
def test_amap_results_in_input_order(delays, limit, asynchronous):
    """amap: results in input order, for any finishing order, limit and kind of input."""
    children = Children(delays)

    async def items():
        for i in range(len(delays)):
            yield i

    async def main():
        source: Any = items() if asynchronous else iter(range(len(delays)))
        return await structured.amap(children.child, source, limit=limit)

    assert list(range(len(delays))) == run_virtual(main())


@PROPERTY
@given(
    delays=delays,
    limit=st.integers(min_value=1, max_value=12),
    helper=st.sampled_from(["gather", "amap", "amap-async", "as_completed"]),
)
def test_limit_is_the_highest_concurrency(delays, limit, helper):
    """With limit=k, the highest number of children running at once is min(k, n)."""
    children = Children(delays)

    async def items():
        for i in range(len(delays)):
            yield i

    async def main():
        if helper == "gather":
            await structured.gather(*children.coros(), limit=limit)
        elif helper == "amap":
            await structured.amap(children.child, range(len(delays)), limit=limit)
        elif helper == "amap-async":
            await structured.amap(children.child, items(), limit=limit)
        else:
            async with structured.as_completed(*children.coros(), limit=limit) as done:
                async for _task in done:
                    pass

    run_virtual(main())
    assert min(limit, len(delays)) == children.highest


HELPERS: List[str] = [
    "gather",
    "gather-limit",
    "gather-return-exceptions",
    "amap",
    "amap-limit",
    "race",
    "as_completed",
    "as_completed-limit",
]


def call(helper: str, children: Children) -> Coroutine[Any, Any, Any]:
    if helper == "gather":
        return structured.gather(*children.coros())
    if helper == "gather-limit":
        return structured.gather(*children.coros(), limit=2)
    if helper == "gather-return-exceptions":
        return structured.gather(*children.coros(), return_exceptions=True)
    if helper == "amap":
        return structured.amap(children.child, range(len(children.delays)))
    if helper == "amap-limit":
        return structured.amap(children.child, range(len(children.delays)), limit=3)
    if helper == "race":
        return structured.race(*children.coros())

    async def iterate() -> List[int]:
        limit = 2 if helper == "as_completed-limit" else None
        async with structured.as_completed(*children.coros(), limit=limit) as done:
            return [task.result() async for task in done]

    return iterate()


@PROPERTY
@given(
    delays=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=8),
    data=st.data(),
    cancel_at=st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
    helper=st.sampled_from(HELPERS),
)
def test_no_child_left_running(delays, data, cancel_at, helper):
    """Whether the call fails, is cancelled or returns, no child is left running when
    its caller gets control back, and every child task has finished."""
    fail_at = data.draw(st.one_of(st.none(), st.integers(0, len(delays) - 1)), label="fail_at")
    children = Children(delays, fail_at)
    seen: List[Tuple[str, bool]] = []

    async def caller():
        try:
            await call(helper, children)
        except (asyncio.CancelledError, BaseExceptionGroup) as exc:
            seen.append((type(exc).__name__, children.settled()))
            raise
        seen.append(("returned", children.settled()))

    async def main():
        task = asyncio.ensure_future(caller())
        if cancel_at is not None:
            asyncio.get_running_loop().call_later(cancel_at, task.cancel)
        await asyncio.wait([task])
        if not task.cancelled():
            task.exception()  # retrieved: the outcome is in `seen`

    run_virtual(main())
    assert 1 == len(seen)
    assert seen[0][1], seen


@PROPERTY
@given(
    contestants=st.lists(
        st.tuples(st.integers(min_value=0, max_value=4), st.booleans()), min_size=1, max_size=8
    )
)
def test_race_returns_the_first_success(contestants):
    """race returns the value of the first contestant to succeed (the earliest; at the
    same moment, the first passed) whenever one succeeds; else an ExceptionGroup of all
    the errors, in argument order."""

    async def contestant(index: int, delay: int, succeeds: bool) -> int:
        await asyncio.sleep(delay)
        if not succeeds:
            raise Boom(index)
        return index

    async def main():
        try:
            return await structured.race(
                *(contestant(i, d, ok) for i, (d, ok) in enumerate(contestants))
            )
        except ExceptionGroup as group:
            return [e.args[0] for e in group.exceptions]

    successes = [(d, i) for i, (d, ok) in enumerate(contestants) if ok]
    expected: Any = min(successes)[1] if successes else list(range(len(contestants)))
    assert expected == run_virtual(main())


@PROPERTY
@given(delays=delays)
def test_as_completed_yields_in_finishing_order(delays):
    """as_completed yields each child once, in the order they finish (by delay; at the
    same moment, in the order they were passed)."""
    children = Children(delays)

    async def main():
        async with structured.as_completed(*children.coros()) as done:
            return [task.result() async for task in done]

    expected = sorted(range(len(delays)), key=lambda i: (delays[i], i))
    assert expected == run_virtual(main())
