"""What the rewritten upstream tests use at run time (``_upstream_compat`` in them).

It fills in what newer tests expect from a newer asyncio/unittest/test package, on the
interpreter at hand. All of it is written for this project; none of it comes from CPython.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import builtins
import contextlib
import functools
import importlib
import inspect
import io
import sys
import types
import unittest
from typing import Any, Callable, Dict, Generator, List, Optional

if sys.version_info >= (3, 11):
    BaseExceptionGroup = builtins.BaseExceptionGroup
    ExceptionGroup = builtins.ExceptionGroup
else:
    from exceptiongroup import BaseExceptionGroup, ExceptionGroup

__all__ = [
    "AbstractEventLoopPolicy",
    "BaseExceptionGroup",
    "EventLoop",
    "ExceptStar",
    "ExceptionGroup",
    "IsolatedAsyncioTestCase",
    "TestCase",
    "TestLoop",
    "anext",
    "assert_method",
    "asyncio_awaited_by",
    "asyncio_has_private",
    "asyncio_private",
    "await_without_task",
    "colorize_module",
    "configure",
    "exception_group_names",
    "frame_generator",
    "get_event_loop_policy",
    "load_impl",
    "make_task",
    "new_event_loop",
    "set_event_loop_policy",
    "support_name",
    "test_support",
    "test_utils",
    "test_utils_module",
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


def new_event_loop() -> asyncio.AbstractEventLoop:
    """``asyncio.new_event_loop()`` in the tests: a loop of the kind under test (uvloop's
    with ``--loop uvloop``), whatever the event loop policy."""
    return EventLoop()


def set_event_loop_policy(policy: Any) -> None:
    """``asyncio.events._set_event_loop_policy`` (3.14+, no deprecation warning) or the
    public function before."""
    setter = getattr(asyncio.events, "_set_event_loop_policy", None)
    if setter is None:
        setter = asyncio.set_event_loop_policy
    setter(policy)


def get_event_loop_policy() -> Any:
    """``asyncio.events._get_event_loop_policy`` (3.14+, no deprecation warning) or the
    public function before."""
    getter = getattr(asyncio.events, "_get_event_loop_policy", None)
    if getter is None:
        getter = asyncio.get_event_loop_policy
    return getter()


#: ``asyncio.events._AbstractEventLoopPolicy`` (3.14+; the public name warns), the public
#: class before
AbstractEventLoopPolicy: Any
if hasattr(asyncio.events, "_AbstractEventLoopPolicy"):
    AbstractEventLoopPolicy = asyncio.events._AbstractEventLoopPolicy
else:
    AbstractEventLoopPolicy = asyncio.AbstractEventLoopPolicy


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
      test proper, where unittest lets it out) as the test's error, so the run goes on;
    * before 3.11, runs the test method in a task of its own, as 3.11's unittest does
      (``asyncio.Runner``), in a class whose ``_upstream_test_in_own_task`` is true (the
      worker sets it for the files that look at the test's own task, ``test_graph.py``):
      3.8-3.10's unittest awaits the test coroutine inside the long-running task that also
      runs ``asyncSetUp``, so the task's stack and awaits would not end at the test.
    """

    if sys.version_info < (3, 13):
        loop_factory: Optional[Callable[[], asyncio.AbstractEventLoop]] = None

    _upstream_test_in_own_task = False

    if sys.version_info < (3, 11):

        def _callTestMethod(self, method: Any) -> None:
            if not self._upstream_test_in_own_task:
                super()._callTestMethod(method)  # type: ignore[misc]
                return
            coro = method()
            if inspect.isawaitable(coro):
                # As asyncio.Runner.run(): a task that nothing awaits, run to its end.
                loop = self._asyncioTestLoop  # type: ignore[attr-defined]
                loop.run_until_complete(loop.create_task(coro))

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


