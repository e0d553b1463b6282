"""asyncio_compat.tasktree: every task of a loop as a tree, and its dump on a signal,
on asyncio's loop and uvloop, in this process and in a stuck subprocess."""

from __future__ import annotations

import asyncio
import io
import os
import queue
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import pytest

import asyncio_compat
from asyncio_compat import backport, tasktree

HERE = os.path.abspath(__file__)
posix_only = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="no SIGUSR1 here")


def clean(text: str) -> str:
    """The tree with this file's path shortened and the library's frames' places gone
    (they differ between versions)."""
    text = text.replace(HERE, "test_tasktree.py")
    return re.sub(r" (/|[A-Za-z]:\\)\S+:\d+$", " <library>", text, flags=re.MULTILINE)


async def settle() -> None:
    for _ in range(8):
        await asyncio.sleep(0)


async def leaf(ev: asyncio.Event) -> None:
    await ev.wait()


async def branch(ev: asyncio.Event) -> None:
    async with backport.TaskGroup() as tg:
        tg.create_task(leaf(ev), name="leaf-1")
        tg.create_task(leaf(ev), name="leaf-2")


async def awaiting(task: Any) -> None:
    await task


async def service(ev: asyncio.Event, inspect: Any) -> str:
    async with backport.TaskGroup() as tg:
        tg.create_task(branch(ev), name="branch")
        other = tg.create_task(leaf(ev), name="other")
        tg.create_task(awaiting(other), name="awaiting")
        await settle()
        tree = await inspect()
        ev.set()
    return str(tree)


def from_callback(loop: asyncio.AbstractEventLoop, **kwargs: Any) -> Any:
    """The tree made in a plain callback of *loop*, where no task runs."""
    done = loop.create_future()
    loop.call_soon(lambda: done.set_result(tasktree.format_task_tree(loop, **kwargs)))
    return done


def numbered(text: str) -> str:
    return re.sub(r"(test_tasktree\.py):\d+", r"\1:N", clean(text))


SERVICE_TASKS = """\
├── (T) awaiting
│   └──  awaiting test_tasktree.py:N
│       └── (T) other
│           └──  leaf test_tasktree.py:N
│               └──  Event.wait <library>
├── (T) branch
│   └──  branch test_tasktree.py:N
│       └──  TaskGroup.__aexit__ <library>
│           └──  TaskGroup._aexit <library>
│               ├── (T) leaf-1
│               │   └──  leaf test_tasktree.py:N
│               │       └──  Event.wait <library>
│               └── (T) leaf-2
│                   └──  leaf test_tasktree.py:N
│                       └──  Event.wait <library>
└── (T) other (see above)"""


def test_tree_from_a_callback(run):
    """From a loop callback every task is suspended: the root task, down the frames it
    waits in, the tasks it awaits there; a task awaited twice is shown once in full."""

    async def main():
        asyncio.current_task().set_name("main")  # type: ignore[union-attr]
        loop = asyncio.get_running_loop()
        return await service(asyncio.Event(), lambda: from_callback(loop))

    expected = (
        "└── (T) main\n"
        "    └──  test_tree_from_a_callback.<locals>.main test_tasktree.py:N\n"
        "        └──  service test_tasktree.py:N\n"
    )
    expected += textwrap.indent(SERVICE_TASKS, " " * 12)
    assert expected == numbered(run(main()))


def test_tree_from_the_running_task(run):
    """The task that asks shows its live frames, from the caller of
    ``format_task_tree`` on."""

    async def inspect():
        return tasktree.format_task_tree()

    async def main():
        asyncio.current_task().set_name("main")  # type: ignore[union-attr]
        return await service(asyncio.Event(), inspect)

    expected = (
        "└── (T) main\n"
        "    └──  test_tree_from_the_running_task.<locals>.main test_tasktree.py:N\n"
        "        └──  service test_tasktree.py:N\n"
        "            └──  test_tree_from_the_running_task.<locals>.inspect test_tasktree.py:N\n"
    )
    expected += textwrap.indent(SERVICE_TASKS, " " * 16)
    assert expected == numbered(run(main()))


