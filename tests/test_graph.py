"""Call-graph introspection (``asyncio.graph``, 3.14): the backport on every version, and
the stdlib's on 3.14+ with the same expectations, on asyncio's loop and uvloop.

Before 3.14 the awaited-by links are recovered from the futures' done callbacks when a
graph is captured; on 3.14+ the recovery is also checked against the stdlib's records.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import gc
import io
import re
import subprocess
import sys
import types
import weakref
from typing import Any, List

import pytest
from conftest import LOOPS, _new_loop

import asyncio_compat
from asyncio_compat import _awaitedby, _context, _graph, backport

GRAPHS = [pytest.param(backport, id="backport")]
if sys.version_info >= (3, 14):  # 3.14+: gh-91048, asyncio.graph
    GRAPHS.append(pytest.param(asyncio, id="stdlib"))


@pytest.fixture(params=GRAPHS)
def graph(request: pytest.FixtureRequest) -> Any:
    """The module whose capture/format/print_call_graph are under test."""
    return request.param


def shape(g: Any) -> Any:
    """A graph as nested lists: [name, [code names of the call stack], [sorted waiters]]."""
    future = g.future
    name = future.get_name() if isinstance(future, asyncio.Task) else "F"
    stack = [entry.frame.f_code.co_name for entry in g.call_stack]
    return [name, stack, sorted(shape(p) for p in g.awaited_by)]


def waiters(g: Any) -> List[str]:
    """The names of the tasks (``F`` for futures) directly awaiting a graph's future."""
    return sorted(shape(p)[0] for p in g.awaited_by)


async def settle() -> None:
    for _ in range(8):
        await asyncio.sleep(0)


# --- the API ------------------------------------------------------------------------------


def test_dataclasses():
    """The two records are frozen dataclasses with 3.14's fields, and no ``__dict__``."""
    assert ["frame"] == [f.name for f in dataclasses.fields(backport.FrameCallGraphEntry)]
    assert ["future", "call_stack", "awaited_by"] == [
        f.name for f in dataclasses.fields(backport.FutureCallGraph)
    ]
    entry = backport.FrameCallGraphEntry(sys._getframe())
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.frame = None  # type: ignore[misc]
    assert not hasattr(entry, "__dict__")
    assert backport.FrameCallGraphEntry(entry.frame) == entry


def test_no_running_loop_and_no_future(graph):
    """Without a running loop, capturing the current task is a ``RuntimeError``."""
    with pytest.raises(RuntimeError, match="outside of a running event loop"):
        graph.capture_call_graph()


def test_future_captured_outside_the_loop(graph):
    """A future can be captured without a running loop: no call stack, no waiter."""
    loop = asyncio.new_event_loop()
    try:
        fut = loop.create_future()
        g = graph.capture_call_graph(fut)
        assert (fut, (), ()) == (g.future, g.call_stack, g.awaited_by)
        assert graph.format_call_graph(fut).startswith("* Future(id=0x")
    finally:
        loop.close()


def test_outside_any_task(graph, run):
    """In a plain loop callback there is no current task: None, and an empty text."""

    async def main():
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def callback():
            done.set_result((graph.capture_call_graph(), graph.format_call_graph()))

        loop.call_soon(callback)
        return await done

    assert (None, "") == run(main())


def test_not_a_future(graph, run):
    """Anything but an asyncio future or task is a ``TypeError``."""

    async def main():
        with pytest.raises(TypeError, match=r"compatible with asyncio\.Future"):
            graph.capture_call_graph(object())

    run(main())


def test_print_call_graph(graph, run):
    """``print_call_graph`` prints ``format_call_graph``'s text and a newline; its own
    frame is the top of the stack at the default depth, as in 3.14."""

    async def main():
        buf = io.StringIO()
        graph.print_call_graph(file=buf)
        return buf.getvalue(), graph.format_call_graph(depth=1)

    printed, formatted = run(main())
    assert printed.endswith("\n")
    assert "in print_call_graph()" in printed.split("\n")[2]
    assert printed.split("\n")[0] == formatted.split("\n")[0]


