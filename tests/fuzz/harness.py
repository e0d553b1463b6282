"""Running a scenario on virtual time against one implementation, and its trace.

The trace is a list of lines, the same on every run of the same scenario:

- ``t<label> start c<n> @<time>``: a task's first step; ``c<n>`` is ``cancelling()``
  of the current task, ``@<time>`` the loop's virtual time;
- ``t<label> n<id> ok|return|raise <exc> c<n> @<time>``: a statement finished, and how;
  ``enter`` once a ``async with`` is inside, ``caught``/``handler`` in ``except`` and
  ``catch()`` handlers, ``timeout expired=... when=...`` as a timeout exits, and the
  results of ``cancel()``, ``uncancel()``, ``create_task()``, ``reschedule()``;
- ``t<label> w<id> start|end|raise ...``: the body a ``wait_for`` statement waits for,
  in the task that runs it; then ``n<id> waitfor -> <value>`` as the statement gets the
  body's value, and ``n<id> waitfor t<id> <outcome>``: the task or future it was given
  (none for a coroutine), as ``wait_for`` returns or raises;
- ``e<index> ...``: an outside event (a loop callback at a virtual time);
- ``unknown tasks left running: <n>``: tasks the implementation made and left running
  after every task of the scenario ended (the harness then runs the loop until they end);
- ``escaped <exc>``: a KeyboardInterrupt or SystemExit that left ``run_until_complete``
  (the harness then runs the loop on, until every task is done);
- ``handler ...``: a call of the loop's exception handler (task reprs left out);
- ``final t<label> ok|cancelled <exc>|raised <exc>``: every task's outcome, in creation order.

Exceptions render as ``Type('arg', ...)``, exception groups with their message and
their exceptions, each followed by ``<from X>`` (``__cause__``) or ``<during X>``
(``__context__``, unless suppressed), at most two links deep.

Nothing depends on object ids or task names: tasks are known by the id of the statement
that made them. The loop's clock is virtual (:class:`VirtualTimeLoop`), timers due at the
same time run in the order they were scheduled, and a TaskGroup's set of tasks iterates
in the order the tasks joined it (:class:`_OrderedTasks`), so that the group cancels them
in the same order on every run.
"""

from __future__ import annotations

import asyncio
import heapq
import re
import selectors
import sys
import weakref
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import asyncio_compat
from asyncio_compat import backport

from .scenario import SELF, Body, Scenario, Stmt

Trace = List[str]


class Boom(Exception):
    """An ordinary failure."""


class Halt(BaseException):
    """A BaseException that is neither KeyboardInterrupt nor SystemExit: tasks store it,
    and a TaskGroup wraps it in a BaseExceptionGroup."""


EXCEPTIONS: Dict[str, Any] = {
    "Boom": Boom,
    "Halt": Halt,
    "ValueError": ValueError,
    "CancelledError": asyncio.CancelledError,
    # The class timeout() raises: before 3.11 a subclass of both TimeoutErrors.
    "TimeoutError": asyncio_compat.TimeoutError,
    "SystemExit": SystemExit,
    "KeyboardInterrupt": KeyboardInterrupt,
    "Exception": Exception,
    "BaseException": BaseException,
    "BaseExceptionGroup": asyncio_compat.BaseExceptionGroup,
    "ExceptionGroup": asyncio_compat.ExceptionGroup,
}


class Impl(NamedTuple):
    name: str
    TaskGroup: Any
    timeout: Any
    timeout_at: Any
    cancelling: Callable[[Any], int]
    uncancel: Callable[[Any], int]
    wait_for: Any


BACKPORT = Impl(
    "backport",
    backport.TaskGroup,
    backport.timeout,
    backport.timeout_at,
    backport.cancelling,
    backport.uncancel,
    backport.wait_for,
)

# The backport as it ships: its wait_for runs on the stdlib's timeout() from 3.13. (BACKPORT
# runs it on the backport's everywhere: see backport_timeout_in_wait_for.)
BACKPORT_SHIPPED = BACKPORT._replace(name="backport (wait_for as shipped)")

