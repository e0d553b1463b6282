"""What the rewritten upstream tests use at run time (``_upstream_compat`` in them).

It fills in what newer tests expect from a newer asyncio/unittest/test package, on the
interpreter at hand. All of it is written for this project; none of it comes from CPython.
"""

from __future__ import annotations

import asyncio
import builtins
import inspect
import sys
import types
import unittest
from typing import Any, Callable, Optional

if sys.version_info >= (3, 11):
    BaseExceptionGroup = builtins.BaseExceptionGroup
    ExceptionGroup = builtins.ExceptionGroup
else:
    from exceptiongroup import BaseExceptionGroup, ExceptionGroup

__all__ = [
    "BaseExceptionGroup",
    "EventLoop",
    "ExceptStar",
    "ExceptionGroup",
    "IsolatedAsyncioTestCase",
    "await_without_task",
    "configure",
    "load_impl",
    "set_event_loop_policy",
    "test_utils",
]


# --- the event loop under test -------------------------------------------------------

if sys.version_info >= (3, 13):
    _default_loop: Callable[[], asyncio.AbstractEventLoop] = asyncio.EventLoop
elif sys.platform == "win32":
    _default_loop = asyncio.ProactorEventLoop
else:
    _default_loop = asyncio.SelectorEventLoop

#: what ``asyncio.EventLoop`` means in the tests: set by ``configure()``
EventLoop: Callable[[], asyncio.AbstractEventLoop] = _default_loop
_loop_name = "asyncio"


def configure(loop: str) -> str:
    """Choose the event loop (``asyncio`` or ``uvloop``); returns a description."""
    global EventLoop, _loop_name
    _loop_name = loop
    if loop == "uvloop":
        try:
            import uvloop  # type: ignore[import-not-found]
        except ImportError as err:
            raise Unavailable(f"--loop uvloop: uvloop is not installed here ({err})") from None

        EventLoop = uvloop.Loop
        IsolatedAsyncioTestCase.loop_factory = staticmethod(uvloop.Loop)  # type: ignore[assignment]
        return f"uvloop {uvloop.__version__} ({uvloop.Loop.__module__}.Loop)"
    EventLoop = _default_loop
    return f"asyncio ({_default_loop.__module__}.{_default_loop.__name__})"


def _eager_task_factory_for_uvloop(factory: Any) -> Any:
    """uvloop 0.23 passes ``eager_start=`` to the task factory on 3.13+, which 3.13.0's
    ``asyncio.eager_task_factory`` does not accept: there, a factory that takes (and
    drops: it is eager anyway) that keyword; the stdlib's own everywhere else."""
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return factory
    if any(p.name == "eager_start" or p.kind == p.VAR_KEYWORD for p in params):
        return factory

    def eager_task_factory(loop: Any, coro: Any, *, eager_start: Any = None, **kwargs: Any) -> Any:
        return factory(loop, coro, **kwargs)

    return eager_task_factory


if hasattr(asyncio, "eager_task_factory"):  # 3.12+; absent before, as in asyncio
    eager_task_factory = _eager_task_factory_for_uvloop(asyncio.eager_task_factory)


def set_event_loop_policy(policy: Any) -> None:
    """``asyncio.events._set_event_loop_policy`` (3.14+, no deprecation warning) or the
    public function before."""
    setter = getattr(asyncio.events, "_set_event_loop_policy", None)
    if setter is None:
        setter = asyncio.set_event_loop_policy
    setter(policy)


if sys.version_info < (3, 13):  # where unittest ignores loop_factory (policies: 3.16 drops them)

    class _FactoryPolicy(asyncio.DefaultEventLoopPolicy):  # type: ignore[misc,valid-type]
        def __init__(self, factory: Callable[[], asyncio.AbstractEventLoop]) -> None:
            super().__init__()
            self._upstream_factory = factory

        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return self._upstream_factory()


class IsolatedAsyncioTestCase(unittest.IsolatedAsyncioTestCase):
    """``unittest.IsolatedAsyncioTestCase`` that

    * honours a ``loop_factory`` class attribute before 3.13 too (by a policy whose
      ``new_event_loop()`` calls it, for the duration of the test), so the eager-task
      variants really run on an eager loop on 3.12 and ``--loop uvloop`` reaches every test;
    * reports an error raised while making or closing the test's event loop (outside the
      test proper, where unittest lets it out) as the test's error, so the run goes on.
    """

    if sys.version_info < (3, 13):
        loop_factory: Optional[Callable[[], asyncio.AbstractEventLoop]] = None

    def run(self, result: Any = None) -> Any:
        method = getattr(self, self._testMethodName)
        if getattr(type(self), "__unittest_skip__", False) or getattr(
            method, "__unittest_skip__", False
        ):
            # skipped: unittest.TestCase reports it without making a loop, whose factory
            # may not even work here (eager tasks before 3.12)
            return unittest.TestCase.run(self, result)
        try:
            if sys.version_info >= (3, 13) or self.loop_factory is None:
                return super().run(result)
            saved = asyncio.get_event_loop_policy()
            asyncio.set_event_loop_policy(_FactoryPolicy(self.loop_factory))
            try:
                return super().run(result)
            finally:
                asyncio.set_event_loop_policy(saved)
        except Exception:
            crashed = getattr(result, "upstream_crashed", None)
            if crashed is None:
                raise
            crashed(self, sys.exc_info())
            return result