BAD_ARGUMENTS = [
    pytest.param({"depth": "1"}, TypeError, "'str' object cannot be interpreted as an integer"),
    pytest.param({"depth": 1.0}, TypeError, "'float' object cannot be interpreted as an integer"),
    pytest.param({"limit": "1"}, TypeError, "'str' object cannot be interpreted as an integer"),
    pytest.param({"limit": 1.5}, TypeError, "'float' object cannot be interpreted as an integer"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), BAD_ARGUMENTS)
def test_bad_arguments_fail_at_the_call(graph, run, kwargs, error, message):
    """A *depth* or *limit* that is no integer is a ``TypeError`` (3.14 fails the same
    way for the current task, and ignores *depth* when given another future); so is a
    *file* without ``write()`` an ``AttributeError`` (``print()``'s). The backport fails
    at the call, with the message of ``sys._getframe()``, before capturing anything."""

    async def other(ev):
        await ev.wait()

    async def main():
        ev = asyncio.Event()
        task = asyncio.create_task(other(ev))
        await settle()
        errors = []
        for function in (graph.capture_call_graph, graph.format_call_graph):
            for future in (None, task):
                if graph is asyncio and future is task and "depth" in kwargs:
                    continue  # 3.14 ignores the depth of another future's graph
                with pytest.raises(error) as info:
                    function(future, **kwargs)
                errors.append(str(info.value))
        with pytest.raises(AttributeError) as info:
            graph.print_call_graph(task, file=42)
        errors.append(str(info.value))
        ev.set()
        await task
        return errors

    *errors, printing = run(main())
    assert "'int' object has no attribute 'write'" == printing
    if graph is backport:
        assert [message] * 4 == errors


def test_bad_arguments_of_the_backport_fail_whatever_the_future():
    """The backport checks *depth* even where 3.14 ignores it (another future's graph),
    and *file* before the graph is captured; a future that is none is a ``TypeError``
    before the other arguments are looked at."""
    loop = asyncio.new_event_loop()
    try:
        fut = loop.create_future()
        with pytest.raises(TypeError, match="'float' object cannot be interpreted"):
            backport.capture_call_graph(fut, depth=1.0)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"compatible with asyncio\.Future"):
            backport.format_call_graph(object(), limit="x")  # type: ignore[arg-type]
        with pytest.raises(AttributeError, match="'int' object has no attribute 'write'"):
            backport.print_call_graph(fut, file=42)  # type: ignore[arg-type]
        assert backport.format_call_graph(fut, depth=True, limit=False).startswith("* Future")
    finally:
        loop.close()


# --- call stacks --------------------------------------------------------------------------


def test_current_task_stack_and_depth(graph, run):
    """The current task's stack runs from the caller of ``capture_call_graph`` (depth 1)
    to the task's coroutine, through plain functions; *depth* skips frames."""

    def plain(depth):
        g = graph.capture_call_graph(depth=depth)
        return [entry.frame.f_code.co_name for entry in g.call_stack]

    async def inner():
        return plain(1), plain(2)

    async def main():
        return await inner()

    assert (["plain", "inner", "main"], ["inner", "main"]) == run(main())


def test_suspended_task_stack(graph, run):
    """A suspended task's stack follows its awaits down to the innermost coroutine;
    the walk stops at a future (no frame for it) and at a generator."""

    @types.coroutine
    def legacy(fut):
        yield from fut

    async def via_legacy(fut):
        await legacy(fut)

    async def deep(fut):
        await asyncio.wait_for(fut, None)

    async def main():
        fut = asyncio.get_running_loop().create_future()
        t1 = asyncio.create_task(deep(fut), name="deep")
        t2 = asyncio.create_task(via_legacy(fut), name="legacy")
        await settle()
        shapes = [shape(graph.capture_call_graph(t)) for t in (t1, t2)]
        fut.set_result(None)
        await asyncio.gather(t1, t2)
        return shapes

    assert [["deep", ["wait_for", "deep"], []], ["legacy", ["via_legacy"], []]] == run(main())