class _NoSelector:
    """The selector of ``TestLoop``: no file descriptors, never blocks."""

    def select(self, timeout: Optional[float] = None) -> List[Any]:
        return []

    def close(self) -> None:
        pass


def _no_time_steps() -> Generator[float, float, None]:
    yield 0.0


class TestLoop(asyncio.base_events.BaseEventLoop):
    """An event loop on a virtual clock, for the upstream tests that pass it a *gen*.

    The clock starts at 0 and moves only when told: ``advance_time(seconds)``, or the
    test's generator (made by calling *gen*, and started). After each iteration of the
    loop, each deadline given to ``call_at()`` during that iteration is sent into the
    generator, in order; what it yields back is how far to move the clock. So a test
    states, step by step, which timers it expects and when they fire. A loop made with
    a *gen* checks on ``close()`` that the generator has no step left (``send(0)`` ends
    it). Without a *gen*, scheduling a timer is an error. The loop does no I/O.
    """

    def __init__(self, gen: Optional[Callable[[], Generator[Any, Any, Any]]] = None) -> None:
        super().__init__()
        self._upstream_check_on_close = gen is not None
        self._upstream_steps = (gen or _no_time_steps)()
        next(self._upstream_steps)
        self._upstream_now = 0.0
        self._upstream_deadlines: List[float] = []
        self._clock_resolution = 1e-9
        self._selector = _NoSelector()

    def time(self) -> float:
        return self._upstream_now

    def advance_time(self, seconds: Optional[float]) -> None:
        if seconds:
            self._upstream_now += seconds

    def call_at(  # type: ignore[override]
        self, when: float, callback: Any, *args: Any, context: Any = None
    ) -> Any:
        self._upstream_deadlines.append(when)
        return super().call_at(when, callback, *args, context=context)

    def _run_once(self) -> None:
        super()._run_once()  # type: ignore[misc]
        deadlines, self._upstream_deadlines = self._upstream_deadlines, []
        for when in deadlines:
            try:
                step = self._upstream_steps.send(when)
            except StopIteration:
                if not self._upstream_check_on_close:
                    raise AssertionError(
                        f"TestLoop: a timer at {when} on a loop made without a time generator"
                    ) from None
                raise AssertionError(f"TestLoop: the time generator ended before {when}") from None
            self.advance_time(step)

    def _process_events(self, event_list: Any) -> None:
        pass

    def _write_to_self(self) -> None:
        pass

    def close(self) -> None:
        super().close()
        if not self._upstream_check_on_close:
            return
        self._upstream_check_on_close = False
        try:
            self._upstream_steps.send(0)
        except StopIteration:
            return
        raise AssertionError("TestLoop: the time generator has steps left at close()")


class TestCase(unittest.TestCase):
    """The base of the upstream tests that drive loops by hand (``test_tasks.py``):
    ``new_test_loop(gen)`` makes a ``TestLoop`` closed after the test; no loop is set
    as the current one, so that the tests pass theirs explicitly."""

    @staticmethod
    def close_loop(loop: asyncio.AbstractEventLoop) -> None:
        executor = getattr(loop, "_default_executor", None)
        if executor is not None:
            shutdown = getattr(loop, "shutdown_default_executor", None)  # 3.9+
            if shutdown is not None and not loop.is_closed():
                loop.run_until_complete(shutdown())
            else:
                executor.shutdown(wait=True)
        loop.close()

    def set_event_loop(self, loop: asyncio.AbstractEventLoop, *, cleanup: bool = True) -> None:
        if loop is None:
            raise AssertionError("loop is None")
        asyncio.events.set_event_loop(None)
        if cleanup:
            self.addCleanup(self.close_loop, loop)

    def new_test_loop(
        self, gen: Optional[Callable[[], Generator[Any, Any, Any]]] = None
    ) -> TestLoop:
        loop = TestLoop(gen)
        self.set_event_loop(loop)
        return loop

    def tearDown(self) -> None:
        asyncio.events.set_event_loop(None)
        # a test that leaves an exception being handled has leaked it from a generator
        if sys.exc_info()[1] is not None:
            self.fail(f"an exception is still being handled: {sys.exc_info()[1]!r}")


