"""Benchmark of asyncio_compat against the stdlib and its peers, on the interpreter running it.

    python benchmarks/bench [--rounds N] [--out DIR] [--quick] [--only NAMES [--merge]]
                            [--also MODULE]

Everything is measured in this one process, in interleaved rounds: each round runs every
contender of a measurement once, in an order that rotates from round to round, so that a
slow spell of a shared machine hits them all alike. What counts is the median of the
per-round ratios of two contenders; times are printed only for scale.

1. TaskGroup: spawn and join 10,000 tasks that each ``await asyncio.sleep(0)``, per task;
   against ``asyncio.gather`` over the same coroutines and, on 3.11+, asyncio.TaskGroup.
2. timeout: enter and leave ``timeout(10)`` around ``await asyncio.sleep(0)``, per use;
   against ``async_timeout.timeout`` and, on 3.11+, ``asyncio.timeout``. Also a timeout
   that expires (``timeout(0)`` around ``await asyncio.sleep(10)``).
3. Failure path: 999 sleeping tasks and one that fails, time to the ExceptionGroup;
   against ``create_task`` + ``asyncio.wait(FIRST_EXCEPTION)`` + cancelling the rest by
   hand and, on 3.11+, asyncio.TaskGroup.
4. Import: ``import asyncio_compat`` after ``import asyncio``, in fresh processes.
5. Memory: bytes per pending task held by a group of 10,000 (tracemalloc), against the
   same tasks from ``asyncio.create_task`` kept in a list.
6. wait_for: ``await wait_for(sleep(0), 10)`` per call with the backport's,
   ``asyncio_compat.wait_for`` (the stdlib's from 3.13) and the interpreter's own, against
   the floor ``async with asyncio_compat.timeout(10): await asyncio.sleep(0)``.
7. as_completed: 10,000 tasks of ``sleep(0)``, made before the clock starts,
   per task: ``for f in as_completed(tasks): await f`` with the backport's and the
   interpreter's own; ``async for`` with the backport's and, on 3.13+, the stdlib's.
8. asyncio_compat.structured: ``gather()`` of 10,000 coroutines of ``sleep(0)``
   against ``asyncio.gather``, a hand-written TaskGroup collect, ``quattro.gather`` (3.9+)
   and ``anyio.gather`` (anyio 4.16+, 3.10+); ``amap(f, range(10_000), limit=100)``
   against ``asyncio.gather`` over every ``f(i)`` (and a Semaphore by hand, quattro's
   ``concurrency_limit``, ``anyio.amap``); tracemalloc's peak of ``amap`` over a generator
   of 1,000,000 items, ``limit=100``, against ``asyncio.gather`` over the same. Until the
   module exists (and imports), its rows are n/a with the reason.
9. run() and Runner: ``run()`` of an empty coroutine (a new event loop, the main task, the
   Ctrl-C handler, the shutdown steps, the loop closed), per call, with the backport's and
   ``asyncio_compat.run`` against the interpreter's own ``asyncio.run``; ``Runner.run()``
   of an empty coroutine in a runner kept open, against ``asyncio.Runner`` (3.11+). The
   interpreter's own runs twice in the same rounds: the noise.
10. Call graph: ``capture_call_graph(task)`` and ``format_call_graph(task)`` per call, on
    a task 20 coroutines deep in a TaskGroup of a task 5 deep, with the backport's against
    3.14's stdlib (3.14+), and the capture against a bare walk of the same ``cr_await``
    chains (the least any capture does).

The peers -- the ``taskgroup`` package, ``async-timeout``, anyio's task group,
``fail_after``, ``gather`` and ``amap``, ``quattro.gather`` -- run in the same rounds where
installed; one that fails is "n/a".

Times are this process's CPU time (``--clock wall`` for wall time): on a shared machine the
time spent waiting for a core is left out, and the samples never wait for anything else.

Writes ``<out>/<tag>.md`` (the table, also printed) and ``<out>/<tag>.json`` (for
``benchmarks/chart.py``), where the tag is e.g. ``cpython3.12`` or ``pypy3.9``.

To try a change to the package, copy ``src/asyncio_compat`` to a folder on PYTHONPATH under
another name (say ``asyncio_compat_b``) and pass ``--also asyncio_compat_b``: its backport
runs in the same rounds, and its ratios to ``asyncio_compat.backport`` are printed last
(``--only spawn,timeout`` limits the run to some measurements; ``--only wait_for,amap``
prints the JSON of those alone and writes nothing).

``--only run,runner --merge`` measures those alone and puts them into ``<out>/<tag>.json``
in place of what it had, keeping the rest as it was measured, then writes the targets and
``<tag>.md`` again (``benchmarks/run_all.py --only run,runner`` does it on every
interpreter).

The modules: ``common`` (the clock, the interpreter, the peers, ``Contender``), ``rounds``
(the interleaved rounds and their ratios), one per question (``groups``: TaskGroup,
timeout and the failure path; ``waiting``: wait_for and as_completed; ``structured``;
``imports``; ``memory``; ``runner``; ``graph``), ``verdicts`` (the targets of one
interpreter), ``render`` (its table), ``cli`` (the command line) and ``questions`` (the
questions of the page across interpreters, which ``benchmarks/chart.py`` draws; it reads
the results only, and imports nothing of the rest).
"""
