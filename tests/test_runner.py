"""Runner and run(): 3.15's API and behaviour on every interpreter.

Each test runs against the backport (``asyncio_compat.backport``'s ``Runner`` / ``run``,
which ``asyncio_compat`` hands out before 3.14) and against the stdlib's, where it has
them (``asyncio.Runner`` from 3.11; ``asyncio.run`` from 3.12, which added its
``loop_factory``), so that the backport is held against the stdlib. A test of behaviour
that the stdlib has only from some release says so with ``@pytest.mark.newest(change)``
(``FIXED_IN`` in ``conftest.py``): the stdlib run before it is a strict xfail.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import signal
import sys
import threading
import time
from typing import Any, Callable, Generator, List

import pytest
from conftest import FIXED_IN

import asyncio_compat
from asyncio_compat import _runner, backport

_STDLIB_RUNNER = getattr(asyncio, "Runner", None)  # 3.11+
_STDLIB_RUN = asyncio.run if sys.version_info >= (3, 12) else None  # run(loop_factory=)


def _params(backport_obj: Any, stdlib_obj: Any) -> List[Any]:
    params = [pytest.param(backport_obj, id="backport")]
    if stdlib_obj is not None:
        params.append(pytest.param(stdlib_obj, id="stdlib"))
    return params


RUNNERS = _params(backport.Runner, _STDLIB_RUNNER)
RUNS = _params(backport.run, _STDLIB_RUN)

var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")


@pytest.fixture(autouse=True)
def _stdlib_too_old(request: pytest.FixtureRequest) -> None:
    """The stdlib run of a ``newest(change)`` test is a strict xfail before FIXED_IN."""
    callspec = getattr(request.node, "callspec", None)
    marker = request.node.get_closest_marker("newest")
    if callspec is None or marker is None:
        return
    stdlib = (_STDLIB_RUNNER, _STDLIB_RUN)
    if not any(v is not None and v in stdlib for v in callspec.params.values()):
        return
    for change in marker.args:
        if sys.version_info < FIXED_IN[change]:
            request.applymarker(
                pytest.mark.xfail(
                    strict=True, reason=f"{change} is in the stdlib from {FIXED_IN[change]}"
                )
            )
            return


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


async def _set_var(value: str) -> str:
    var.set(value)
    await asyncio.sleep(0)
    return var.get()


async def _get_var() -> str:
    await asyncio.sleep(0)
    return var.get()


class LoopFactory:
    """A loop_factory that records the loops it made."""

    def __init__(self) -> None:
        self.loops: List[asyncio.AbstractEventLoop] = []

    def __call__(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.new_event_loop()
        self.loops.append(loop)
        return loop


@pytest.fixture
def sigint_default():
    """SIGINT has Python's default handler during the test, and its old one after."""
    old = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _interrupt_soon() -> None:
    """Deliver a Ctrl-C from a callback of the running loop."""
    asyncio.get_running_loop().call_soon(signal.raise_signal, signal.SIGINT)


async def _interrupted(events: List[str]) -> None:
    """A main task that gets a Ctrl-C while it sleeps and logs its cancellation."""
    _interrupt_soon()
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        events.append("cancelled")
        raise


# --- Runner: the loop ---------------------------------------------------------------


@pytest.mark.parametrize("Runner", RUNNERS)
def test_run_returns_result(Runner):
    """run() returns what the coroutine returned, and can be called again."""
    with Runner() as runner:
        assert 42 == runner.run(_answer())
        assert 42 == runner.run(_answer())


@pytest.mark.parametrize("Runner", RUNNERS)
def test_run_propagates_exception(Runner):
    """An exception of the coroutine comes out of run() as it is."""

    async def fail() -> None:
        raise ZeroDivisionError("nope")

    with Runner() as runner, pytest.raises(ZeroDivisionError, match="nope"):
        runner.run(fail())


