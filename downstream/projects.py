"""The downstream projects whose own test suites tools/downstream.py runs, with their pins.

Each is a real project that, on Python < 3.11, takes ``TaskGroup``/``Runner`` from the
``taskgroup`` package or ``timeout``/``timeout_at``/``Timeout`` from the archived
``async-timeout``, and whose sdist on PyPI ships a test suite that runs offline. The sdist
is pinned by version and sha256; everything its tests import is pinned in
``downstream/requirements/<name>.txt`` (installed as is, then the sdist with ``--no-deps``).

Looked at and left out: the sdists of zigpy and bellows (async_timeout) leave out their
tests' helper modules; aiohomekit's and quart-tasks' ship no tests; aiothreading 0.3.0
(``taskgroup.Runner``) ships its tests without the conftest that defines their fixtures;
websockets 15 (a vendored async-timeout) ships only its sans-I/O tests, none of the ones
that reach its timeouts.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Tuple


class Project(NamedTuple):
    name: str  # the PyPI name
    version: str
    sha256: str  # of the sdist
    # The modules that asyncio_compat answers in the second pass (downstream/shims/).
    shims: Tuple[str, ...]
    # pytest's options, then the test paths (rerunning a test replaces the paths).
    options: Tuple[str, ...]
    paths: Tuple[str, ...]
    # The test files run by default (CI), when the whole suite (--full) costs too much; ().
    selection: Tuple[str, ...]
    # Environment of the build and of both runs.
    env: Dict[str, str]
    # pytest-xdist workers for a whole pass (0: no xdist).
    workers: int
    # Fewer tests passing as released than this means the suite did not really run.
    min_passed: int
    why: str


# pytest-timeout (in every requirements file): a test that hangs fails alone.
TIMEOUT = "--timeout=120"

PROJECTS: Tuple[Project, ...] = (
    Project(
        name="aiohttp",
        version="3.13.5",
        sha256="9d98cc980ecc96be6eb4c1994ce35d28d8b1f5e5208a23b421187d1209dbb7d1",
        shims=("async_timeout",),
        options=(
            # setup.cfg's addopts ask for coverage and xdist's "auto": replaced here.
            "-o",
            "addopts=",
            # "internal" and "dev_mode" tests are for aiohttp's own CI; "autobahn" needs
            # Docker (and python-on-whales, not installed: not even collected).
            "-m",
            "not internal and not dev_mode and not autobahn",
            "--ignore=tests/autobahn",
            TIMEOUT,
        ),
        paths=("tests",),
        # The whole suite takes 10-11 minutes of CPU a pass here (4,133 tests). 1,046 of its
        # tests enter async_timeout.timeout/timeout_at (measured by wrapping both, in a run
        # of the whole suite); these 21 files hold 1,013 of them (in 1,429 tests), in a third
        # of the time. The other 33 are spread over long files (test_run_app: 8 of 63 tests,
        # 98 s). --full runs the whole suite.
        selection=tuple(
            f"tests/test_{name}.py"
            for name in (
                "benchmarks_client",
                "benchmarks_client_ws",
                "benchmarks_web_fileresponse",
                "benchmarks_web_middleware",
                "client_functional",
                "client_middleware",
                "client_session",
                "client_ws",
                "client_ws_functional",
                "connector",
                "helpers",
                "proxy",
                "proxy_functional",
                "test_utils",
                "web_functional",
                "web_log",
                "web_middleware",
                "web_sendfile_functional",
                "web_server",
                "web_urldispatcher",
                "web_websocket_functional",
            )
        ),
        env={"AIOHTTP_NO_EXTENSIONS": "1"},
        workers=2,
        min_passed=1300,  # 1,396 pass in the selection, 4,083 in the whole suite
        why=(
            "every client timeout (ClientTimeout total/connect/sock_*) goes through "
            "helpers.ceil_timeout, which is async_timeout.timeout_at on < 3.11, and the "
            "client's and server's websocket receive() and close() wait in "
            "async_timeout.timeout: timeouts expiring inside real socket I/O on loopback, "
            "and handlers cancelled on disconnect while they wait in one"
        ),
    ),
    Project(
        name="aiojobs",
        version="1.4.0",
        sha256="463665c75d1fcc46c78d44375c1034abf5e3f087894b0fc5ec4dd16ef90fdc98",
        shims=("async_timeout",),
        options=("-o", "asyncio_mode=auto", TIMEOUT),
        paths=("tests",),
        selection=(),
        env={},
        workers=0,
        min_passed=50,
        why=(
            "Job.wait()/Job.close() and Scheduler.wait_and_close() wrap the awaiting of jobs "
            "in async_timeout.timeout, while the scheduler cancels the same jobs and callers "
            "cancel the waiters: its tests pin that a cancelled waiter gets CancelledError "
            "(and the job goes on) and a job outliving its close timeout TimeoutError"
        ),
    ),
    Project(
        name="hypercorn",
        version="0.18.0",
        sha256="d63267548939c46b0247dc8e5b45a9947590e35e64ee73a23c074aa3cf88e9da",
        shims=("taskgroup",),
        # pyproject.toml's addopts ask for pytest-cov's --no-cov-on-fail.
        options=("-o", "addopts=--strict-markers", TIMEOUT),
        paths=("tests",),
        selection=(),
        env={},
        workers=0,
        min_passed=150,
        why=(
            "the taskgroup package's TaskGroup holds every connection's ASGI application "
            "tasks (hypercorn.asyncio.task_group): its tests drive HTTP/1, HTTP/2 and "
            "websocket streams through that TaskGroup, with errors and cancellations of the "
            "app tasks on disconnect and shutdown (its Runner, which runs the server, is not "
            "reached by them)"
        ),
    ),
)