class MockPattern(str):
    """``test_utils.MockPattern``: equal to any string that the regular expression
    matches (``re.search``, DOTALL), for ``mock.assert_called_with``. PyPy has no
    ``test`` package."""

    def __eq__(self, other: object) -> bool:
        import re

        return bool(re.search(str(self), str(other), re.S))

    __hash__ = str.__hash__


class MockInstanceOf:
    """``test_utils.MockInstanceOf``: equal to any instance of the class."""

    def __init__(self, cls: type) -> None:
        self._cls = cls

    def __eq__(self, other: object) -> bool:
        return isinstance(other, self._cls)

    def __repr__(self) -> str:
        return f"<any {self._cls.__name__}>"


_OWN_TEST_UTILS: Dict[str, Any] = {
    "MockInstanceOf": MockInstanceOf,
    "MockPattern": MockPattern,
    "await_without_task": await_without_task,
    "TestCase": TestCase,
    "TestLoop": TestLoop,
}


def test_utils(name: str) -> Any:
    """``from test.test_asyncio.utils import <name>``: this module's own version where
    it has one, else the interpreter's own test package's."""
    if name in _OWN_TEST_UTILS:
        return _OWN_TEST_UTILS[name]
    try:
        from test.test_asyncio import utils  # type: ignore[import-not-found]
    except ImportError as err:
        raise ImportError(
            f"test.test_asyncio.utils.{name}: not in tools/upstream/compat.py, and this "
            f"interpreter has no test.test_asyncio ({err})"
        ) from None
    return getattr(utils, name)


class _ModuleProxy(types.ModuleType):
    """A module of the ``test`` package as the tests see it: *own* names first, then
    the interpreter's module (PyPy has no ``test`` package; 3.8's is older)."""

    def __init__(self, name: str, own: Dict[str, Any], lookup: Callable[[str], Any]) -> None:
        super().__init__(name)
        self.__dict__.update(own)
        self._upstream_lookup = lookup

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = self._upstream_lookup(name)
        setattr(self, name, value)
        return value


def _real_support(name: str) -> Any:
    try:
        from test import support  # type: ignore[import-not-found]
    except ImportError as err:
        if name in _SUPPORT_FALLBACKS:
            return _SUPPORT_FALLBACKS[name]
        raise AttributeError(f"test.support.{name}: no test package here ({err})") from None
    if not hasattr(support, name) and name in _SUPPORT_FALLBACKS:
        return _SUPPORT_FALLBACKS[name]  # newer than this interpreter's test package
    return getattr(support, name)


# --- test.support's newer helpers, for the exception-group files -------------------------
# Written for this project, used only where the interpreter's test package lacks the name
# (PyPy has no test package; 3.8's is older than the 3.15 tests).


def _no_platform_skip() -> Callable[[Any], Any]:
    """``skip_emscripten_stack_overflow()``/``skip_wasi_stack_overflow()``: those platforms
    are not among this project's."""
    return lambda test: test


def _run_with_limited_c_stack(depth: int = 0, size: int = 0) -> Callable[[Any], Any]:
    """3.15's decorator that runs a deep-recursion test on a small C stack: the test as
    it is (the exception groups under test before 3.11 recurse in Python, where the
    recursion limit stops them)."""
    return lambda test: test


def _exceeds_recursion_limit() -> int:
    """A nesting depth well past the recursion limit."""
    return sys.getrecursionlimit() * 5


def _cpython_only(test: Any) -> Any:
    return unittest.skipUnless(sys.implementation.name == "cpython", "CPython only")(test)