@pytest.mark.parametrize("Runner", RUNNERS)
def test_loop_created_lazily_by_factory(Runner):
    """The loop_factory is called once, on first use, and its loop runs the coroutines."""
    factory = LoopFactory()
    runner = Runner(loop_factory=factory)
    try:
        assert [] == factory.loops
        loop = runner.get_loop()
        assert [loop] == factory.loops
        assert loop is runner.get_loop()

        async def running_loop() -> asyncio.AbstractEventLoop:
            return asyncio.get_running_loop()

        assert loop is runner.run(running_loop())
        assert [loop] == factory.loops
    finally:
        runner.close()
    assert loop.is_closed()


@pytest.mark.parametrize("Runner", RUNNERS)
def test_enter_creates_loop(Runner):
    """Entering the ``with`` block creates the loop; leaving it closes the loop."""
    factory = LoopFactory()
    with Runner(loop_factory=factory) as runner:
        assert 1 == len(factory.loops)
        assert factory.loops[0] is runner.get_loop()
        assert not factory.loops[0].is_closed()
    assert factory.loops[0].is_closed()


@pytest.mark.parametrize("Runner", RUNNERS)
@pytest.mark.parametrize("with_factory", [False, True])
def test_set_event_loop(Runner, with_factory, monkeypatch):
    """Without loop_factory the new loop is made current and unset on close; with one,
    the current loop is left alone."""
    calls: List[Any] = []
    original = asyncio.events.set_event_loop

    def record(loop: Any) -> None:
        calls.append(loop)
        original(loop)

    monkeypatch.setattr(asyncio.events, "set_event_loop", record)
    runner = Runner(loop_factory=asyncio.new_event_loop if with_factory else None)
    with runner:
        loop = runner.get_loop()
        runner.run(_answer())
    expected = [] if with_factory else [loop, None]
    assert expected == calls


@pytest.mark.parametrize("Runner", RUNNERS)
@pytest.mark.parametrize("debug", [True, False])
def test_debug(Runner, debug):
    """debug=True/False sets the loop's debug mode."""
    with Runner(debug=debug) as runner:
        assert debug == runner.get_loop().get_debug()

        async def running_debug() -> bool:
            return asyncio.get_running_loop().get_debug()

        assert debug == runner.run(running_debug())


@pytest.mark.parametrize("Runner", RUNNERS)
def test_debug_none_keeps_loop_default(Runner):
    """debug=None leaves the loop's own default (PYTHONASYNCIODEBUG, -X dev)."""
    fresh = asyncio.new_event_loop()
    try:
        expected = fresh.get_debug()
    finally:
        fresh.close()
    with Runner(debug=None) as runner:
        assert expected == runner.get_loop().get_debug()


@pytest.mark.parametrize("Runner", RUNNERS)
def test_debug_with_factory(Runner):
    """debug applies to the loop that loop_factory made too."""
    with Runner(debug=True, loop_factory=asyncio.new_event_loop) as runner:
        assert runner.get_loop().get_debug()


# --- Runner: contexts -----------------------------------------------------------------


@pytest.mark.parametrize("Runner", RUNNERS)
def test_runs_share_the_runner_context(Runner):
    """Runs without a context share the runner's own: a variable set by one is seen by
    the next, but not by the caller."""
    with Runner() as runner:
        assert "first" == runner.run(_set_var("first"))
        assert "first" == runner.run(_get_var())
    assert "unset" == var.get()


@pytest.mark.parametrize("Runner", RUNNERS)
def test_run_in_given_context(Runner):
    """run(coro, context=ctx) runs the task in ctx itself: what it sets is in ctx after,
    and neither in the runner's context nor in the caller's."""
    ctx = contextvars.copy_context()
    with Runner() as runner:
        assert "in ctx" == runner.run(_set_var("in ctx"), context=ctx)
        assert "in ctx" == ctx[var]
        assert "in ctx" == runner.run(_get_var(), context=ctx)
        assert "unset" == runner.run(_get_var())
    assert "unset" == var.get()


@pytest.mark.parametrize("Runner", RUNNERS)
def test_given_context_values_are_seen(Runner):
    """The task sees the values that the given context holds."""
    ctx = contextvars.copy_context()
    ctx.run(var.set, "preset")
    with Runner() as runner:
        assert "preset" == runner.run(_get_var(), context=ctx)