def test_finished_tasks_have_no_stack(graph, run):
    """A finished task, whatever its end, has an empty call stack (gh-156408)."""

    async def boom():
        raise ValueError

    async def main():
        done = asyncio.create_task(asyncio.sleep(0), name="done")
        failed = asyncio.create_task(boom(), name="failed")
        cancelled = asyncio.create_task(asyncio.Event().wait(), name="cancelled")
        cancelled.cancel()
        await asyncio.gather(done, failed, cancelled, return_exceptions=True)
        return [graph.capture_call_graph(t).call_stack for t in (done, failed, cancelled)]

    assert [(), (), ()] == run(main())


def test_limit(graph, run):
    """``limit`` keeps the outermost frames when positive, the innermost when negative,
    none at 0 (only the links), for the current task and for a suspended one."""

    async def c3(ev):
        await ev.wait()

    async def c2(ev):
        await c3(ev)

    async def c1(ev):
        await c2(ev)

    def stacks(future, limit):
        g = graph.capture_call_graph(future, limit=limit)
        return [e.frame.f_code.co_name for e in g.call_stack]

    async def inner2():
        found = []
        for limit in (None, 1, -1, 0):  # not a comprehension: a frame of its own before 3.12
            found.append(stacks(None, limit))
        return found

    async def inner1():
        return await inner2()

    async def main():
        ev = asyncio.Event()
        task = asyncio.create_task(c1(ev))
        await settle()
        suspended = [stacks(task, limit) for limit in (None, 1, -1, 2, -2, 0)]
        ev.set()
        await task
        return suspended, await inner1()

    suspended, current = run(main())
    assert [
        ["wait", "c3", "c2", "c1"],
        ["c1"],
        ["wait"],
        ["c2", "c1"],
        ["wait", "c3"],
        [],
    ] == suspended
    assert [["stacks", "inner2", "inner1", "main"], ["main"], ["stacks"], []] == current


def test_generators_in_the_current_stack(graph, run):
    """Frames of async generators and of sync generators are part of the current task's
    stack (a sync generator does not end it, gh-156988), and are named so."""

    def numbers(out):
        out.append(graph.format_call_graph())
        yield 1

    async def helper(out):
        for _ in numbers(out):
            pass

    async def agen(out):
        yield 0
        await helper(out)
        yield 1

    async def main():
        out = []
        async for _ in agen(out):
            pass
        return out[0]

    lines = [line.split(", in ")[-1] for line in run(main()).split("\n")[2:]]
    assert [
        "generator test_generators_in_the_current_stack.<locals>.numbers()",
        "async test_generators_in_the_current_stack.<locals>.helper()",
        "async generator test_generators_in_the_current_stack.<locals>.agen()",
        "async test_generators_in_the_current_stack.<locals>.main()",
    ] == lines


class Owner:
    """Functions of every kind, for their qualified names."""

    def method(self):
        return sys._getframe()

    @classmethod
    def klass(cls):
        return sys._getframe()

    @staticmethod
    def static():
        return sys._getframe()

    def __private(self):
        return sys._getframe()

    def private(self):
        return self.__private()


def module_function():
    return sys._getframe()


def test_qualified_names():
    """Each frame is named by its function's qualified name, on every version (code
    objects have ``co_qualname`` from 3.11 only): functions, methods, class and static
    methods, private methods, nested functions."""

    def nested():
        return sys._getframe()

    frames = [
        module_function(),
        Owner().method(),
        Owner.klass(),
        Owner.static(),
        Owner().private(),
        nested(),
    ]
    names = _graph.frame_names(frames)
    assert [
        "module_function",
        "Owner.method",
        "Owner.klass",
        "Owner.static",
        "Owner.__private",
        "test_qualified_names.<locals>.nested",
    ] == [names[f.f_code] for f in frames]


# --- awaited-by links ---------------------------------------------------------------------


def test_await_task_and_future(graph, run):
    """A task awaiting a task, and two tasks awaiting one future, are its waiters."""

    async def a2(fut):
        await fut

    async def a1(fut):
        await a2(fut)

    async def b1(fut):
        await fut

    async def main():
        fut = asyncio.get_running_loop().create_future()
        ta = asyncio.create_task(a1(fut), name="A")
        tb = asyncio.create_task(b1(fut), name="B")
        tc = asyncio.create_task(b1(ta), name="C")
        await settle()
        result = shape(graph.capture_call_graph(fut))
        fut.set_result(None)
        await asyncio.gather(ta, tb, tc)
        return result

    assert [
        "F",
        [],
        [["A", ["a2", "a1"], [["C", ["b1"], []]]], ["B", ["b1"], []]],
    ] == run(main())