def _nomemtest(test: Any) -> Any:
    """A test of a memory-allocation failure made by ``_testcapi``: CPython only."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            importlib.import_module("_testcapi")
        except ImportError:
            raise unittest.SkipTest("needs _testcapi") from None
        return test(*args, **kwargs)

    return _cpython_only(run)


def _requires_docstrings(test: Any) -> Any:
    return unittest.skipIf(sys.flags.optimize >= 2, "docstrings are stripped (-OO)")(test)


@contextlib.contextmanager
def _captured_output(stream_name: str) -> Any:
    """``sys.<stream_name>`` replaced by a StringIO for the duration."""
    saved = getattr(sys, stream_name)
    setattr(sys, stream_name, io.StringIO())
    try:
        yield getattr(sys, stream_name)
    finally:
        setattr(sys, stream_name, saved)


@contextlib.contextmanager
def _infinite_recursion(max_depth: int = 0) -> Any:
    """A recursion limit of *max_depth* frames above the current depth, for the duration."""
    saved = sys.getrecursionlimit()
    depth = len(inspect.stack(0))
    sys.setrecursionlimit(depth + (max_depth or 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(saved)


def _has_no_debug_ranges() -> bool:
    """Whether code objects lack column positions (3.11's ``co_positions``)."""
    return not hasattr(types.CodeType, "co_positions")


class _ExceptionIsLikeMixin:
    """``assertExceptionIsLike(exc, template)``: *exc* has *template*'s shape, compared on
    types and first argument (on message and members for a group)."""

    def assertExceptionIsLike(self, exc: Any, template: Any) -> None:
        case: Any = self
        if template is None or exc is None:
            if template is not exc:
                case.fail(f"expected {template!r}, got {exc!r}")
            return
        if isinstance(exc, BaseExceptionGroup):
            if not isinstance(template, BaseExceptionGroup):
                case.fail(f"expected {template!r}, got the group {exc!r}")
            if (template.message, len(template.exceptions)) != (exc.message, len(exc.exceptions)):
                case.fail(f"expected a group like {template!r}, got {exc!r}")
            for member, expected in zip(exc.exceptions, template.exceptions):
                self.assertExceptionIsLike(member, expected)
            return
        if type(template) is not type(exc) or template.args[:1] != exc.args[:1]:
            case.fail(f"expected an exception like {template!r}, got {exc!r}")


class _Error(Exception):
    """``test.support.Error``: the base of the test package's own errors."""


_SUPPORT_FALLBACKS: Dict[str, Any] = {
    "Error": _Error,
    "SHORT_TIMEOUT": 30.0,
    "LONG_TIMEOUT": 300.0,
    "skip_emscripten_stack_overflow": _no_platform_skip,
    "skip_wasi_stack_overflow": _no_platform_skip,
    "run_with_limited_c_stack": _run_with_limited_c_stack,
    "exceeds_recursion_limit": _exceeds_recursion_limit,
    "nomemtest": _nomemtest,
    "cpython_only": _cpython_only,
    "requires_docstrings": _requires_docstrings,
    "captured_output": _captured_output,
    "infinite_recursion": _infinite_recursion,
    "has_no_debug_ranges": _has_no_debug_ranges,
    "force_not_colorized": lambda test: test,  # no colours before 3.13
    "force_not_colorized_test_class": lambda cls: cls,
    "ExceptionIsLikeMixin": _ExceptionIsLikeMixin,
}


def support_name(name: str, module: str = "test.support") -> Any:
    """``from <module> import <name>`` (a module of ``test.support``): the interpreter's own
    where it has it, else this module's fallback (``_SUPPORT_FALLBACKS``)."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        pass
    if name in _SUPPORT_FALLBACKS:
        return _SUPPORT_FALLBACKS[name]
    raise ImportError(f"cannot import {name} from {module} here, and compat.py has no fallback")


def colorize_module() -> Any:
    """``import _colorize`` (3.13+): the module, or before 3.13 a stand-in whose
    ``COLORIZE`` switch the tests may set (there are no colours to switch off)."""
    try:
        return importlib.import_module("_colorize")
    except ImportError:
        return types.SimpleNamespace(COLORIZE=False)


def _assert_is_subclass(case: Any, cls: Any, superclass: Any, msg: Any = None) -> None:
    if not (isinstance(cls, type) and issubclass(cls, superclass)):
        case.fail(msg or f"{cls!r} is not a subclass of {superclass!r}")


def _assert_not_is_subclass(case: Any, cls: Any, superclass: Any, msg: Any = None) -> None:
    if isinstance(cls, type) and issubclass(cls, superclass):
        case.fail(msg or f"{cls!r} is a subclass of {superclass!r}")


def _assert_has_attr(case: Any, obj: Any, name: str, msg: Any = None) -> None:
    if not hasattr(obj, name):
        case.fail(msg or f"{obj!r} has no attribute {name!r}")


def _assert_not_has_attr(case: Any, obj: Any, name: str, msg: Any = None) -> None:
    if hasattr(obj, name):
        case.fail(msg or f"{obj!r} has an attribute {name!r}")


def _assert_starts_with(case: Any, text: Any, prefix: Any, msg: Any = None) -> None:
    if not text.startswith(prefix):
        case.fail(msg or f"{text!r} does not start with {prefix!r}")


def _assert_ends_with(case: Any, text: Any, suffix: Any, msg: Any = None) -> None:
    if not text.endswith(suffix):
        case.fail(msg or f"{text!r} does not end with {suffix!r}")


#: unittest's assertions new in 3.14, for the older unittest
NEW_ASSERTS: Dict[str, Callable[..., None]] = {
    "assertIsSubclass": _assert_is_subclass,
    "assertNotIsSubclass": _assert_not_is_subclass,
    "assertHasAttr": _assert_has_attr,
    "assertNotHasAttr": _assert_not_has_attr,
    "assertStartsWith": _assert_starts_with,
    "assertEndsWith": _assert_ends_with,
}


def assert_method(case: unittest.TestCase, name: str) -> Callable[..., None]:
    """``case.<name>``, or this module's version of a 3.14 assertion before 3.14."""
    method = getattr(case, name, None)
    if method is not None:
        return method  # type: ignore[no-any-return]
    return functools.partial(NEW_ASSERTS[name], case)


#: ``from test.test_asyncio import utils``
test_utils_module = _ModuleProxy("test.test_asyncio.utils", _OWN_TEST_UTILS, test_utils)

#: ``from test import support``: the timeouts the tests use are 3.9's; 3.8 lacks them
test_support = _ModuleProxy(
    "test.support", {"SHORT_TIMEOUT": 30.0, "LONG_TIMEOUT": 300.0}, _real_support
)


# --- what older asyncio lacks ------------------------------------------------------------


async def _anext(iterator: Any) -> Any:
    """``anext(iterator)`` before 3.10 (the tests call it without a default)."""
    return await iterator.__anext__()


anext: Callable[..., Any] = getattr(builtins, "anext", _anext)


class _Missing:
    """What ``asyncio_private()`` gives for a private name this asyncio lacks: the test
    that uses it fails with a clear error, the others load."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise AttributeError(f"{self._name} does not exist on this interpreter")

    def __repr__(self) -> str:
        return f"<missing {self._name}>"


def _graph_standin(name: str) -> Any:
    """Before 3.14, what stands in for 3.14's private call-graph hooks (the C and the
    pure-Python ``future_add_to_awaited_by``/``future_discard_from_awaited_by`` and
    ``current_task``, which ``test_graph.py``'s two classes swap in): this package's
    hooks, and asyncio's one ``current_task``; the C ones only where a C Task exists.
    Raises ``AttributeError`` for any other name."""
    if sys.version_info >= (3, 14) or name not in _GRAPH_HOOKS:
        raise AttributeError(name)
    if name.startswith("_c_") and not hasattr(asyncio.tasks, "_CTask"):
        raise AttributeError(f"{name}: no C Task here")
    if name.endswith("current_task"):
        return asyncio.tasks.current_task
    from asyncio_compat import backport

    return getattr(backport, name.split("_", 2)[2])


_GRAPH_HOOKS = {
    f"_{kind}_{hook}"
    for kind in ("c", "py")
    for hook in ("future_add_to_awaited_by", "future_discard_from_awaited_by", "current_task")
}


def asyncio_private(module: types.ModuleType, name: str) -> Any:
    """``module.<name>`` for the private names of ``asyncio.tasks`` and ``asyncio.futures``
    that the tests' class bodies read (``tasks._py_all_tasks`` is 3.12's), 3.14's private
    call-graph hooks' stand-ins before 3.14 (``_graph_standin``), or a stand-in that
    fails when called."""
    try:
        return getattr(module, name)
    except AttributeError:
        pass
    try:
        return _graph_standin(name)
    except AttributeError:
        return _Missing(f"{module.__name__}.{name}")


def asyncio_has_private(module: types.ModuleType, name: str) -> bool:
    """``hasattr(module, name)`` for ``asyncio.tasks``/``asyncio.futures``, true also for
    the call-graph hooks that stand in for 3.14's (``_graph_standin``)."""
    if hasattr(module, name):
        return True
    try:
        _graph_standin(name)
    except AttributeError:
        return False
    return True