# The reference: CPython 3.15's own objects (3.15 added TaskGroup.cancel()).
STDLIB: Optional[Impl] = None
if sys.version_info >= (3, 15):  # 3.15+: gh-108951 TaskGroup.cancel(), the spec
    STDLIB = Impl(
        "stdlib",
        asyncio.TaskGroup,
        asyncio.timeout,
        asyncio.timeout_at,
        lambda task: task.cancelling(),
        lambda task: task.uncancel(),
        asyncio.wait_for,
    )

# cancel(msg) exists from 3.9 (bpo-31033).
CANCEL_MESSAGES = sys.version_info >= (3, 9)
# loop.create_task() can start a task eagerly from 3.12 (gh-97696, eager_start).
EAGER_TASKS = sys.version_info >= (3, 12)


# -- the virtual-time loop ------------------------------------------------------------


class Stuck(Exception):
    """The scenario would wait forever, or runs away: a bug of the harness or scenario."""


class _FifoTimerHandle(asyncio.TimerHandle):
    # Timers due at the same time run in the order they were scheduled (heapq alone
    # leaves the order of equal keys to the heap's shape).
    __slots__ = ("_seq",)

    def __lt__(self, other: Any) -> bool:
        if self._when != other._when:
            return bool(self._when < other._when)
        return bool(self._seq < other._seq)


class _VirtualSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """Never blocks: where the loop would wait for its next timer, the clock jumps to it."""

    loop_ref: Any = None

    def select(self, timeout: Optional[float] = None) -> Any:
        self.loop_ref()._advance(timeout)
        return super().select(0)


class VirtualTimeLoop(asyncio.SelectorEventLoop):  # type: ignore[misc,valid-type]
    """A selector event loop whose ``time()`` only moves when nothing is ready to run,
    then straight to the next timer."""

    max_iterations = 50_000

    def __init__(self) -> None:
        self._now = 0.0
        self._timer_seq = 0
        self.iterations = 0
        selector = _VirtualSelector()
        super().__init__(selector)
        selector.loop_ref = weakref.ref(self)

    def time(self) -> float:
        return self._now

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> Any:
        if when is None:
            raise TypeError("when cannot be None")
        self._check_closed()  # type: ignore[attr-defined]
        timer = _FifoTimerHandle(when, callback, args, self, context)
        self._timer_seq += 1
        timer._seq = self._timer_seq
        heapq.heappush(self._scheduled, timer)  # type: ignore[attr-defined]
        timer._scheduled = True
        return timer

    def _advance(self, timeout: Optional[float]) -> None:
        if timeout is None:
            raise Stuck("deadlock: nothing to run and no timer")
        if timeout > 0:
            # _run_once asked to wait until its first live timer: be there now.
            self._now = max(self._now, float(self._scheduled[0]._when))  # type: ignore[attr-defined]

    def _run_once(self) -> None:
        self.iterations += 1
        if self.iterations > self.max_iterations:
            raise Stuck(f"runaway: more than {self.max_iterations} loop iterations")
        super()._run_once()  # type: ignore[misc]


class _OrderedTasks:
    """A TaskGroup's set of tasks, iterating in the order the tasks were added.

    A set of tasks iterates in the order of their ids' hashes, which differs from run
    to run: the order in which a group cancels its tasks, and so the order in which they
    run again, would too. Both implementations keep the set in ``_tasks`` and use only
    what this class has; each run replaces it in a new group.
    """

    __slots__ = ("_tasks",)

    def __init__(self) -> None:
        self._tasks: Dict[Any, None] = {}

    def add(self, task: Any) -> None:
        self._tasks[task] = None

    def discard(self, task: Any) -> None:
        self._tasks.pop(task, None)

    def __contains__(self, task: Any) -> bool:
        return task in self._tasks

    def __iter__(self) -> Any:
        return iter(self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)