def test_tree_limit_and_empty(run):
    """``limit`` keeps the innermost frames of each task (0: none); a loop without a
    task gives ``""``; a negative limit is an error."""

    async def main():
        ev = asyncio.Event()
        task = asyncio.create_task(leaf(ev), name="lone")
        await settle()
        loop = asyncio.get_running_loop()
        one = await from_callback(loop, limit=1)
        none = await from_callback(loop, limit=0)
        with pytest.raises(ValueError, match="limit"):
            tasktree.format_task_tree(limit=-1)
        ev.set()
        await task
        return one, none

    one, none = run(main())
    assert "└── (T) lone\n    └──  Event.wait <library>" in clean(one)
    assert "└── (T) lone" in none.split("\n")
    empty = asyncio.new_event_loop()
    try:
        assert "" == tasktree.format_task_tree(empty)
    finally:
        empty.close()


def test_tree_of_a_cycle(run):
    """Tasks that wait for one another have no root: the first by name starts the tree,
    and the cycle is marked where it comes round."""

    async def main():
        fut = asyncio.get_running_loop().create_future()
        a = asyncio.create_task(awaiting(fut), name="A")
        b = asyncio.create_task(awaiting(a), name="B")
        backport.future_add_to_awaited_by(b, a)  # A awaits B too, by a custom link
        await settle()
        text = await from_callback(asyncio.get_running_loop(), limit=0)
        backport.future_discard_from_awaited_by(b, a)
        fut.set_result(None)
        await b
        return text

    lines = run(main()).split("\n")
    assert ["└── (T) A", "    └── (T) B", "        └── (T) A (awaits itself: a cycle)"] == [
        line for line in lines if "(T) A" in line or "(T) B" in line
    ][:3]


def test_print_task_tree(run):
    """``print_task_tree`` prints the same text as ``format_task_tree``."""

    async def main():
        buf = io.StringIO()
        tasktree.print_task_tree(file=buf, limit=0)
        return buf.getvalue(), tasktree.format_task_tree(limit=0)

    printed, formatted = run(main())
    assert formatted + "\n" == printed


def test_public_module():
    """The tree lives in ``asyncio_compat.tasktree``, not among the stdlib's names."""
    assert "format_task_tree" not in dir(asyncio_compat)
    assert ["SignalDump", "dump_on_signal", "format_task_tree", "print_task_tree"] == sorted(
        tasktree.__all__
    )


# --- the dump on a signal -----------------------------------------------------------------


@posix_only
def test_dump_on_signal(run):
    """SIGUSR1 prints the tree, with a header naming the process; ``uninstall()`` puts
    back the signal's former handler, and a second uninstall does nothing."""
    before = signal.getsignal(signal.SIGUSR1)

    async def main():
        buf = io.StringIO()
        ev = asyncio.Event()
        task = asyncio.create_task(leaf(ev), name="stuck")
        with tasktree.dump_on_signal(file=buf) as dump:
            await settle()
            os.kill(os.getpid(), signal.SIGUSR1)
            for _ in range(100):
                if buf.getvalue():
                    break
                await asyncio.sleep(0.01)
        dump.uninstall()
        ev.set()
        await task
        return buf.getvalue()

    text = run(main())
    assert before == signal.getsignal(signal.SIGUSR1)
    header, *tree = text.split("\n")
    assert f"asyncio task tree of pid {os.getpid()} on SIGUSR1 (2 tasks):" == header
    assert "    └──  leaf test_tasktree.py:N" in numbered("\n".join(tree))


@posix_only
def test_dump_on_another_signal_and_busy_signal(run):
    """Another signal can be chosen; one the loop already handles is refused."""

    async def main():
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGUSR2, lambda: None)
        try:
            if hasattr(loop, "_signal_handlers"):  # asyncio's loops tell; uvloop does not
                with pytest.raises(ValueError, match="already handles"):
                    tasktree.dump_on_signal(signal.SIGUSR2)
        finally:
            loop.remove_signal_handler(signal.SIGUSR2)
        buf = io.StringIO()
        with tasktree.dump_on_signal(signal.SIGUSR2, file=buf):
            os.kill(os.getpid(), signal.SIGUSR2)
            for _ in range(100):
                if buf.getvalue():
                    break
                await asyncio.sleep(0.01)
        return buf.getvalue()

    assert "on SIGUSR2 (1 tasks):" in run(main()).split("\n")[0]