def test_taskgroup_children(graph, run):
    """A TaskGroup's children are awaited by the group's parent task, until they end;
    the backport's group on every version, the stdlib's where it exists."""
    groups = [backport.TaskGroup]
    if sys.version_info >= (3, 11):
        groups.append(asyncio.TaskGroup)

    async def child(ev):
        await ev.wait()

    async def parent(group, ev, out):
        async with group() as tg:
            task = tg.create_task(child(ev), name="child")
            await settle()
            out.append(waiters(graph.capture_call_graph(task)))
            ev.set()
        out.append(waiters(graph.capture_call_graph(task)))

    async def main():
        out = []
        for group in groups:
            await asyncio.create_task(parent(group, asyncio.Event(), out), name="parent")
        return out

    assert [["parent"], []] * len(groups) == run(main())


def test_gather(graph, run):
    """gather()'s children are awaited by the task awaiting it; a child that outlives a
    failed gather() is awaited by nobody (gh-157213)."""

    async def child(ev):
        await ev.wait()

    async def fail():
        raise ValueError

    async def main():
        ev = asyncio.Event()
        tasks = [asyncio.create_task(child(ev), name=n) for n in ("a", "b", "survivor")]

        async def probe():
            await settle()
            result = waiters(graph.capture_call_graph(tasks[0]))
            ev.set()
            return result

        watcher = asyncio.create_task(probe())
        await asyncio.create_task(_gather(tasks[:2]), name="gatherer")
        seen = await watcher
        ev.clear()
        tasks[2] = asyncio.create_task(child(ev), name="survivor")
        with pytest.raises(ValueError, match=r"^$"):
            await asyncio.gather(tasks[2], fail())
        survivor = waiters(graph.capture_call_graph(tasks[2]))
        ev.set()
        await tasks[2]
        return seen, survivor

    assert (["gatherer"], []) == run(main())


async def _gather(tasks: List[Any]) -> None:
    await asyncio.gather(*tasks)


def test_shield_and_wait(graph, run):
    """The task inside shield() is awaited by the task awaiting the shield; the futures
    given to wait() by the task waiting."""

    async def child(ev):
        await ev.wait()

    async def shielding(task):
        await asyncio.shield(task)

    async def waiting(task):
        await asyncio.wait([task])

    async def main():
        ev = asyncio.Event()
        t1 = asyncio.create_task(child(ev), name="shielded")
        t2 = asyncio.create_task(child(ev), name="waited")
        s = asyncio.create_task(shielding(t1), name="shielding")
        w = asyncio.create_task(waiting(t2), name="waiting")
        await settle()
        found = [waiters(graph.capture_call_graph(t)) for t in (t1, t2)]
        ev.set()
        await asyncio.gather(s, w)
        return found

    assert [["shielding"], ["waiting"]] == run(main())


def test_stdlib_wait_for_and_as_completed(graph, run):
    """The stdlib's wait_for() and as_completed() of this interpreter: the awaited task
    is awaited by the waiting task (recovered before 3.14, from either design)."""

    async def child(ev):
        await ev.wait()

    async def waiting(task):
        await asyncio.wait_for(task, 10)

    async def completing(task):
        for next_done in asyncio.as_completed([task]):
            await next_done

    async def main():
        ev = asyncio.Event()
        t1 = asyncio.create_task(child(ev), name="waited")
        t2 = asyncio.create_task(child(ev), name="completed")
        w = asyncio.create_task(waiting(t1), name="waiting")
        c = asyncio.create_task(completing(t2), name="completing")
        await settle()
        found = [waiters(graph.capture_call_graph(t)) for t in (t1, t2)]
        ev.set()
        await asyncio.gather(w, c)
        return found

    assert [["waiting"], ["completing"]] == run(main())