class _Generator(types.SimpleNamespace):
    """What ``frame_generator()`` gives for a generator's, coroutine's or async
    generator's frame: its code as ``gi_code``, ``cr_code`` or ``ag_code``."""


def frame_generator(frame: types.FrameType) -> Any:
    """``frame.f_generator`` (3.14) before 3.14: None for a plain function's frame, else
    an object with the code of the frame as ``cr_code`` (a coroutine's), ``ag_code`` (an
    async generator's) or ``gi_code`` (a generator's), told apart by the code's flags."""
    code = frame.f_code
    if code.co_flags & inspect.CO_COROUTINE:
        return _Generator(cr_code=code, cr_frame=frame)
    if code.co_flags & inspect.CO_ASYNC_GENERATOR:
        return _Generator(ag_code=code, ag_frame=frame)
    if code.co_flags & inspect.CO_GENERATOR:
        return _Generator(gi_code=code, gi_frame=frame)
    return None


def asyncio_awaited_by(future: Any) -> Any:
    """``future._asyncio_awaited_by`` (3.14) before 3.14: the frozenset of the futures
    and tasks awaiting *future*, as ``asyncio_compat``'s call graph sees them, or None."""
    from asyncio_compat import _graph

    return frozenset(_graph.awaited_by(future)) or None