@pytest.mark.parametrize("Runner", RUNNERS)
def test_child_task_gets_a_copy(Runner):
    """A task created inside the run copies the context: its changes stay its own, and it
    sees what the main task had set."""

    async def main() -> List[str]:
        var.set("main")

        async def child() -> str:
            seen = var.get()
            var.set("child")
            return seen

        seen_by_child = await asyncio.get_running_loop().create_task(child())
        return [seen_by_child, var.get()]

    ctx = contextvars.copy_context()
    with Runner() as runner:
        assert ["main", "main"] == runner.run(main(), context=ctx)
    assert "main" == ctx[var]


@pytest.mark.parametrize("Runner", RUNNERS)
def test_current_task_is_the_main_task(Runner):
    """With a context, the coroutine still runs as the main task itself."""

    async def main() -> bool:
        task = asyncio.current_task()
        return task is not None and task in asyncio.all_tasks()

    with Runner() as runner:
        assert runner.run(main(), context=contextvars.copy_context())


# --- Runner: closing --------------------------------------------------------------------


@pytest.mark.parametrize("Runner", RUNNERS)
def test_close_cancels_pending_tasks(Runner):
    """close() cancels the tasks still pending and lets them unwind."""
    events: List[str] = []
    tasks: List[asyncio.Task[None]] = []

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            events.append("cancelled")
            await asyncio.sleep(0)
            events.append("cleaned up")
            raise

    async def main() -> None:
        tasks.append(asyncio.get_running_loop().create_task(forever()))
        await asyncio.sleep(0)

    with Runner() as runner:
        runner.run(main())
        assert [] == events
    assert ["cancelled", "cleaned up"] == events
    assert tasks[0].cancelled()


@pytest.mark.parametrize("Runner", RUNNERS)
def test_close_reports_errors_of_pending_tasks(Runner):
    """A pending task that fails while being cancelled at close() goes to the loop's
    exception handler."""
    contexts: List[Any] = []

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise ValueError("refused") from None

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: contexts.append(context))
        tasks.append(loop.create_task(stubborn()))
        await asyncio.sleep(0)

    tasks: List[asyncio.Task[None]] = []
    with Runner() as runner:
        runner.run(main())
    assert 1 == len(contexts)
    assert "unhandled exception during asyncio.run() shutdown" == contexts[0]["message"]
    assert ValueError is type(contexts[0]["exception"])
    assert "refused" == str(contexts[0]["exception"])
    assert tasks[0] is contexts[0]["task"]


@pytest.mark.parametrize("Runner", RUNNERS)
def test_close_finalizes_async_generators(Runner):
    """close() runs the ``finally`` of asynchronous generators left suspended."""
    events: List[str] = []

    async def agen() -> Any:
        try:
            yield 1
            yield 2
        finally:
            events.append("finalized")

    gens: List[Any] = []

    async def main() -> int:
        gen = agen()
        gens.append(gen)
        return await gen.__anext__()

    with Runner() as runner:
        assert 1 == runner.run(main())
        assert [] == events
    assert ["finalized"] == events


@pytest.mark.parametrize("Runner", RUNNERS)
def test_close_waits_for_default_executor(Runner):
    """close() shuts the default executor down and waits for its jobs (3.9's
    shutdown_default_executor(); the same on 3.8)."""
    finished = threading.Event()

    def job() -> None:
        time.sleep(0.05)
        finished.set()

    async def main() -> None:
        asyncio.get_running_loop().run_in_executor(None, job)

    with Runner() as runner:
        runner.run(main())
    assert finished.is_set()


