"""Running a coroutine inside a given ``contextvars.Context`` before 3.11.

3.11 gave ``create_task()`` a ``context`` argument (gh-91150). Before, a task always
runs in a copy of the context current at its creation, so a change it makes is never
seen in the caller's context object. Wrapping the coroutine so that each of its steps
runs under ``context.run()`` gives the 3.11 behaviour: the task runs *in* that context.
"""

from __future__ import annotations

import collections.abc
import contextvars
from typing import Any, Coroutine, Generator, TypeVar

__all__ = ["run_in_context"]

_T = TypeVar("_T")


class _InContext(collections.abc.Coroutine):  # type: ignore[type-arg]
    __slots__ = ("_context", "_coro")

    def __init__(self, coro: Coroutine[Any, Any, Any], context: contextvars.Context) -> None:
        self._coro = coro
        self._context = context

    def send(self, value: Any) -> Any:
        return self._context.run(self._coro.send, value)

    def throw(self, *args: Any) -> Any:
        return self._context.run(self._coro.throw, *args)

    def close(self) -> None:
        self._context.run(self._coro.close)

    def __await__(self) -> Generator[Any, None, Any]:
        return self  # type: ignore[return-value]

    def __next__(self) -> Any:
        return self.send(None)

    def __iter__(self) -> Any:
        return self

    # What a task's repr and debug mode read of its coroutine.
    @property
    def cr_code(self) -> Any:
        return getattr(self._coro, "cr_code", None)

    @property
    def cr_frame(self) -> Any:
        return getattr(self._coro, "cr_frame", None)

    @property
    def cr_running(self) -> bool:
        return bool(getattr(self._coro, "cr_running", False))

    @property
    def cr_await(self) -> Any:
        return getattr(self._coro, "cr_await", None)

    @property
    def __name__(self) -> str:  # type: ignore[override]
        # asyncio names the coroutine in a task's repr by this (no __qualname__ here).
        inner = self._coro
        return str(getattr(inner, "__qualname__", None) or getattr(inner, "__name__", "coroutine"))


def run_in_context(
    coro: Coroutine[Any, Any, _T], context: contextvars.Context
) -> Coroutine[Any, Any, _T]:
    """Return a coroutine that runs *coro*, every step of it inside *context*."""
    return _InContext(coro, context)
