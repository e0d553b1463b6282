"""TaskGroup spawn and join, timeout, an expiring timeout, the failure path."""

from __future__ import annotations

import asyncio
from typing import Any, List, Tuple

from asyncio_compat import backport

from . import common
from .common import (
    STDLIB_GROUP,
    TIMEOUT_ERRORS,
    Contender,
    Sample,
    _also,
    _fail,
    _peer,
    _sleep0,
    _sleep_long,
    anyio,
    async_timeout,
    taskgroup,
)

if common.PY >= (3, 11):
    from builtins import BaseExceptionGroup
else:
    from exceptiongroup import BaseExceptionGroup


def _taskgroup_classes() -> List[Tuple[str, str, Any]]:
    """The TaskGroup implementations: (key, label, class)."""
    groups = [("backport", "asyncio_compat.backport.TaskGroup", backport.TaskGroup)]
    groups += _also("TaskGroup")
    if STDLIB_GROUP:
        groups.append(("stdlib", "asyncio.TaskGroup", asyncio.TaskGroup))  # type: ignore[attr-defined]
    groups.append(("taskgroup", "taskgroup.TaskGroup (PyPI 0.2.2)", _peer(taskgroup, "TaskGroup")))
    return groups


def _group_contenders(group: Any, anyio_group: Any) -> List[Contender]:
    """The task-group contenders of a measurement: each TaskGroup class, then anyio's."""
    out = [
        Contender(key, label, group(cls) if cls else None, "not installed")
        for key, label, cls in _taskgroup_classes()
    ]
    out.append(
        Contender("anyio", "anyio task group", anyio_group if anyio else None, "not installed")
    )
    return out


# 1. TaskGroup spawn + join ------------------------------------------------------------------


def spawn_contenders(n: int) -> List[Contender]:
    async def gather() -> float:
        t0 = common.clock()
        await asyncio.gather(*[_sleep0() for _ in range(n)])
        return common.clock() - t0

    def group(cls: Any) -> Sample:
        async def sample() -> float:
            t0 = common.clock()
            async with cls() as tg:
                for _ in range(n):
                    tg.create_task(_sleep0())
            return common.clock() - t0

        return sample

    async def anyio_group() -> float:
        t0 = common.clock()
        async with anyio.create_task_group() as tg:
            for _ in range(n):
                tg.start_soon(_sleep0)
        return common.clock() - t0

    return [Contender("gather", "asyncio.gather", gather), *_group_contenders(group, anyio_group)]


# 2. timeout ---------------------------------------------------------------------------------


def _timeout_factories() -> List[Tuple[str, str, Any]]:
    out: List[Tuple[str, str, Any]] = [
        ("backport", "asyncio_compat.backport.timeout", backport.timeout)
    ]
    out += _also("timeout")
    if STDLIB_GROUP:
        out.append(("stdlib", "asyncio.timeout", asyncio.timeout))  # type: ignore[attr-defined]
    out.append(("async_timeout", "async_timeout.timeout", _peer(async_timeout, "timeout")))
    out.append(("taskgroup", "taskgroup.timeout (PyPI 0.2.2)", _peer(taskgroup, "timeout")))
    # anyio's fail_after is a plain context manager (`with`): the samples below know it.
    out.append(("anyio", "anyio.fail_after", _peer(anyio, "fail_after")))
    return out


def timeout_contenders(n: int) -> List[Contender]:
    async def bare() -> float:
        t0 = common.clock()
        for _ in range(n):
            await asyncio.sleep(0)
        return common.clock() - t0

    def use(factory: Any) -> Sample:
        async def sample() -> float:
            sleep = asyncio.sleep
            t0 = common.clock()
            for _ in range(n):
                async with factory(10):
                    await sleep(0)
            return common.clock() - t0

        async def sample_sync() -> float:
            sleep = asyncio.sleep
            t0 = common.clock()
            for _ in range(n):
                with factory(10):
                    await sleep(0)
            return common.clock() - t0

        return sample_sync if factory is _peer(anyio, "fail_after") else sample

    out = [Contender("bare", "no timeout (sleep(0) alone)", bare)]
    for key, label, factory in _timeout_factories():
        out.append(Contender(key, label, use(factory) if factory else None, "not installed"))
    return out


def expiry_contenders(n: int) -> List[Contender]:
    def expire(factory: Any) -> Sample:
        async def sample() -> float:
            sleep = asyncio.sleep
            t0 = common.clock()
            for _ in range(n):
                try:
                    async with factory(0):
                        await sleep(10)
                except TIMEOUT_ERRORS:
                    pass
                else:
                    raise AssertionError("the timeout did not expire")
            return common.clock() - t0

        async def sample_sync() -> float:
            sleep = asyncio.sleep
            t0 = common.clock()
            for _ in range(n):
                try:
                    with factory(0):
                        await sleep(10)
                except TIMEOUT_ERRORS:
                    pass
                else:
                    raise AssertionError("the timeout did not expire")
            return common.clock() - t0

        return sample_sync if factory is _peer(anyio, "fail_after") else sample

    return [
        Contender(key, label, expire(factory) if factory else None, "not installed")
        for key, label, factory in _timeout_factories()
    ]


# 3. Failure path ----------------------------------------------------------------------------


def _check(group: BaseException) -> None:
    """The group must hold the one ValueError, or the contender does not work here."""
    errors = getattr(group, "exceptions", ())
    if len(errors) != 1 or not isinstance(errors[0], ValueError):
        raise group


def failure_contenders(n: int, groups: int) -> List[Contender]:
    async def by_hand() -> float:
        loop = asyncio.get_running_loop()
        t0 = common.clock()
        for _ in range(groups):
            tasks = [loop.create_task(_sleep_long()) for _ in range(n - 1)]
            tasks.append(loop.create_task(_fail()))
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for t in pending:
                t.cancel()
            await asyncio.wait(pending)
            errors = [t.exception() for t in done if not t.cancelled() and t.exception()]
            assert errors
        return common.clock() - t0

    def group(cls: Any) -> Sample:
        async def sample() -> float:
            t0 = common.clock()
            for _ in range(groups):
                try:
                    async with cls() as tg:
                        for _ in range(n - 1):
                            tg.create_task(_sleep_long())
                        tg.create_task(_fail())
                except BaseExceptionGroup as group:
                    _check(group)
                else:
                    raise AssertionError("no ExceptionGroup")
            return common.clock() - t0

        return sample

    async def anyio_group() -> float:
        t0 = common.clock()
        for _ in range(groups):
            try:
                async with anyio.create_task_group() as tg:
                    for _ in range(n - 1):
                        tg.start_soon(_sleep_long)
                    tg.start_soon(_fail)
            except BaseExceptionGroup as group:
                _check(group)
            else:
                raise AssertionError("no ExceptionGroup")
        return common.clock() - t0

    by_hand_label = "create_task + wait(FIRST_EXCEPTION) + cancel"
    return [Contender("by_hand", by_hand_label, by_hand), *_group_contenders(group, anyio_group)]