@pytest.mark.skipif(
    (3, 12) <= sys.version_info < (3, 13),
    reason="3.12's loop waits for the executor past its timeout (gh-111358, fixed in 3.13)",
)
def test_close_gives_up_on_a_stuck_executor(monkeypatch):
    """close() gives the default executor's threads a bounded time (five minutes,
    bpo-38267; shortened here), then warns and leaves them, as 3.13's loop does."""
    monkeypatch.setattr(_runner, "_THREAD_JOIN_TIMEOUT", 0.1)
    release = threading.Event()

    async def main() -> None:
        asyncio.get_running_loop().run_in_executor(None, release.wait, 30)

    try:
        with pytest.warns(RuntimeWarning, match=r"did not finishing joining its threads"):
            with backport.Runner() as runner:
                runner.run(main())
    finally:
        release.set()


@pytest.mark.parametrize("Runner", RUNNERS)
def test_executor_job_may_call_back_into_loop_during_close(Runner):
    """While close() waits for the executor, the loop keeps running: a job that waits for
    a coroutine of the loop does not deadlock."""
    results: List[int] = []

    def job(loop: asyncio.AbstractEventLoop) -> None:
        time.sleep(0.02)
        results.append(asyncio.run_coroutine_threadsafe(_answer(), loop).result(10))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, job, loop)

    with Runner() as runner:
        runner.run(main())
    assert [42] == results


@pytest.mark.parametrize("Runner", RUNNERS)
def test_close_twice_and_before_init(Runner):
    """close() before the loop exists creates nothing; a second close() does nothing."""
    factory = LoopFactory()
    runner = Runner(loop_factory=factory)
    runner.close()
    assert [] == factory.loops
    runner.close()


@pytest.mark.parametrize("Runner", RUNNERS)
@pytest.mark.parametrize("action", ["run", "get_loop", "enter"])
def test_closed_runner_refuses(Runner, action):
    """A closed runner raises RuntimeError('Runner is closed') on every use."""
    runner = Runner()
    runner.run(_answer())
    runner.close()
    coro = _answer()

    def use() -> None:
        if action == "run":
            runner.run(coro)
        elif action == "get_loop":
            runner.get_loop()
        else:
            with runner:
                pass

    try:
        with pytest.raises(RuntimeError) as info:
            use()
    finally:
        coro.close()
    assert "Runner is closed" == str(info.value)


# --- Runner: errors ---------------------------------------------------------------------


@pytest.mark.parametrize("Runner", RUNNERS)
def test_run_from_running_loop(Runner):
    """run() inside a running event loop raises RuntimeError and creates no loop."""
    factory = LoopFactory()
    runner = Runner(loop_factory=factory)

    async def main() -> str:
        coro = _answer()
        try:
            runner.run(coro)
        except RuntimeError as exc:
            return str(exc)
        finally:
            coro.close()
        return "no error"

    message = asyncio_compat.run(main())
    assert "Runner.run() cannot be called from a running event loop" == message
    assert [] == factory.loops
    runner.close()


_NOT_AWAITABLE = r"^An asyncio\.Future, a coroutine or an awaitable is required$"


class _Awaitable:
    """Not a coroutine: an object whose ``__await__`` awaits ``function(*args)``."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.function = function
        self.args = args

    def __await__(self) -> Generator[Any, None, Any]:
        return self.function(*self.args).__await__()  # type: ignore[no-any-return]


def _plain_generator() -> Generator[None, None, None]:
    yield


@pytest.mark.newest("gh-120284")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_run_accepts_a_future(Runner):
    """run() takes a future of the runner's loop and returns its result (gh-120284)."""
    with Runner() as runner:
        future = runner.get_loop().create_future()
        runner.get_loop().call_soon(future.set_result, "done")
        assert "done" == runner.run(future)


@pytest.mark.newest("gh-120284")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_run_accepts_any_awaitable(Runner):
    """run() takes an object with ``__await__``, returns what it gives, and runs it in the
    runner's context like a coroutine (gh-120284)."""
    with Runner() as runner:
        assert 42 == runner.run(_Awaitable(_answer))
        assert "set" == runner.run(_Awaitable(_set_var, "set"))
        assert "set" == runner.run(_get_var())


