# pyright: strict, reportUnnecessaryTypeIgnoreComment=true
"""Static types of ``asyncio_compat.structured``, checked by mypy (as 3.8 and as 3.13) and
pyright in the ``type`` tox environment. Nothing here is run: pytest does not collect
``check_*.py``.

``assert_type`` pins a type exactly. A line with ``# type: ignore[...]`` must be an error:
unused ignores are errors in this file.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Awaitable, Coroutine, List, Optional, Tuple, Union

from typing_extensions import assert_type

from asyncio_compat import structured
from asyncio_compat.structured import AsCompleted, amap, as_completed, gather, race


async def i() -> int:
    return 1


async def s() -> str:
    return "s"


async def b() -> bytes:
    return b""


async def f() -> float:
    return 1.0


async def n() -> None:
    pass


async def t() -> Tuple[int, str]:
    return 1, "s"


async def li() -> List[int]:
    return [1]


async def bo() -> bool:
    return True


async def c() -> complex:
    return 1j


async def o() -> object:
    return object()


async def check_gather() -> None:
    assert_type(await gather(i()), Tuple[int])
    assert_type(await gather(i(), s()), Tuple[int, str])
    assert_type(await gather(i(), s(), b()), Tuple[int, str, bytes])
    assert_type(await gather(i(), s(), b(), f()), Tuple[int, str, bytes, float])
    assert_type(await gather(i(), s(), b(), f(), n()), Tuple[int, str, bytes, float, None])
    assert_type(
        await gather(i(), s(), b(), f(), n(), t()),
        Tuple[int, str, bytes, float, None, Tuple[int, str]],
    )
    assert_type(
        await gather(i(), s(), b(), f(), n(), t(), li()),
        Tuple[int, str, bytes, float, None, Tuple[int, str], List[int]],
    )
    assert_type(
        await gather(i(), s(), b(), f(), n(), t(), li(), bo()),
        Tuple[int, str, bytes, float, None, Tuple[int, str], List[int], bool],
    )
    assert_type(
        await gather(i(), s(), b(), f(), n(), t(), li(), bo(), c()),
        Tuple[int, str, bytes, float, None, Tuple[int, str], List[int], bool, complex],
    )
    assert_type(
        await gather(i(), s(), b(), f(), n(), t(), li(), bo(), c(), o()),
        Tuple[int, str, bytes, float, None, Tuple[int, str], List[int], bool, complex, object],
    )
    # Beyond 10 arguments, or from a list: tuple[T, ...].
    assert_type(await gather(*[i() for _ in range(11)]), Tuple[int, ...])
    assert_type(
        await gather(i(), i(), i(), i(), i(), i(), i(), i(), i(), i(), i()), Tuple[int, ...]
    )
    # Any awaitable: a task, a future.
    task: asyncio.Task[str] = asyncio.ensure_future(s())
    future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
    assert_type(await gather(task, future, limit=2), Tuple[str, bytes])
    assert_type(await gather(i(), s(), return_exceptions=False), Tuple[int, str])
    gather(1)  # type: ignore[call-overload]  # not awaitable
    gather(i(), limit="2")  # type: ignore[call-overload]


async def check_gather_return_exceptions() -> None:
    assert_type(await gather(i(), return_exceptions=True), Tuple[Union[int, BaseException]])
    assert_type(
        await gather(i(), s(), return_exceptions=True),
        Tuple[Union[int, BaseException], Union[str, BaseException]],
    )
    assert_type(
        await gather(i(), s(), b(), f(), n(), t(), return_exceptions=True, limit=3),
        Tuple[
            Union[int, BaseException],
            Union[str, BaseException],
            Union[bytes, BaseException],
            Union[float, BaseException],
            Optional[BaseException],
            Union[Tuple[int, str], BaseException],
        ],
    )
    assert_type(
        await gather(*[i() for _ in range(3)], return_exceptions=True),
        Tuple[Union[int, BaseException], ...],
    )


async def double(x: int) -> int:
    return 2 * x


async def name_of(x: int) -> str:
    return str(x)


async def numbers() -> AsyncIterator[int]:
    yield 1


async def check_amap() -> None:
    assert_type(await amap(double, range(3)), List[int])
    assert_type(await amap(name_of, [1, 2], limit=10), List[str])
    assert_type(await amap(name_of, numbers(), limit=None), List[str])
    assert_type(await structured.amap(double, (x for x in range(3))), List[int])

    def later(x: int) -> Awaitable[float]:
        return asyncio.sleep(0, result=float(x))

    assert_type(await amap(later, range(3)), List[float])
    await amap(double, ["a"])  # type: ignore[arg-type]  # str items for an int function
    await amap(double, range(3), 2)  # type: ignore[misc]  # limit is keyword-only


async def check_race() -> None:
    assert_type(await race(i()), int)
    assert_type(await race(i(), i()), int)
    assert_type(await race(i(), s()), Union[int, str])
    assert_type(await race(i(), s(), b()), Union[int, str, bytes])
    assert_type(await race(*[s() for _ in range(8)]), str)
    race(1)  # type: ignore[call-overload]  # not awaitable


async def check_as_completed() -> None:
    cm = as_completed(i(), i(), limit=1)
    assert_type(cm, AsCompleted[int])
    async with cm as done:
        assert_type(done, AsCompleted[int])
        async for task in done:
            assert_type(task, "asyncio.Task[int]")
            assert_type(task.result(), int)
    async with as_completed(*[s() for _ in range(3)]) as more:
        async for task_s in more:
            assert_type(task_s, "asyncio.Task[str]")
    as_completed(1)  # type: ignore[arg-type]  # not awaitable


async def check_coroutine_arguments() -> None:
    coro: Coroutine[Any, Any, int] = i()
    assert_type(await gather(coro), Tuple[int])
    waiting: Awaitable[Tuple[int, str]] = gather(i(), s())
    assert_type(await waiting, Tuple[int, str])