class Awaitable:
    """An awaitable that is neither a coroutine nor a future: ``wait_for`` wraps it in a
    task of its own for a timeout of 0 or less (``ensure_future``)."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        # The coroutine is made when awaited: one never awaited would warn.
        self._make = make

    def __await__(self) -> Any:
        return self._make().__await__()


def _ordered(group: Any) -> Any:
    tasks = getattr(group, "_tasks", None)
    if type(tasks) is not set or tasks:
        raise AssertionError(f"{type(group)} keeps no empty set in _tasks: fix the harness")
    group._tasks = _OrderedTasks()
    return group


# -- rendering ------------------------------------------------------------------------


def render(exc: BaseException, links: int = 2) -> str:
    """``Type('arg')``, groups with their exceptions, and *links* links of the chain."""
    name = type(exc).__name__
    if isinstance(exc, asyncio_compat.BaseExceptionGroup):
        inner = ", ".join(render(e, links) for e in exc.exceptions)
        text = f"{name}({exc.message!r}, [{inner}])"
    else:
        text = f"{name}({', '.join(repr(a) for a in exc.args)})"
    if links > 0:
        if exc.__cause__ is not None:
            text += f" <from {render(exc.__cause__, links - 1)}>"
        elif exc.__context__ is not None and not exc.__suppress_context__:
            text += f" <during {render(exc.__context__, links - 1)}>"
    return text


def _strip_reprs(text: str) -> str:
    # Drop <...> (task and future reprs, nested) from a message: they hold ids.
    out, depth = [], 0
    for ch in text:
        if ch == "<":
            depth += 1
            if depth == 1:
                out.append("<...")
        elif ch == ">" and depth:
            depth -= 1
            if depth == 0:
                out.append(">")
        elif not depth:
            out.append(ch)
    return "".join(out)


def outcome(task: asyncio.Future[Any]) -> str:
    if not task.done():
        return "pending"
    try:
        task.result()
    except asyncio.CancelledError as exc:
        return f"cancelled {render(exc, 0)}"
    except BaseException as exc:
        return f"raised {render(exc)}"
    return "ok"


# -- running a scenario ---------------------------------------------------------------


class _Run:
    def __init__(self, scenario: Scenario, impl: Impl) -> None:
        self.scenario = scenario
        self.impl = impl
        self.trace: Trace = []
        self.recording = True
        self.tasks: Dict[int, Any] = {}
        self.groups: Dict[int, Any] = {}
        self.timeouts: Dict[int, Any] = {}
        # The label of the next task the loop makes: wait_for()'s own, for a "coro" or
        # "awaitable" waitfor with a timeout of 0 or less.
        self.adopt: Optional[int] = None
        self.eager = bool(scenario.get("eager")) and EAGER_TASKS
        self.loop = VirtualTimeLoop()

    # recording

    def note(self, line: str) -> None:
        if self.recording:
            self.trace.append(line)

    def state(self) -> str:
        if not self.recording:  # the loop is closed: nothing more to tell
            return ""
        task = asyncio.current_task()
        return f"c{self.impl.cancelling(task)} @{self.loop.time()!r}"

    def note_exc(self, where: str, exc: BaseException, state: bool = True) -> None:
        self.note(f"{where} {render(exc)}" + (f" {self.state()}" if state else ""))

    # plumbing

    def task_factory(self, loop: Any, coro: Any, **kwargs: Any) -> Any:
        label, self.adopt = self.adopt, None
        if self.eager:
            kwargs.setdefault("eager_start", True)
        task = asyncio.Task(coro, loop=loop, **kwargs)
        if label is not None:
            self.register(label, task)
        return task

    def exception_handler(self, loop: Any, context: Dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if "never retrieved" in message:  # at garbage collection: not deterministic
            return
        exc = context.get("exception")
        self.note(f"handler {_strip_reprs(message)}" + (f" {render(exc)}" if exc else ""))

    def register(self, label: int, task: Any) -> None:
        self.tasks[label] = task
        # Before 3.11 the backport counts a task's cancellations from its first use.
        self.impl.cancelling(task)

    def cancel(self, task: Any, msg: Optional[str]) -> str:
        if task is None:
            return "absent"
        if msg is None or not CANCEL_MESSAGES:
            return str(task.cancel())
        return str(task.cancel(msg))

    def reschedule(self, where: str, tid: int, delta: Optional[float]) -> None:
        cm = self.timeouts.get(tid)
        if cm is None:
            self.note(f"{where} reschedule o{tid} absent")
            return
        when = None if delta is None else self.loop.time() + delta
        try:
            cm.reschedule(when)
        except RuntimeError as exc:
            self.note(f"{where} reschedule o{tid} {render(exc)}")
        else:
            self.note(f"{where} reschedule o{tid} ok")

    # the interpreter

    async def run_task(self, label: int, body: Body) -> str:
        self.note(f"t{label} start {self.state()}")
        try:
            await self.run_body(label, body)
        except BaseException as exc:
            self.note_exc(f"t{label} end raise", exc)
            raise
        self.note(f"t{label} end ok {self.state()}")
        return f"t{label}"

    async def run_body(self, me: int, body: Body) -> bool:
        """Run *body* in task *me*; True if it returned early."""
        for stmt in body:
            if await self.run_stmt(me, stmt):
                return True
        return False

    async def run_stmt(self, me: int, stmt: Stmt) -> bool:
        where = f"t{me} n{stmt[1]}"
        try:
            returned = await getattr(self, "op_" + stmt[0])(me, where, stmt)
        except BaseException as exc:
            self.note_exc(f"{where} raise", exc)
            raise
        self.note(f"{where} {'return' if returned else 'ok'} {self.state()}")
        return bool(returned)

    async def op_sleep(self, me: int, where: str, stmt: Stmt) -> bool:
        await asyncio.sleep(stmt[2])
        return False

    async def op_raise(self, me: int, where: str, stmt: Stmt) -> bool:
        raise EXCEPTIONS[stmt[2]](f"n{stmt[1]}")

    async def op_return(self, me: int, where: str, stmt: Stmt) -> bool:
        return True

    async def op_cancel(self, me: int, where: str, stmt: Stmt) -> bool:
        target = asyncio.current_task() if stmt[2] == SELF else self.tasks.get(stmt[2])
        name = "self" if stmt[2] == SELF else f"t{stmt[2]}"
        self.note(f"{where} cancel {name} -> {self.cancel(target, stmt[3])}")
        return False

    async def op_tgcancel(self, me: int, where: str, stmt: Stmt) -> bool:
        group = self.groups.get(stmt[2])
        if group is None:
            self.note(f"{where} g{stmt[2]}.cancel() absent")
        else:
            group.cancel()
        return False

    async def op_resched(self, me: int, where: str, stmt: Stmt) -> bool:
        self.reschedule(where, stmt[2], stmt[3])
        return False

    async def op_spawn(self, me: int, where: str, stmt: Stmt) -> bool:
        group = self.groups.get(stmt[2])
        if group is None:  # only in a minimised scenario
            self.note(f"{where} g{stmt[2]} absent")
            return False
        coro = self.run_task(stmt[1], stmt[3])
        try:
            task = group.create_task(coro)
        except RuntimeError as exc:
            closed = coro.cr_frame is None
            coro.close()
            self.note(f"{where} create_task {render(exc)} closed={closed}")
            return False
        self.register(stmt[1], task)
        return False

    async def op_group(self, me: int, where: str, stmt: Stmt) -> bool:
        group = _ordered(self.impl.TaskGroup())
        self.groups[stmt[1]] = group
        if stmt[2]:
            group.cancel()
        returned = False
        async with group:
            self.note(f"{where} enter {self.state()}")
            returned = await self.run_body(me, stmt[3])
        return returned

    async def op_timeout(self, me: int, where: str, stmt: Stmt) -> bool:
        how, when = stmt[2], stmt[3]
        cm = self.impl.timeout_at(when) if how == "at" else self.impl.timeout(when)
        self.timeouts[stmt[1]] = cm
        returned = False
        try:
            async with cm:
                self.note(f"{where} enter {self.state()}")
                returned = await self.run_body(me, stmt[4])
        finally:
            self.note(f"{where} timeout expired={cm.expired()} when={cm.when()!r}")
        return returned

    async def op_try(self, me: int, where: str, stmt: Stmt) -> bool:
        handler = stmt[3]
        try:
            return await self.run_body(me, stmt[4])
        except EXCEPTIONS[stmt[2]] as exc:
            self.note_exc(f"{where} caught", exc)
            if handler == "reraise":
                raise
            if handler == "raise_new":
                raise Boom(f"n{stmt[1]}:handler")  # noqa: B904 -- chained on purpose
            if handler == "uncancel":
                task = asyncio.current_task()
                left = self.impl.uncancel(task)
                self.note(f"{where} uncancel -> {left}")
                if not left and getattr(task, "_must_cancel", False):
                    self.note(WITHDRAW_MARK)
        return False

    async def op_finally(self, me: int, where: str, stmt: Stmt) -> bool:
        try:
            return await self.run_body(me, stmt[2])
        finally:
            await self.run_body(me, stmt[3])

    async def op_suppress(self, me: int, where: str, stmt: Stmt) -> bool:
        with asyncio_compat.suppress(EXCEPTIONS[stmt[2]]):
            return await self.run_body(me, stmt[3])
        return False

    async def op_catch(self, me: int, where: str, stmt: Stmt) -> bool:
        def handler(group: BaseException) -> None:
            self.note_exc(f"{where} handler", group)
            if stmt[3] == "raise":
                raise Boom(f"n{stmt[1]}:handler")

        with asyncio_compat.catch({EXCEPTIONS[stmt[2]]: handler}):
            return await self.run_body(me, stmt[4])
        return False

    async def op_agen(self, me: int, where: str, stmt: Stmt) -> bool:
        group = _ordered(self.impl.TaskGroup())
        self.groups[stmt[1]] = group

        async def agen() -> Any:
            async with group:
                self.note(f"{where} enter {self.state()}")
                await self.run_body(me, stmt[2])
                yield

        gen = agen()
        try:
            await gen.__anext__()
        except StopAsyncIteration:
            self.note(f"{where} exhausted {self.state()}")
            return False
        self.note(f"{where} yielded {self.state()}")
        await gen.aclose()
        return False

    async def op_shield(self, me: int, where: str, stmt: Stmt) -> bool:
        task = self.loop.create_task(self.run_task(stmt[1], stmt[2]))
        self.register(stmt[1], task)
        await asyncio.shield(task)
        return False

    async def op_waitfor(self, me: int, where: str, stmt: Stmt) -> bool:
        sid, how, limit, body = stmt[1:5]
        given = None  # the task or future wait_for() is given, if any
        if how in ("coro", "awaitable"):
            if limit is not None and limit <= 0:
                label = self.adopt = sid  # wait_for() makes it a task: name it t<id>
            else:
                label = me
            if how == "coro":
                awaitable: Any = self.waited(label, sid, body)
            else:
                awaitable = Awaitable(lambda: self.waited(label, sid, body))
        elif how == "future":
            given = awaitable = self.loop.create_future()
            task = self.loop.create_task(self.waited(sid, sid, body))
            self.register(sid, task)
            task.add_done_callback(lambda task: self.resolve(sid, task, given))
        else:
            given = self.loop.create_task(self.waited(sid, sid, body))
            self.register(sid, given)
            awaitable = asyncio.shield(given) if how == "shield" else given
        try:
            value = await self.impl.wait_for(awaitable, limit)
        finally:
            self.adopt = None
            if given is not None:
                self.note(f"{where} waitfor t{sid} {outcome(given)}")
        self.note(f"{where} waitfor -> {value!r} {self.state()}")
        return False

    async def waited(self, label: int, sid: int, body: Body) -> str:
        """A waitfor's BODY, run in task *label*: its value says if it returned early."""
        where = f"t{label} w{sid}"
        self.note(f"{where} start {self.state()}")
        try:
            returned = await self.run_body(label, body)
        except BaseException as exc:
            self.note_exc(f"{where} raise", exc)
            raise
        value = f"v{sid}" + ("r" if returned else "")
        self.note(f"{where} end {value!r} {self.state()}")
        return value

    def resolve(self, sid: int, task: Any, fut: Any) -> None:
        """Task t<sid> of a "future" waitfor is done: its outcome becomes *fut*'s.

        A done callback, so that a task cancelled before its first step resolves it too.
        """
        if fut.done():
            self.note(f"t{sid} w{sid} future already {outcome(fut)}")
        elif task.cancelled():
            fut.cancel()
        elif task.exception() is not None:
            fut.set_exception(task.exception())
        else:
            fut.set_result(task.result())

    # outside events

    def fire(self, index: int, event: List[Any]) -> None:
        where, kind = f"e{index}", event[1]
        if kind == "cancel":
            result = self.cancel(self.tasks.get(event[2]), event[3])
            self.note(f"{where} cancel t{event[2]} -> {result}")
        elif kind == "tgcancel":
            group = self.groups.get(event[2])
            if group is not None:
                group.cancel()
            self.note(f"{where} g{event[2]}.cancel() {'ok' if group is not None else 'absent'}")
        else:
            self.reschedule(where, event[2], event[3])

    # driving the loop

    def until(self, fut: Any) -> None:
        while not fut.done():
            try:
                self.loop.run_until_complete(fut)
            except Stuck:
                raise
            except (KeyboardInterrupt, SystemExit) as exc:
                # Out of a task's step and through the loop: run it on.
                self.note_exc("escaped", exc, state=False)
            except BaseException:
                pass  # the root task's own outcome: recorded at the end

    def all_done(self, tasks: List[Any]) -> Any:
        fut = self.loop.create_future()
        left = [len(tasks)]

        def one_done(_: Any) -> None:
            left[0] -= 1
            if not left[0] and not fut.done():
                fut.set_result(None)

        for task in tasks:
            task.add_done_callback(one_done)
        return fut

    def watch_settle(self) -> Any:
        """Mark where the backport suspends to take a withdrawn cancellation's delivery.

        Before 3.13 a C task's ``_must_cancel`` is read-only, so ``uncancel()`` cannot
        withdraw a cancellation already requested (gh-116720): the backport lets it be
        delivered at a suspension of its own (``settle_withdrawn``), where 3.13+ does
        not suspend. Other callbacks run meanwhile, so the traces may part from there.
        """
        from asyncio_compat import _taskgroup, _timeout

        original = _taskgroup.settle_withdrawn
        loop = self.loop

        async def watched(task: Any) -> Any:
            mark, before = len(self.trace), loop.iterations
            try:
                return await original(task)
            finally:
                if loop.iterations != before and self.recording:
                    self.trace.insert(mark, SETTLE_MARK)

        _taskgroup.settle_withdrawn = _timeout.settle_withdrawn = watched  # type: ignore

        def restore() -> None:
            _taskgroup.settle_withdrawn = _timeout.settle_withdrawn = original  # type: ignore

        return restore

    def run(self) -> Trace:
        restores = []
        if self.impl is BACKPORT:
            restores.append(backport_timeout_in_wait_for())
        if self.impl in (BACKPORT, BACKPORT_SHIPPED) and sys.version_info < (3, 13):
            restores.append(self.watch_settle())
        try:
            return self.run_loop()
        finally:
            for restore in restores:
                restore()

    def run_loop(self) -> Trace:
        loop = self.loop
        loop.set_exception_handler(self.exception_handler)
        loop.set_task_factory(self.task_factory)
        for index, event in enumerate(self.scenario["events"]):
            loop.call_at(event[0], self.fire, index, event)
        try:
            root = loop.create_task(self.run_task(0, self.scenario["root"]))
            self.register(0, root)
            self.until(root)
            while True:  # tasks that outlive the root: shielded ones
                pending = [task for task in self.tasks.values() if not task.done()]
                if not pending:
                    # And any the implementation made and left running: a wait_for
                    # that wraps its awaitable in a task must not leave it behind.
                    known = set(self.tasks.values())
                    pending = [task for task in asyncio.all_tasks(loop) if task not in known]
                    if not pending:
                        break
                    self.note(f"unknown tasks left running: {len(pending)}")
                self.until(self.all_done(pending))
        except Stuck as exc:
            self.note(f"stuck {exc}")
        for label, task in self.tasks.items():
            self.note(f"final t{label} {outcome(task)}")
        self.recording = False
        for task in self.tasks.values():
            if not task.done():  # only when stuck
                task.cancel()
        loop.close()
        return self.trace