@pytest.mark.newest("gh-120284")
@pytest.mark.parametrize("Runner", RUNNERS)
@pytest.mark.parametrize("bad", [42, None, _answer, "coro"], ids=["int", "None", "function", "str"])
def test_run_refuses_a_non_awaitable_with_type_error(Runner, bad):
    """run() refuses what is not awaitable with 3.14's TypeError (gh-120284), not
    3.8-3.13's ValueError."""
    with Runner() as runner, pytest.raises(TypeError, match=_NOT_AWAITABLE):
        runner.run(bad)


@pytest.mark.newest("gh-120284")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_run_refuses_a_plain_generator(Runner):
    """A plain generator is neither a coroutine nor awaitable: TypeError (gh-120284; 3.12
    made asyncio.iscoroutine() false for generators, gh-102748)."""
    gen = _plain_generator()
    with Runner() as runner, pytest.raises(TypeError, match=_NOT_AWAITABLE):
        runner.run(gen)
    gen.close()


@pytest.mark.newest("gh-120284")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_running_loop_checked_before_the_type(Runner):
    """From inside a running loop, run() raises the running-loop RuntimeError, even for a
    non-awaitable (3.14's order, gh-120284)."""
    runner = Runner()

    async def main() -> str:
        with pytest.raises(RuntimeError, match="cannot be called from a running event loop"):
            runner.run(42)
        return "checked"

    try:
        assert "checked" == backport.run(main())
    finally:
        runner.close()


class _CountsRepr:
    def __init__(self) -> None:
        self.reprs = 0

    def __repr__(self) -> str:
        self.reprs += 1
        return "<counted>"


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.newest("gh-112559")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_result_repr_never_called(Runner):
    """With the Ctrl-C handler installed, run() never calls repr() on the result
    (gh-112559: 3.11-3.12 did, through the handler's repr)."""

    async def main() -> _CountsRepr:
        return _CountsRepr()

    with Runner() as runner:
        result = runner.run(main())
    assert 0 == result.reprs


@pytest.mark.newest("gh-120284")
@pytest.mark.parametrize("run_fn", RUNS)
def test_run_function_accepts_any_awaitable(run_fn):
    """run() takes an object with ``__await__`` (gh-120284)."""
    assert 42 == run_fn(_Awaitable(_answer))


@pytest.mark.newest("gh-120284")
@pytest.mark.parametrize("run_fn", RUNS)
def test_run_function_refuses_a_non_awaitable_with_type_error(run_fn):
    """run() refuses a non-awaitable with 3.14's TypeError (gh-120284)."""
    with pytest.raises(TypeError, match=_NOT_AWAITABLE):
        run_fn(42)


@pytest.mark.parametrize("Runner", RUNNERS)
def test_early_bound_cancel_of_main_task_counts(Runner):
    """A ``cancel`` of the main task taken early (here, by a loop callback) counts its
    request: cancelling() sees it and uncancel() withdraws it."""
    seen: List[int] = []

    async def main() -> str:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().call_soon(task.cancel)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            seen.append(asyncio_compat.cancelling(task))
            seen.append(asyncio_compat.uncancel(task))
        return "withdrawn"

    with Runner() as runner:
        assert "withdrawn" == runner.run(main())
    assert [1, 0] == seen


@pytest.mark.parametrize("Runner", RUNNERS)
def test_main_task_cancel_is_its_own_method(Runner):
    """The main task counts its cancellations in its class's own ``cancel`` (as 3.11's
    tasks do; before 3.11 the backport makes it a counting Task on asyncio's loop), not
    in a stand-in set on the task: a ``cancel`` bound at any time is the task's method."""
    seen: List[Any] = []

    async def main() -> None:
        task = asyncio.current_task()
        seen.extend([task, getattr(task.cancel, "__self__", None), isinstance(task, asyncio.Task)])

    with Runner() as runner:
        runner.run(main())
    task, bound_to, is_task = seen
    assert task is bound_to
    assert True is is_task


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_sigint_after_early_bound_cancel_is_cancelled_error(Runner):
    """A cancellation through an early-bound ``cancel``, then a Ctrl-C: the task was not
    cancelled by the Ctrl-C alone, so run() raises CancelledError, not KeyboardInterrupt."""

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        cancel = task.cancel
        loop = asyncio.get_running_loop()
        loop.call_soon(cancel)
        loop.call_soon(signal.raise_signal, signal.SIGINT)
        await asyncio.sleep(10)

    with Runner() as runner, pytest.raises(asyncio.CancelledError):
        runner.run(main())