def test_own_wait_for_and_as_completed(graph, run):
    """This package's wait_for(fut, 0) and as_completed() link the awaitable to the
    waiting task (recorded from 3.14, read from their callbacks before); the links are
    gone once the awaitable is done or the iteration timed out."""

    async def stubborn(cleanup):
        try:
            await asyncio.Event().wait()
        finally:
            await cleanup.wait()

    async def zero(task):
        with pytest.raises(asyncio.TimeoutError):
            await backport.wait_for(task, 0)

    async def completing(task):
        with pytest.raises(asyncio.TimeoutError):
            async for _ in backport.as_completed([task], timeout=0.2):
                pass

    async def main():
        cleanup = asyncio.Event()
        t1 = asyncio.create_task(stubborn(cleanup), name="stubborn")
        t2 = asyncio.create_task(asyncio.Event().wait(), name="waited")
        z = asyncio.create_task(zero(t1), name="zero")
        c = asyncio.create_task(completing(t2), name="completing")
        await settle()
        found = [waiters(graph.capture_call_graph(t)) for t in (t1, t2)]
        cleanup.set()
        await asyncio.gather(z, c)
        found += [waiters(graph.capture_call_graph(t)) for t in (t1, t2)]
        t2.cancel()
        await asyncio.gather(t2, return_exceptions=True)
        return found

    assert [["zero"], ["completing"], [], []] == run(main())


def test_custom_links(graph, run):
    """``future_add_to_awaited_by``/``future_discard_from_awaited_by`` link any two
    asyncio futures, and ignore anything else."""

    async def main():
        loop = asyncio.get_running_loop()
        fut, waiter = loop.create_future(), loop.create_future()
        graph.future_add_to_awaited_by(fut, waiter)
        graph.future_add_to_awaited_by(fut, object())
        graph.future_add_to_awaited_by(object(), waiter)
        linked = shape(graph.capture_call_graph(fut))
        graph.future_discard_from_awaited_by(fut, waiter)
        graph.future_discard_from_awaited_by(fut, object())
        return linked, shape(graph.capture_call_graph(fut))

    assert (["F", [], [["F", [], []]]], ["F", [], []]) == run(main())


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="reference counting")
@pytest.mark.skipif(sys.version_info >= (3, 14), reason="the stdlib keeps the links from 3.14")
def test_links_hold_nothing_alive(run):
    """Before 3.14 a recorded link holds neither the future nor its waiter."""

    async def main():
        loop = asyncio.get_running_loop()
        fut, waiter = loop.create_future(), loop.create_future()
        backport.future_add_to_awaited_by(fut, waiter)
        refs = weakref.ref(fut), weakref.ref(waiter)
        del fut, waiter
        return refs

    refs = run(main())
    gc.collect()
    assert [None, None] == [ref() for ref in refs]
    assert 0 == len(_awaitedby._AWAITERS)


async def _in_context_leaf(ev: asyncio.Event) -> None:
    await ev.wait()


def called(text: str) -> List[str]:
    """The functions of a formatted graph's call stacks, in order, without their places."""
    return re.findall(r"^ *\|   File .*, in (.*)\(\)$", text, flags=re.MULTILINE)


@pytest.mark.parametrize("kind", LOOPS)
def test_tasks_run_in_a_context(graph, kind):
    """A task made with ``create_task(context=...)``, one running ``run_in_context()``'s
    wrapper, and the main task of ``asyncio_compat.run()`` show the user's coroutines, as
    in 3.15 (before 3.11 the coroutine is wrapped to run in the context, gh-91150: the
    walk goes through the wrapper); formatted from a loop callback, where all wait."""

    async def main():
        ev = asyncio.Event()
        loop = asyncio.get_running_loop()
        async with backport.TaskGroup() as tg:
            child = tg.create_task(_in_context_leaf(ev), context=contextvars.copy_context())
            wrapped = asyncio.create_task(
                _context.run_in_context(_in_context_leaf(ev), contextvars.copy_context())
            )
            await settle()
            done = loop.create_future()

            def callback():
                try:
                    done.set_result([graph.format_call_graph(t) for t in (child, wrapped)])
                except Exception as exc:
                    done.set_exception(exc)

            loop.call_soon(callback)
            try:
                texts = await done
            finally:
                ev.set()
            await wrapped
        return [called(text) for text in texts]

    main_name = "async test_tasks_run_in_a_context.<locals>.main"
    leaf = ["async Event.wait", "async _in_context_leaf"]
    assert [[*leaf, main_name], leaf] == asyncio_compat.run(
        main(), loop_factory=lambda: _new_loop(kind)
    )