def backport_timeout_in_wait_for() -> Callable[[], None]:
    """Make the backport's ``wait_for`` use the backport's ``timeout()``, as it does
    before 3.13, until the returned function is called.

    From 3.13 it runs on the stdlib's ``timeout()`` (asyncio_compat/_waitfor.py), and
    3.15's run would only compare the stdlib with itself: this way every interpreter,
    3.15 above all, checks the code that 3.8-3.12 run.
    """
    from asyncio_compat import _timeout, _waitfor

    original = _waitfor._timeout
    shipped = asyncio.timeout if sys.version_info >= (3, 13) else _timeout.timeout
    if original is not shipped:
        raise AssertionError("_waitfor._timeout is no longer the timeout(): fix the harness")
    _waitfor._timeout = _timeout.timeout  # type: ignore[assignment]

    def restore() -> None:
        _waitfor._timeout = original  # type: ignore[assignment]

    return restore


def run(scenario: Scenario, impl: Impl) -> Trace:
    """The trace of *scenario* run against *impl* on a fresh virtual-time loop."""
    return _Run(scenario, impl).run()


def differs(scenario: Scenario) -> bool:
    """Do the stdlib (3.15+) and the backport give *scenario* different traces?"""
    assert STDLIB is not None
    return run(scenario, STDLIB) != run(scenario, BACKPORT)