def test_public_names_module():
    """The backport's Runner and run() present themselves as asyncio_compat's."""
    assert "asyncio_compat" == _runner.Runner.__module__
    assert "asyncio_compat" == _runner.run.__module__
    assert "Runner" == _runner.Runner.__qualname__


# --- Runner: Ctrl-C ---------------------------------------------------------------------


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_sigint_cancels_main_task_then_raises(Runner):
    """A first Ctrl-C cancels the main task; once it has unwound, KeyboardInterrupt is
    raised, and the default SIGINT handler is back."""
    events: List[str] = []

    async def main() -> None:
        _interrupt_soon()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            events.append("cancelled")
            await asyncio.sleep(0.01)  # cleanup that itself awaits
            events.append("cleaned up")
            raise

    with Runner() as runner, pytest.raises(KeyboardInterrupt):
        runner.run(main())
    assert ["cancelled", "cleaned up"] == events
    assert signal.default_int_handler is signal.getsignal(signal.SIGINT)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs pthread_kill")
@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_sigint_wakes_up_a_sleeping_loop(Runner):
    """A Ctrl-C that arrives while the loop waits in select() for a far timer is acted on
    at once, not when the timer is due."""
    main_thread = threading.main_thread().ident
    assert main_thread is not None

    def interrupt_later() -> None:
        time.sleep(0.05)
        signal.pthread_kill(main_thread, signal.SIGINT)

    thread = threading.Thread(target=interrupt_later)

    async def main() -> None:
        thread.start()
        # Woken by the timer only, the run would end in pytest-timeout's failure.
        await asyncio.sleep(3600)

    with Runner() as runner, pytest.raises(KeyboardInterrupt):
        runner.run(main())
    thread.join()


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_sigint_swallowed_by_main_task(Runner):
    """A main task that swallows the Ctrl-C cancellation and returns ends run() normally
    with its result, as in the stdlib."""

    async def main() -> str:
        _interrupt_soon()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            return "swallowed"
        return "not cancelled"

    with Runner() as runner:
        assert "swallowed" == runner.run(main())
        # The runner is still usable, and a new run gets a new handler.
        assert 42 == runner.run(_answer())
    assert signal.default_int_handler is signal.getsignal(signal.SIGINT)


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_sigint_then_another_cancellation(Runner):
    """If the main task was also cancelled by someone else, its CancelledError is not
    turned into KeyboardInterrupt."""

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        loop.call_soon(signal.raise_signal, signal.SIGINT)
        loop.call_soon(task.cancel)
        await asyncio.sleep(10)

    with Runner() as runner:
        try:
            runner.run(main())
        except BaseException as exc:  # KeyboardInterrupt would stop pytest
            error: Any = exc
        else:  # pragma: no cover - the failure reported below
            error = None
    assert asyncio.CancelledError is type(error)


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_second_sigint_raises_at_once(Runner):
    """A second Ctrl-C raises KeyboardInterrupt at once, in the middle of the cleanup."""
    events: List[str] = []
    tasks: List[asyncio.Task[Any]] = []

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.append(task)
        _interrupt_soon()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            events.append("cancelled")
            try:
                signal.raise_signal(signal.SIGINT)
                events.append("not interrupted")
            except KeyboardInterrupt:
                events.append("interrupted in cleanup")
                raise

    with Runner() as runner, pytest.raises(KeyboardInterrupt):
        runner.run(main())
    assert ["cancelled", "interrupted in cleanup"] == events
    assert KeyboardInterrupt is type(tasks[0].exception())


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_sigint_after_main_task_done(Runner):
    """A Ctrl-C that arrives once the main task is done raises KeyboardInterrupt at once."""

    async def main() -> str:
        _interrupt_soon()
        return "done"

    runner = Runner()
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.run(main())
    finally:
        # The loop was interrupted in the middle of run_until_complete(); the stdlib's
        # close() may then stop early ("Event loop stopped before Future completed").
        with contextlib.suppress(RuntimeError):
            runner.close()


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_runner_usable_after_interrupt(Runner):
    """After a Ctrl-C ended one run, the next run works and is interruptible again."""

    async def interrupted() -> None:
        _interrupt_soon()
        await asyncio.sleep(10)

    with Runner() as runner:
        with pytest.raises(KeyboardInterrupt):
            runner.run(interrupted())
        assert 42 == runner.run(_answer())
        with pytest.raises(KeyboardInterrupt):
            runner.run(interrupted())


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_handler_installed_only_while_running(Runner):
    """The Ctrl-C handler is in place during run() and the default one is back after."""
    seen: List[Any] = []

    async def main() -> None:
        seen.append(signal.getsignal(signal.SIGINT))

    with Runner() as runner:
        assert signal.default_int_handler is signal.getsignal(signal.SIGINT)
        runner.run(main())
        assert signal.default_int_handler is signal.getsignal(signal.SIGINT)
    assert seen[0] is not signal.default_int_handler
    assert callable(seen[0])


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_custom_sigint_handler_left_alone(Runner):
    """A SIGINT handler other than the default one is neither replaced nor restored: it
    gets the signal, and the main task is not cancelled."""
    received: List[int] = []

    def handler(signum: int, frame: Any) -> None:
        received.append(signum)

    async def main() -> str:
        _interrupt_soon()
        await asyncio.sleep(0.01)
        return "not cancelled"

    signal.signal(signal.SIGINT, handler)
    with Runner() as runner:
        assert "not cancelled" == runner.run(main())
    assert [signal.SIGINT] == received
    assert handler is signal.getsignal(signal.SIGINT)


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_no_sigint_handler_outside_main_thread(Runner):
    """Run from another thread, the runner does not touch SIGINT."""
    seen: List[Any] = []
    errors: List[BaseException] = []

    async def main() -> None:
        seen.append(signal.getsignal(signal.SIGINT))

    def thread_main() -> None:
        try:
            with Runner(loop_factory=asyncio.new_event_loop) as runner:
                runner.run(main())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=thread_main)
    thread.start()
    thread.join(30)
    assert [] == errors
    assert [signal.default_int_handler] == seen


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_sigint_through_taskgroup(Runner):
    """Ctrl-C while the main task waits in a TaskGroup: the children are cancelled, and
    KeyboardInterrupt (not CancelledError nor an exception group) comes out."""
    events: List[str] = []

    async def child(name: str) -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            events.append(name + " cancelled")
            raise

    async def main() -> None:
        async with asyncio_compat.TaskGroup() as tg:
            tg.create_task(child("a"))
            tg.create_task(child("b"))
            _interrupt_soon()

    with Runner() as runner, pytest.raises(KeyboardInterrupt):
        runner.run(main())
    assert ["a cancelled", "b cancelled"] == sorted(events)


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_sigint_inside_timeout(Runner):
    """Ctrl-C inside a timeout() that has not expired gives KeyboardInterrupt, not
    TimeoutError."""

    async def main() -> None:
        async with asyncio_compat.timeout(10):
            _interrupt_soon()
            await asyncio.sleep(10)

    with Runner() as runner, pytest.raises(KeyboardInterrupt):
        runner.run(main())