async def _link(n: int, ev: asyncio.Event, box: List[Any]) -> None:
    if n:
        await asyncio.create_task(_link(n - 1, ev, box), name=f"link-{n - 1}")
    else:
        box.append(asyncio.current_task())
        await ev.wait()


def _chain(graph: Any, depth: int, limit: Any) -> Any:
    """A chain of *depth* + 1 tasks each awaiting the next; the innermost one's graph and
    its text (of the backport and, where *graph* is not it, of *graph*)."""

    async def main():
        ev, box = asyncio.Event(), []
        top = asyncio.create_task(_link(depth, ev, box), name=f"link-{depth}")
        while not box:
            await asyncio.sleep(0)
        await asyncio.sleep(0)
        found = (
            graph.capture_call_graph(box[0], limit=limit),
            graph.format_call_graph(box[0], limit=limit),
            backport.format_call_graph(box[0], limit=limit),
        )
        ev.set()
        await top
        return found

    return main()


def test_a_chain_of_tasks_as_deep_as_3_14_goes(graph, run):
    """A chain of 500 tasks each awaiting the next (3.14's recursion manages about 900):
    the same text from the backport as from the stdlib (3.14+), each task once."""
    _g, text, backport_text = run(_chain(graph, 500, None))
    assert text == backport_text
    lines = text.split("\n")
    assert 501 == sum(line.lstrip().startswith("* Task(name=") for line in lines)
    assert lines[0].startswith("* Task(name='link-0', id=0x")
    assert "in async _link()" in lines[-1]
    assert lines[-1].startswith(" " * 4 * 500 + "  |")


def test_a_chain_of_tasks_deeper_than_the_recursion_limit(run):
    """A chain of 5,000 tasks each awaiting the next: the backport captures and formats
    it without recursing per task (3.14's raises ``RecursionError``)."""
    g, text, _ = run(_chain(backport, 5000, 0))
    names = []
    while True:
        names.append(g.future.get_name())
        assert () == g.call_stack
        if not g.awaited_by:
            break
        (g,) = g.awaited_by
    assert [f"link-{n}" for n in range(5001)] == names
    lines = text.split("\n")
    assert 2 * 5001 - 1 == len(lines)
    assert " " * 4 * 5000 + "* Task(name='link-5000', id=0x" == lines[-1][: 4 * 5000 + 30]


def test_links_recovered_through_thousands_of_nested_helpers(run, monkeypatch):
    """A future under 5,000 nested ``gather()``s is awaited by the task awaiting the
    outermost: the links recovered from the helpers' callbacks are followed without
    recursing per helper (``RecursionError`` before)."""
    monkeypatch.setattr(_graph, "_LINKS", "recovered")  # what 3.8-3.13 do

    async def waiting(fut):
        await fut

    async def main():
        fut = asyncio.get_running_loop().create_future()
        outer = fut
        for _ in range(5000):
            outer = asyncio.gather(outer)
        task = asyncio.create_task(waiting(outer), name="waiting")
        await settle()
        found = waiters(backport.capture_call_graph(fut, limit=0))
        fut.set_result(None)
        await task
        return found

    assert ["waiting"] == run(main())


def test_deadlock_cycle(graph, run):
    """Tasks waiting for one another: the graph shows the cycle once and stops (3.14's
    recurses until ``RecursionError``). B awaits A; A is linked as B's waiter by hand
    (two tasks awaiting each other cannot even be cancelled: Task.cancel() recurses)."""
    if graph is asyncio:
        pytest.skip("3.14's capture_call_graph() recurses forever on a cycle of waits")

    async def main():
        fut = asyncio.get_running_loop().create_future()
        a = asyncio.create_task(_await(fut), name="A")
        b = asyncio.create_task(_await(a), name="B")
        graph.future_add_to_awaited_by(b, a)
        await settle()
        result = shape(graph.capture_call_graph(a, limit=0))
        graph.future_discard_from_awaited_by(b, a)
        fut.set_result(None)
        await b
        return result

    assert ["A", [], [["B", [], [["A", [], []]]]]] == run(main())