# -- what differs between interpreters, by design -------------------------------------

# A line of a trace from where on it may part from 3.15's, by design; before 3.13 only.
DIVERGES = "diverges: "
SETTLE_MARK = DIVERGES + "the backport suspends here to settle a withdrawn cancellation (gh-116720)"
WITHDRAW_MARK = DIVERGES + "uncancel() could not withdraw a pending cancellation (gh-116720)"


def runnable(scenario: Scenario) -> bool:
    """Can this interpreter run *scenario* at all? Eager tasks need 3.12 (gh-97696)."""
    return EAGER_TASKS or not scenario.get("eager")


_CANCELLED_ARGS = re.compile(r"CancelledError\([^()]*\)")
PYPY = sys.implementation.name == "pypy"


def _strip_links(line: str, word: str, after: Optional[str] = None) -> str:
    # Remove every " <word ...>" link, with whatever it nests; with *after*, only the
    # links of an exception whose rendering ends the text before them as *after* does.
    marker = f" <{word} "
    start = -1
    while True:
        start = line.find(marker, start + 1)
        if start < 0:
            return line
        if after is not None and not line.endswith(after, 0, start):
            continue
        depth, end = 0, start + 1
        for end in range(start + 1, len(line)):
            if line[end] == "<":
                depth += 1
            elif line[end] == ">":
                depth -= 1
                if not depth:
                    break
        line = line[:start] + line[end + 1 :]
        start -= 1