# --- run() ------------------------------------------------------------------------------


@pytest.mark.parametrize("run_fn", RUNS)
def test_run_function_result_and_loop_factory(run_fn):
    """run() returns the result, runs on loop_factory's loop and closes it."""
    factory = LoopFactory()

    async def main() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    loop = run_fn(main(), loop_factory=factory)
    assert [loop] == factory.loops
    assert loop.is_closed()


@pytest.mark.parametrize("run_fn", RUNS)
def test_run_function_debug(run_fn):
    """run(debug=True) runs the loop in debug mode."""

    async def main() -> bool:
        return asyncio.get_running_loop().get_debug()

    assert run_fn(main(), debug=True)
    assert not run_fn(main(), debug=False)


@pytest.mark.parametrize("run_fn", RUNS)
def test_run_function_cancels_leftovers(run_fn):
    """run() cancels the tasks that main() left behind."""
    events: List[str] = []

    async def leftover() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise

    async def main() -> None:
        asyncio.get_running_loop().create_task(leftover())
        await asyncio.sleep(0)

    run_fn(main())
    assert ["cancelled"] == events


@pytest.mark.parametrize("run_fn", RUNS)
def test_run_function_from_running_loop(run_fn):
    """run() inside a running loop raises asyncio.run()'s RuntimeError."""

    async def main() -> str:
        coro = _answer()
        try:
            run_fn(coro)
        except RuntimeError as exc:
            return str(exc)
        finally:
            coro.close()
        return "no error"

    assert "asyncio.run() cannot be called from a running event loop" == asyncio_compat.run(main())


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("run_fn", RUNS)
def test_run_function_sigint(run_fn):
    """Ctrl-C during run(): the main task is cancelled, then KeyboardInterrupt."""
    events: List[str] = []

    with pytest.raises(KeyboardInterrupt):
        run_fn(_interrupted(events))
    assert ["cancelled"] == events
    assert signal.default_int_handler is signal.getsignal(signal.SIGINT)