@pytest.mark.skipif(sys.version_info < (3, 14), reason="3.14+: the stdlib records the links")
def test_recovery_matches_the_stdlib_records(run):
    """On 3.14+ the links recovered from the objects are the ones the stdlib recorded:
    await, TaskGroup (stdlib and backport), gather, shield, wait, wait_for; the
    backport's as_completed and wait_for(fut, 0)."""

    async def child(ev):
        await ev.wait()

    async def stubborn(ev):
        try:
            await ev.wait()
        finally:
            await ev.wait()  # a cancellation does not end it before ev is set

    async def main():
        ev = asyncio.Event()
        made = {}

        async def body():
            async with asyncio.TaskGroup() as tg:
                made["tg"] = tg.create_task(child(ev))
                async with backport.TaskGroup() as btg:
                    made["btg"] = btg.create_task(child(ev))
                    made["await"] = asyncio.create_task(child(ev))
                    made["gather"] = asyncio.create_task(child(ev))
                    made["shield"] = asyncio.create_task(child(ev))
                    made["wait"] = asyncio.create_task(child(ev))
                    made["wait_for"] = asyncio.create_task(child(ev))
                    made["as_completed"] = asyncio.create_task(child(ev))
                    made["wait_for_0"] = asyncio.create_task(stubborn(ev))
                    # Each helper is called in the task that awaits it: 3.14 records
                    # the caller, the recovery finds the awaiting task.
                    btg.create_task(_await(made["await"]))
                    btg.create_task(_gather([made["gather"]]))
                    btg.create_task(_shield(made["shield"]))
                    btg.create_task(_wait(made["wait"]))
                    btg.create_task(_wait_for(made["wait_for"]))
                    btg.create_task(_as_completed(made["as_completed"]))
                    btg.create_task(_wait_for_0(made["wait_for_0"]))
                    await settle()
                    recorded = {k: set(t._asyncio_awaited_by or ()) for k, t in made.items()}
                    _graph._LINKS = "recovered"
                    try:
                        recovered = {k: set(_graph.awaited_by(t)) for k, t in made.items()}
                    finally:
                        _graph._LINKS = "recorded"
                    ev.set()
            return recorded, recovered

        return await body()

    recorded, recovered = run(main())
    assert all(recorded.values())
    assert recorded == recovered


async def _await(awaitable: Any) -> None:
    await awaitable


async def _shield(task: Any) -> None:
    await asyncio.shield(task)


async def _wait(task: Any) -> None:
    await asyncio.wait([task])


async def _wait_for(task: Any) -> None:
    await asyncio.wait_for(task, 10)


async def _as_completed(task: Any) -> None:
    async for _ in backport.as_completed([task]):
        pass


async def _wait_for_0(task: Any) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await backport.wait_for(task, 0)


# --- costs --------------------------------------------------------------------------------


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="the stdlib records them from 3.14")
def test_nothing_recorded(run):
    """Before 3.14 the backport's TaskGroup, as_completed and wait_for record no link:
    they cost nothing until a graph is captured, which reads the links from the objects."""

    async def main():
        async with backport.TaskGroup() as tg:
            tasks = [tg.create_task(asyncio.sleep(0)) for _ in range(3)]
            async for _ in backport.as_completed(tasks):
                pass
            await backport.wait_for(asyncio.sleep(0), 10)
            return len(_awaitedby._AWAITERS)

    assert 0 == run(main())


def test_not_imported_until_used():
    """``import asyncio_compat`` and using its TaskGroup do not import the graph code."""
    code = (
        "import asyncio, sys, asyncio_compat\n"
        "async def main():\n"
        "    async with asyncio_compat.TaskGroup() as tg:\n"
        "        tg.create_task(asyncio.sleep(0))\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.startswith('asyncio_compat.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert "asyncio_compat._graph" not in out
    assert "asyncio_compat.tasktree" not in out