# Task(context=) is 3.11's, Task(eager_start=) 3.12's
_TASK_KEYWORDS_SINCE = {"context": (3, 11), "eager_start": (3, 12)}


def make_task(task_class: Any, *args: Any, **kwargs: Any) -> Any:
    """``task_class(*args, **kwargs)`` without the keywords this interpreter's Task does
    not take when they are None, their default (a value is passed on, and fails)."""
    for keyword, since in _TASK_KEYWORDS_SINCE.items():
        if sys.version_info < since and kwargs.get(keyword, 0) is None:
            del kwargs[keyword]
    return task_class(*args, **kwargs)


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


#: the call-graph names (asyncio.graph, 3.14) of an implementation, None where it lacks them
GRAPH_NAMES = (
    "capture_call_graph",
    "format_call_graph",
    "print_call_graph",
    "future_add_to_awaited_by",
    "future_discard_from_awaited_by",
)


#: the exception-group names of asyncio_compat's top level, tested by test_exception_group.py,
#: the exception-group tests of test_traceback.py and test_contextlib.py's TestSuppress
EXCEPTION_GROUP_NAMES = (
    "BaseExceptionGroup",
    "ExceptionGroup",
    "format_exception",
    "format_exception_only",
    "print_exc",
    "print_exception",
    "suppress",
    "add_note",
)