@posix_only
def test_dump_without_loop_signal_handlers():
    """A loop that cannot handle signals (Windows' proactor) gets a Python signal
    handler that schedules the dump on the loop; uninstalling restores the old one."""

    class NoSignals(asyncio.SelectorEventLoop):  # type: ignore[misc,name-defined]
        def add_signal_handler(self, *args: Any) -> None:
            raise NotImplementedError

    before = signal.getsignal(signal.SIGUSR1)

    async def main():
        buf = io.StringIO()
        with tasktree.dump_on_signal(file=buf):
            assert before != signal.getsignal(signal.SIGUSR1)
            os.kill(os.getpid(), signal.SIGUSR1)
            for _ in range(100):
                if buf.getvalue():
                    break
                await asyncio.sleep(0.01)
        return buf.getvalue()

    loop = NoSignals()
    try:
        text = loop.run_until_complete(main())
    finally:
        loop.close()
    assert before == signal.getsignal(signal.SIGUSR1)
    assert text.startswith(f"asyncio task tree of pid {os.getpid()} on SIGUSR1")


STUCK = """\
import asyncio, sys
from asyncio_compat import TaskGroup, tasktree

async def wait_for_reply(replies, name):
    return await replies[name]

async def worker(replies, me, peer):
    answer = await wait_for_reply(replies, peer)
    replies[me].set_result(answer)

async def main():
    tasktree.dump_on_signal()
    loop = asyncio.get_running_loop()
    replies = {"alice": loop.create_future(), "bob": loop.create_future()}
    async with TaskGroup() as tg:
        tg.create_task(worker(replies, "alice", "bob"), name="alice")
        tg.create_task(worker(replies, "bob", "alice"), name="bob")
        loop.call_soon(lambda: print("stuck", flush=True))

asyncio.run(main())
"""


EXPECTED_DUMP = """\
asyncio task tree of pid {pid} on SIGUSR1 (3 tasks):
└── (T) Task-1
    └──  main stuck.py:N
        └──  TaskGroup.__aexit__ <library>
            └──  TaskGroup._aexit <library>
                ├── (T) alice
                │   └──  worker stuck.py:N
                │       └──  wait_for_reply stuck.py:N
                └── (T) bob
                    └──  worker stuck.py:N
                        └──  wait_for_reply stuck.py:N
"""


@posix_only
def test_stuck_process_dumps_on_sigusr1(tmp_path):
    """A process whose tasks wait for each other forever prints its tree to stderr when
    it gets SIGUSR1, and goes on waiting."""
    script = tmp_path / "stuck.py"
    script.write_text(STUCK, encoding="utf-8")
    env = dict(os.environ)
    src = os.path.dirname(os.path.dirname(os.path.abspath(asyncio_compat.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    stderr = proc.stderr
    reader = threading.Thread(target=lambda: [lines.put(x) for x in stderr], daemon=True)
    reader.start()
    try:
        assert "stuck\n" == proc.stdout.readline()
        proc.send_signal(signal.SIGUSR1)
        got = []
        for _ in EXPECTED_DUMP.splitlines():
            try:
                got.append(lines.get(timeout=30))
            except queue.Empty:
                break
        time.sleep(0.1)
        assert proc.poll() is None, "the process must still be waiting"
    finally:
        proc.kill()
        proc.wait()
        reader.join(10)  # it ends at the end of stderr
        proc.stdout.close()
        stderr.close()
    text = clean("".join(got).replace(str(script), "stuck.py"))
    assert EXPECTED_DUMP.format(pid=proc.pid) == re.sub(r"stuck\.py:\d+", "stuck.py:N", text)
