"""Benchmark of the backport's ``run()`` and ``Runner`` on the interpreter that runs it.

    python benchmarks/bench_runner.py [--rounds N] [--calls N]

``run()`` of an empty coroutine -- a new event loop, the main task, the Ctrl-C handler,
the shutdown steps, the loop closed -- with ``asyncio_compat.backport.run`` against the
interpreter's own ``asyncio.run``, measured side by side in this one process: each round
makes ``--calls`` calls of each contender, in an order that rotates from round to round,
so that a slow spell of a shared machine hits them all alike. Printed: the median of the
per-round ratios (and quartiles); times only for scale. Also ``Runner().run()`` of an
empty coroutine in a runner kept open, against ``asyncio.Runner`` (3.11+), and
``asyncio.run`` against itself: how far apart two identical contenders come out.

CPU time (``--clock wall`` for wall time). No assertion on the ratios: they are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
# This checkout's package, or the one given in $ASYNCIO_COMPAT_BENCH_SRC.
sys.path.insert(0, os.environ.get("ASYNCIO_COMPAT_BENCH_SRC") or os.path.join(HERE, "..", "src"))

from asyncio_compat import backport  # noqa: E402


async def empty() -> None:
    pass


def _runs(run: Callable[..., Any], calls: int) -> Callable[[], None]:
    def sample() -> None:
        for _ in range(calls):
            run(empty())

    return sample


def _runner_runs(runner_class: Any, calls: int) -> Callable[[], None]:
    def sample() -> None:
        with runner_class() as runner:
            for _ in range(calls):
                runner.run(empty())

    return sample


def rounds(
    contenders: Dict[str, Callable[[], None]], count: int, clock: Callable[[], float]
) -> Dict[str, List[float]]:
    """Each contender once per round, in a rotating order; the time of each sample."""
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for i in range(count):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            start = clock()
            contenders[name]()
            times[name].append(clock() - start)
    return times


def ratio(times: Dict[str, List[float]], a: str, b: str) -> Tuple[float, float, float]:
    """Median and quartiles of the per-round ratios of *a* to *b*."""
    ratios = sorted(x / y for x, y in zip(times[a], times[b]))
    q1, median, q3 = statistics.quantiles(ratios, n=4)
    return median, q1, q3


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="rounds (default 30)")
    parser.add_argument("--calls", type=int, default=200, help="calls per sample (default 200)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args(argv)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    impl = sys.implementation.name
    print(
        f"{impl} {sys.version.split()[0]}, {args.rounds} rounds of {args.calls} calls, {args.clock}"
    )

    contenders = {
        "backport run": _runs(backport.run, args.calls),
        "asyncio.run": _runs(asyncio.run, args.calls),
        "asyncio.run (control)": _runs(asyncio.run, args.calls),
        "backport Runner.run": _runner_runs(backport.Runner, args.calls),
    }
    stdlib_runner = getattr(asyncio, "Runner", None)  # 3.11+
    if stdlib_runner is not None:
        contenders["asyncio.Runner.run"] = _runner_runs(stdlib_runner, args.calls)
    rounds(contenders, 2, clock)  # warm-up
    times = rounds(contenders, args.rounds, clock)
    for name, samples in times.items():
        per_call = statistics.median(samples) / args.calls
        print(f"  {name:24} {per_call * 1e6:8.1f} us per call")
    pairs = [
        ("backport run", "asyncio.run"),
        ("asyncio.run (control)", "asyncio.run"),
    ]
    if stdlib_runner is not None:
        pairs.append(("backport Runner.run", "asyncio.Runner.run"))
    for a, b in pairs:
        median, q1, q3 = ratio(times, a, b)
        print(f"  {a} / {b}: {median:.3f}  (quartiles {q1:.3f}-{q3:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