def exception_group_names(impl: str) -> Dict[str, Any]:
    """The exception-group names the implementation *impl* is tested with: the stdlib's
    for ``stdlib`` (None where it lacks them), none for ``taskgroup`` (it has none: the
    files are skipped), else ``asyncio_compat``'s top level (exceptiongroup's before 3.11,
    its ``suppress`` before 3.12.1; the stdlib's after, a sanity run). ``add_note`` stands
    in for ``BaseException.add_note()`` (3.11, PEP 678) where exceptions lack it."""
    if impl == "taskgroup":
        return dict.fromkeys(EXCEPTION_GROUP_NAMES)
    if impl == "stdlib":
        import traceback

        names = {n: getattr(builtins, n, None) for n in EXCEPTION_GROUP_NAMES[:2]}
        names.update((n, getattr(traceback, n)) for n in EXCEPTION_GROUP_NAMES[2:6])
        names.update(
            suppress=contextlib.suppress, add_note=getattr(BaseException, "add_note", None)
        )
        return names
    import asyncio_compat

    return {n: getattr(asyncio_compat, n) for n in EXCEPTION_GROUP_NAMES}


def _namespace(name: str, description: str, **attrs: Any) -> types.SimpleNamespace:
    """The ``_upstream_impl`` namespace; ``wait_for`` / ``as_completed`` and the call-graph
    names may be None (the implementation lacks them: the files that test them are
    skipped). The exception-group names come with it (``exception_group_names()``)."""
    attrs = {**exception_group_names(name), **attrs}
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
            wait_for=asyncio.wait_for,
            as_completed=asyncio.as_completed,
            **{name: getattr(asyncio, name, None) for name in GRAPH_NAMES},
            Runner=getattr(asyncio, "Runner", None),  # 3.11+
            run=asyncio.run,
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
            wait_for=getattr(taskgroup, "wait_for", None),
            as_completed=getattr(taskgroup, "as_completed", None),
            **{name: getattr(taskgroup, name, None) for name in GRAPH_NAMES},
            Runner=None,
            run=None,
            cancelling=cancelling,
            uncancel=uncancel,
        )
    if name == "toplevel":
        return _toplevel()
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
            wait_for=getattr(backport, "wait_for", None),
            as_completed=getattr(backport, "as_completed", None),
            **{name: getattr(backport, name, None) for name in GRAPH_NAMES},
            Runner=getattr(backport, "Runner", None),
            run=getattr(backport, "run", None),
            cancelling=backport.cancelling,
            uncancel=backport.uncancel,
        )
    raise ValueError(f"unknown implementation {name!r}")


def _toplevel() -> types.SimpleNamespace:
    """``--impl toplevel``: every name of ``asyncio_compat.__all__`` as its gates give it on
    this interpreter, the stdlib's object or the backport's: a gate that hands out a
    stdlib object lacking a fix fails the tests of that fix."""
    import asyncio_compat

    names: Dict[str, Any] = {}
    for name in asyncio_compat.__all__:
        try:
            names[name] = getattr(asyncio_compat, name)
        except ImportError:  # catch() without exceptiongroup: the files needing it skip
            names[name] = None
    stdlib = sorted(
        name
        for name, obj in names.items()
        if not getattr(obj, "__module__", "").startswith(("asyncio_compat", "exceptiongroup"))
    )
    version = getattr(asyncio_compat, "__version__", "?")
    return _namespace(
        "toplevel",
        f"asyncio_compat {version} ({asyncio_compat.__file__}), as its gates pick here: "
        f"the stdlib's {', '.join(stdlib) or 'nothing'}; the rest this package's",
        **names,
    )