# --- test.test_asyncio.utils ----------------------------------------------------------


async def await_without_task(awaitable: Any) -> Any:
    """Run *awaitable* from a plain event-loop callback, where ``current_task()`` is
    None, and return its result or raise what it raised. It must finish without
    suspending (the tests use it for "no current task" errors, raised at once)."""
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    raised = []

    def drive() -> None:
        steps = awaitable.__await__()
        try:
            while True:
                if steps.send(None) is not None:  # a future: nothing could resume us on it
                    steps.close()
                    raise RuntimeError("await_without_task(): the awaitable suspended")
        except StopIteration as stop:
            finished.set_result(stop.value)
        except BaseException as exc:  # handed over to the awaiting test
            raised.append(exc)
            finished.set_result(None)

    loop.call_soon(drive)
    value = await finished
    if raised:
        raise raised.pop()
    return value


_OWN_TEST_UTILS = {"await_without_task": await_without_task}


def test_utils(name: str) -> Any:
    """``from test.test_asyncio.utils import <name>``: this module's own version where
    it has one, else the interpreter's own test package's."""
    if name in _OWN_TEST_UTILS:
        return _OWN_TEST_UTILS[name]
    from test.test_asyncio import utils  # type: ignore[import-not-found]

    return getattr(utils, name)


# --- except* lowered by lowering.py ---------------------------------------------------


class ExceptStar:
    """The state of one lowered ``try: ... except* ...:`` statement."""

    def __init__(self) -> None:
        self.group: Optional[BaseException] = None
        self._rest: Optional[BaseException] = None

    def caught(self, exc: BaseException) -> None:
        self._rest = exc

    def match(self, types: Any) -> bool:
        """Split off the part of what is left that *types* match, as ``group``."""
        rest, match = self._rest, None
        if isinstance(rest, BaseExceptionGroup):
            match, rest = rest.split(types)
        elif rest is not None and isinstance(rest, types):
            match, rest = BaseExceptionGroup("", [rest]), None
        self._rest, self.group = rest, match
        return match is not None

    def reraise(self) -> None:
        rest, self._rest, self.group = self._rest, None, None
        if rest is not None:
            raise rest


def syntax_skip(reason: str) -> None:
    raise unittest.SkipTest(reason)


# --- the implementations under test -----------------------------------------------------


def _namespace(name: str, description: str, **attrs: Any) -> types.SimpleNamespace:
    ns = types.SimpleNamespace(name=name, description=description, **attrs)
    ns.taskgroups = types.SimpleNamespace(TaskGroup=attrs["TaskGroup"])
    ns.timeouts = types.SimpleNamespace(
        Timeout=attrs["Timeout"], timeout=attrs["timeout"], timeout_at=attrs["timeout_at"]
    )
    return ns


class Unavailable(Exception):
    """The implementation or loop asked for cannot run on this interpreter."""


def load_impl(name: str) -> types.SimpleNamespace:
    """The implementation under test, as the ``_upstream_impl`` namespace."""
    if name == "stdlib":
        if not hasattr(asyncio, "TaskGroup"):
            raise Unavailable("--impl stdlib needs Python 3.11+ (asyncio.TaskGroup)")
        return _namespace(
            "stdlib",
            f"the standard library's asyncio ({asyncio.__file__})",
            TaskGroup=asyncio.TaskGroup,
            Timeout=asyncio.Timeout,
            timeout=asyncio.timeout,
            timeout_at=asyncio.timeout_at,
            cancelling=lambda task: task.cancelling(),
            uncancel=lambda task: task.uncancel(),
        )
    if name == "taskgroup":
        try:
            import taskgroup  # type: ignore[import-not-found]
        except ImportError as err:
            raise Unavailable(
                f"--impl taskgroup: the taskgroup package is missing ({err})"
            ) from None

        def cancelling(task: Any) -> int:
            method = getattr(task, "cancelling", None)
            return method() if method is not None else 0

        def uncancel(task: Any) -> int:
            method = getattr(task, "uncancel", None)
            return method() if method is not None else 0

        return _namespace(
            "taskgroup",
            f"the taskgroup package {taskgroup.__version__} ({taskgroup.__file__})",
            TaskGroup=taskgroup.TaskGroup,
            Timeout=taskgroup.Timeout,
            timeout=taskgroup.timeout,
            timeout_at=taskgroup.timeout_at,
            cancelling=cancelling,
            uncancel=uncancel,
        )
    if name == "backport":
        import asyncio_compat
        from asyncio_compat import backport

        if backport.TaskGroup is getattr(asyncio, "TaskGroup", None):
            raise Unavailable("asyncio_compat.backport.TaskGroup is the stdlib's: nothing to test")
        version = getattr(asyncio_compat, "__version__", "?")
        return _namespace(
            "backport",
            f"asyncio_compat.backport {version} ({asyncio_compat.__file__})",
            TaskGroup=backport.TaskGroup,
            Timeout=backport.Timeout,
            timeout=backport.timeout,
            timeout_at=backport.timeout_at,
            cancelling=backport.cancelling,
            uncancel=backport.uncancel,
        )
    raise ValueError(f"unknown implementation {name!r}")
