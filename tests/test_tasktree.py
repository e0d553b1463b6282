"""asyncio_compat.tasktree: every task of a loop as a tree, and its dump on a signal,
on asyncio's loop and uvloop, in this process and in a stuck subprocess."""

from __future__ import annotations

import asyncio
import contextvars
import importlib.util
import io
import os
import queue
import re
import signal
import site
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import pytest
from conftest import LOOPS, _new_loop
from tasktree_golden import programs as tree_programs

import asyncio_compat
from asyncio_compat import backport, tasktree

HERE = os.path.abspath(__file__)
posix_only = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="no SIGUSR1 here")


def _place(match: re.Match[str]) -> str:
    path, line = match.groups()
    name = os.path.basename(path)
    return f" {name}:{line}" if name in ("test_tasktree.py", "stuck.py") else " <library>"


def clean(text: str) -> str:
    """The tree with this file's path (relative to the working directory) shortened and the
    library's frames' places gone (they differ between versions)."""
    return re.sub(r" (\S+):(\d+)$", _place, text, flags=re.MULTILINE)


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
│   ├──  awaiting test_tasktree.py:N
│   └── (T) other
│       ├──  leaf test_tasktree.py:N
│       └──  Event.wait <library>
├── (T) branch
│   ├──  branch test_tasktree.py:N
│   ├──  TaskGroup.__aexit__ <library>
│   ├──  TaskGroup._aexit <library>
│   ├── (T) leaf-1
│   │   ├──  leaf test_tasktree.py:N
│   │   └──  Event.wait <library>
│   └── (T) leaf-2
│       ├──  leaf test_tasktree.py:N
│       └──  Event.wait <library>
└── (T) other (see above)"""


def test_tree_from_a_callback(run):
    """From a loop callback every task is suspended: the root task, its frames (outermost
    first) as its own lines, then the tasks it awaits, each with its frames and the tasks
    it awaits; a task awaited twice is shown once in full."""

    async def main():
        asyncio.current_task().set_name("main")  # type: ignore[union-attr]
        loop = asyncio.get_running_loop()
        return await service(asyncio.Event(), lambda: from_callback(loop))

    expected = (
        "└── (T) main\n"
        "    ├──  test_tree_from_a_callback.<locals>.main test_tasktree.py:N\n"
        "    ├──  service test_tasktree.py:N\n"
    )
    expected += textwrap.indent(SERVICE_TASKS, " " * 4)
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
        "    ├──  test_tree_from_the_running_task.<locals>.main test_tasktree.py:N\n"
        "    ├──  service test_tasktree.py:N\n"
        "    ├──  test_tree_from_the_running_task.<locals>.inspect test_tasktree.py:N\n"
    )
    expected += textwrap.indent(SERVICE_TASKS, " " * 4)
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


@pytest.mark.parametrize("kind", LOOPS)
def test_tree_of_tasks_run_in_a_context(kind):
    """The main task of ``asyncio_compat.run()`` and a TaskGroup child made with
    ``create_task(context=...)`` show the user's frames (before 3.11 their coroutine is
    wrapped to run in the context, gh-91150), in the tree and in a dump."""

    async def main():
        asyncio.current_task().set_name("main")  # type: ignore[union-attr]
        ev = asyncio.Event()
        loop = asyncio.get_running_loop()
        buf = io.StringIO()
        dump = tasktree.SignalDump(loop, signal.SIGINT, buf, 0)  # not installed
        async with backport.TaskGroup() as tg:
            tg.create_task(leaf(ev), name="child", context=contextvars.copy_context())
            await settle()
            try:
                text = await from_callback(loop)
                loop.call_soon(dump.dump)
                await settle()
            finally:
                ev.set()
        return numbered(text), buf.getvalue()

    text, dumped = asyncio_compat.run(main(), loop_factory=lambda: _new_loop(kind))
    assert (
        "└── (T) main\n"
        "    ├──  test_tree_of_tasks_run_in_a_context.<locals>.main test_tasktree.py:N\n"
        "    └── (T) child\n"
        "        ├──  leaf test_tasktree.py:N\n"
        "        └──  Event.wait <library>"
    ) == text
    assert "(2 tasks):\n└── (T) main\n    └── (T) child\n" == dumped.split(" on SIGINT ")[1]


async def _link(n: int, ev: asyncio.Event, box: Any) -> None:
    if n:
        await asyncio.create_task(_link(n - 1, ev, box), name=f"link-{n - 1:04}")
    else:
        box.append(None)
        await ev.wait()


def _chain(depth: int, limit: Any) -> Any:
    async def main():
        asyncio.current_task().set_name("main")  # type: ignore[union-attr]
        ev, box = asyncio.Event(), []
        top = asyncio.create_task(_link(depth, ev, box), name=f"link-{depth:04}")
        while not box:
            await asyncio.sleep(0)
        await asyncio.sleep(0)
        try:
            return await from_callback(asyncio.get_running_loop(), limit=limit)
        finally:
            ev.set()
            await top

    return main()


def test_tree_of_a_chain_of_tasks(run):
    """A chain of tasks each awaiting the next, 500 deep with their frames and 5,000 deep
    without: each task once, one level further in (no recursion per task, which gave
    ``RecursionError`` at 500)."""
    lines = run(_chain(500, None)).split("\n")
    # The roots by name: link-0500 (and the 500 more, each with the frame it waits in, the
    # last one down to Event.wait), then main and its frame.
    assert 2 * 501 + 1 + 2 == len(lines)
    assert "    " * 501 + "└──  Event.wait <library>" == clean(lines[-3])
    lines = run(_chain(5000, 0)).split("\n")
    assert [*(f"link-{n:04}" for n in range(5000, -1, -1)), "main"] == [
        line.split("(T) ")[1] for line in lines
    ]
    assert "    " * 5000 + "└── (T) link-0000" == lines[-2]


def test_bad_arguments_fail_at_the_call(run):
    """Each argument of the tree's functions is checked at the call, with the kind of
    error the stdlib gives: not when a signal comes (where a dump could only fail)."""
    before = signal.getsignal(signal.SIGINT)

    async def main():
        errors = []
        calls = [
            lambda: tasktree.format_task_tree(limit="1"),
            lambda: tasktree.format_task_tree(limit=-1),
            lambda: tasktree.format_task_tree(depth=1.0),
            lambda: tasktree.format_task_tree(loop=object()),
            lambda: tasktree.print_task_tree(limit=1.5),
            lambda: tasktree.print_task_tree(file=42),
            lambda: tasktree.dump_on_signal(signal.SIGINT, limit=-1),
            lambda: tasktree.dump_on_signal(signal.SIGINT, limit="0"),
            lambda: tasktree.dump_on_signal(signal.SIGINT, file=42),
            lambda: tasktree.dump_on_signal(signal.SIGINT, loop=42),
            lambda: tasktree.dump_on_signal("SIGINT"),
            lambda: tasktree.dump_on_signal(-1),
        ]
        for call in calls:
            with pytest.raises(Exception) as info:  # noqa: PT011
                call()
            errors.append(f"{type(info.value).__name__}: {info.value}")
        return errors

    integer = "cannot be interpreted as an integer"
    assert [
        f"TypeError: 'str' object {integer}",
        "ValueError: limit must be None or at least 0, not -1",
        f"TypeError: 'float' object {integer}",
        "TypeError: loop must be an asyncio event loop, not object",
        f"TypeError: 'float' object {integer}",
        "AttributeError: 'int' object has no attribute 'write'",
        "ValueError: limit must be None or at least 0, not -1",
        f"TypeError: 'str' object {integer}",
        "AttributeError: 'int' object has no attribute 'write'",
        "TypeError: loop must be an asyncio event loop, not int",
        f"TypeError: 'str' object {integer}",
        "ValueError: signal number out of range",
    ] == run(main())
    assert before == signal.getsignal(signal.SIGINT)


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


# --- the same tree on every interpreter, and short paths --------------------------------

GOLDEN = os.path.join(os.path.dirname(HERE), "tasktree_golden")


def golden(name: str) -> str:
    with open(os.path.join(GOLDEN, f"{name}.txt"), encoding="utf-8") as f:
        return f.read()


def test_every_program_has_its_golden_tree():
    """Each golden program has a stored tree, and each stored tree a program."""
    stored = sorted(n[:-4] for n in os.listdir(GOLDEN) if n.endswith(".txt"))
    assert sorted(tree_programs.PROGRAMS) == stored


@pytest.mark.parametrize(
    "api",
    [pytest.param(asyncio_compat, id="asyncio_compat"), pytest.param(backport, id="backport")],
)
@pytest.mark.parametrize("name", sorted(tree_programs.PROGRAMS))
def test_same_tree_as_3_15(name, api, run):
    """The program's task trees read as on CPython 3.15 with its stdlib's TaskGroup and
    wait_for (``tasktree_golden/<program>.txt``), apart from the library's files and
    lines: a TaskGroup's children after their parent's whole stack, and a task waiting
    at the end of ``async with`` on the ``async with`` line (3.8 and 3.9 report the
    body's last line there)."""
    out: tree_programs.Out = []
    run(tree_programs.PROGRAMS[name](tree_programs.module_api(api), out))
    got = [(label, tree_programs.normalise(text)) for label, text in out]
    assert golden(name) == tree_programs.render(got)


PLACES = """\
import asyncio

async def hold(ev):
    await ev.wait()
"""


def _module(path: Any, name: str) -> Any:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PLACES, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, str(path))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_paths_are_shortened(run, tmp_path, monkeypatch):
    """A file is shown relative to the working directory, site-packages or the stdlib,
    as tracebacks shorten it; anywhere else (also when the working directory is ``/``),
    and with ``full_paths=True``, in full: in the tree and in a signal's dump."""
    packages = tmp_path / "site-packages"
    monkeypatch.setattr(site, "getsitepackages", lambda: [str(packages)], raising=False)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    files = {
        "app": tmp_path / "work" / "app.py",
        "far": tmp_path / "elsewhere" / "far.py",
        "lib": packages / "somelib" / "client.py",
    }
    modules = {name: _module(path, f"tasktree_{name}") for name, path in files.items()}

    async def main():
        ev = asyncio.Event()
        tasks = [asyncio.create_task(m.hold(ev), name=n) for n, m in modules.items()]
        await settle()
        loop = asyncio.get_running_loop()
        short = await from_callback(loop, limit=2)
        full = await from_callback(loop, limit=2, full_paths=True)
        dumped = []
        for full_paths in (False, True):
            buf = io.StringIO()
            tasktree.SignalDump(loop, signal.SIGINT, buf, 2, full_paths).dump()  # not installed
            dumped.append(buf.getvalue())
        monkeypatch.chdir(os.path.abspath(os.sep))
        from_root = await from_callback(loop, limit=2)
        ev.set()
        await asyncio.gather(*tasks)
        return short, full, from_root, dumped

    short, full, from_root, dumped = run(main())
    assert f"hold {files['far']}:4" in from_root
    assert " hold app.py:4\n" in dumped[0]
    assert f" hold {files['app']}:4\n" in dumped[1]
    locks = os.path.join("asyncio", "locks.py")
    stdlib = os.path.join(os.path.dirname(asyncio.__file__), "locks.py")
    shown = {"app": "app.py", "far": str(files["far"]), "lib": os.path.join("somelib", "client.py")}
    for name in files:
        assert (
            f"└── (T) {name}\n    ├──  hold {shown[name]}:4\n    └──  Event.wait {locks}:N"
        ) in re.sub(r"locks\.py:\d+", "locks.py:N", short)
        assert (
            f"└── (T) {name}\n    ├──  hold {files[name]}:4\n    └──  Event.wait {stdlib}:N"
        ) in re.sub(r"locks\.py:\d+", "locks.py:N", full)


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
    assert "    ├──  leaf test_tasktree.py:N" in numbered("\n".join(tree))


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
    ├──  main stuck.py:N
    ├──  TaskGroup.__aexit__ <library>
    ├──  TaskGroup._aexit <library>
    ├── (T) alice
    │   ├──  worker stuck.py:N
    │   └──  wait_for_reply stuck.py:N
    └── (T) bob
        ├──  worker stuck.py:N
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