@pytest.mark.parametrize("run_fn", RUNS)
def test_run_function_context_is_fresh(run_fn):
    """Each run() gets a copy of the caller's context: what main() sets stays there."""
    token = var.set("caller")
    try:
        assert "caller" == run_fn(_get_var())
        assert "changed" == run_fn(_set_var("changed"))
        assert "caller" == var.get()
    finally:
        var.reset(token)


@pytest.mark.parametrize("run_fn", RUNS)
def test_run_function_with_taskgroup(run_fn):
    """run() runs a TaskGroup program end to end."""

    async def main() -> List[int]:
        async with asyncio_compat.TaskGroup() as tg:
            tasks = [tg.create_task(_answer()) for _ in range(3)]
        return [t.result() for t in tasks]

    assert [42, 42, 42] == run_fn(main())


def _typed(factory: Callable[[], asyncio.AbstractEventLoop]) -> int:
    # For mypy: run() keeps the result type.
    return asyncio_compat.run(_answer(), loop_factory=factory)


def test_typed_result():
    """run() with a loop_factory returns the value of the coroutine."""
    assert 42 == _typed(asyncio.new_event_loop)


# --- uvloop -----------------------------------------------------------------------------


@pytest.fixture
def uvloop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    uvloop = pytest.importorskip("uvloop")
    return uvloop.new_event_loop  # type: ignore[no-any-return]


@pytest.mark.parametrize("Runner", RUNNERS)
def test_uvloop_context_and_close(Runner, uvloop_factory):
    """On uvloop's loop: runs share the runner's context, a given context is used, and
    close() waits for the default executor."""
    finished = threading.Event()

    def job() -> None:
        time.sleep(0.02)
        finished.set()

    async def start_job() -> None:
        asyncio.get_running_loop().run_in_executor(None, job)

    ctx = contextvars.copy_context()
    with Runner(loop_factory=uvloop_factory) as runner:
        assert "uv" == runner.run(_set_var("uv"))
        assert "uv" == runner.run(_get_var())
        runner.run(_set_var("ctx"), context=ctx)
        runner.run(start_job())
    assert "ctx" == ctx[var]
    assert finished.is_set()


@pytest.mark.usefixtures("sigint_default")
@pytest.mark.parametrize("Runner", RUNNERS)
def test_uvloop_sigint(Runner, uvloop_factory):
    """On uvloop's loop, Ctrl-C cancels the main task, then KeyboardInterrupt."""
    events: List[str] = []

    with Runner(loop_factory=uvloop_factory) as runner, pytest.raises(KeyboardInterrupt):
        runner.run(_interrupted(events))
    assert ["cancelled"] == events