def normalise(trace: Trace) -> Trace:
    """The part of a 3.15 trace that this interpreter must reproduce exactly.

    - Before 3.11, CancelledError's arguments are dropped: its message is not carried
      from ``cancel(msg)`` to the CancelledError that ends the task (bpo-45390), and 3.8
      has no ``cancel(msg)`` at all (bpo-31033, 3.9).
    - Before 3.11, the ``<during ...>`` link of a CancelledError is dropped: a task that
      awaits a cancelled task or future gets a new CancelledError whose ``__context__``
      is the one that ended it (``Future._make_cancelled_error()``, bpo-31033, 3.9);
      3.11 gives the awaiter that very exception instead (bpo-45390).
    - Before 3.9, and on PyPy, ``<during ...>`` links (``__context__``) are dropped:
      3.8's ``coroutine.throw()`` does not chain the exception it throws in to the one
      being handled (bpo-29587, 3.9), so a CancelledError delivered in an ``except`` or
      ``finally`` block has no context; PyPy's implicit chaining differs from CPython's
      in such blocks and after a ``with`` block that suppressed an exception.
    """
    out = list(trace)
    if sys.version_info < (3, 11):
        out = [_CANCELLED_ARGS.sub("CancelledError()", line) for line in out]
        out = [_strip_links(line, "during", after="CancelledError()") for line in out]
    if sys.version_info < (3, 9) or PYPY:
        out = [_strip_links(line, "during") for line in out]
    return out


def comparable(expected: Trace, got: Trace) -> Tuple[Trace, Trace]:
    """The parts of a stored 3.15 trace and of this interpreter's that must be equal.

    Both are normalised, and compared only up to a line that says the traces may part
    there (``DIVERGES``). Before 3.13 a C task's pending cancellation cannot be withdrawn
    (``_must_cancel`` is read-only; 3.13 withdraws it as ``uncancel()`` reaches zero,
    gh-116720):

    - the backport's TaskGroup and timeout then take its delivery at a suspension of their
      own, where 3.13+ does not suspend, and other callbacks run meanwhile
      (``SETTLE_MARK``);
    - a direct ``uncancel()`` leaves it pending: the task gets a CancelledError at its
      next suspension, or ends cancelled (``WITHDRAW_MARK``; the README says so).
    """
    expected, got = normalise(expected), normalise(got)
    for cut, line in enumerate(got):
        if line.startswith(DIVERGES):
            return expected[:cut], got[:cut]
    return expected, got
