"""The downstream projects whose own test suites tools/downstream.py runs, with their pins.

Each is a real project that, on Python < 3.11, takes ``TaskGroup``/``Runner`` from the
``taskgroup`` package, ``Runner`` from ``backports.asyncio.runner`` or ``timeout``/
``timeout_at``/``Timeout`` from the archived ``async-timeout``, and whose sdist on PyPI ships
a test suite that runs offline (redis': against a redis-server on 127.0.0.1, which each
pass starts). A project runs on 3.10, and may run again on another interpreter (a run of
its own, maybe of another release: ``aiojobs-py39``). The sdist is pinned by version and
sha256; everything its tests import is pinned in ``downstream/requirements/<run>.txt``
(installed as is, then the sdist with ``--no-deps``).

Looked at and left out: the sdists of zigpy and bellows (async_timeout) leave out their
tests' helper modules; aiohomekit's and quart-tasks' ship no tests; aiothreading 0.3.0
(``taskgroup.Runner``) ships its tests without the conftest that defines their fixtures;
websockets 15 (a vendored async-timeout) ships only its sans-I/O tests, none of the ones
that reach its timeouts; xknx's sdists ship no tests at all (0.18.15, 1.0.0, 2.12.2 and
3.20.0 looked at): flux_led stands for the libraries that write the same version shim.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple


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
    # The CPython of the run ("3.10": python3.10 on PATH).
    python: str = "3.10"
    # In `tox -e downstream-fast` (CI, tools/downstream.py --fast): None, not run there; (),
    # run as by default (its selection, if any); else the test paths it runs there.
    fast: Optional[Tuple[str, ...]] = None
    # The floor (min_passed) of a --fast run of those paths.
    fast_min_passed: int = 0
    # A server from Debian's packages that each pass starts, on 127.0.0.1 and a free port,
    # and stops at its end: the command, with "{port}" (which the options may name too).
    server: Tuple[str, ...] = ()

    @property
    def run(self) -> str:
        """The run's name: the project's on 3.10 (``aiojobs``), else with the interpreter
        (``aiojobs-py39``); its requirements are ``downstream/requirements/<run>.txt``."""
        return (
            self.name if self.python == "3.10" else f"{self.name}-py{self.python.replace('.', '')}"
        )


# pytest-timeout (in every requirements file): a test that hangs fails alone.
TIMEOUT = "--timeout=120"

_PYTEST_ASYNCIO = (
    "backports.asyncio.runner's Runner, which pytest-asyncio depends on below 3.11 (and so "
    "ranks about 1,100th in PyPI's downloads), runs every async test and fixture: one Runner "
    "per loop scope (function, class, module, package, session), its loop set as the "
    "current one, contextvars carried from fixtures into tests, tasks left over cancelled "
    "at close, ^C and loop factories; its suite (most of it pytester runs of inner "
    "sessions) is the first downstream proof of asyncio_compat.Runner"
)

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
            # These two connect to example.com: no traffic leaves this machine but to the
            # package registries, so they could only fail (a DNS query) as released.
            "--deselect",
            "tests/test_connector.py::test_tcp_connector_ssl_shutdown_timeout_not_passed_pre_311",
            "--deselect",
            "tests/test_connector.py::test_tcp_connector_ssl_shutdown_timeout_zero_not_passed",
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
        fast=(),
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
        fast=(),
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
        fast=(),
    ),
    Project(
        name="pytest-asyncio",
        version="1.5.0",
        sha256="92c8fa83ca419fd0d4bd6a34df6520dae435841d3733c319343249492adf37f7",
        shims=("backports.asyncio.runner",),
        # Its own pyproject.toml's options (auto mode, warnings are errors) stand; its
        # "make test" runs pytest over docs/ (the *_example.py files) and tests/.
        options=(TIMEOUT,),
        paths=("docs", "tests"),
        selection=(),
        env={},
        workers=0,
        min_passed=250,
        why=_PYTEST_ASYNCIO,
        fast=(),
    ),
    Project(
        name="flux_led",
        version="1.2.0",
        sha256="3cfb68df243bdc9bdde6a91e9d05960949de70b8a76fdb799b70021c54380c3d",
        shims=("async_timeout",),
        # Its async fixtures are plain ones: auto mode, as its own CI runs them.
        options=(
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            TIMEOUT,
        ),
        paths=("tests",),
        selection=(),
        env={},
        workers=0,
        min_passed=130,
        why=(
            "Home Assistant's library for Magic Home (LEDENET) lights: the version shim of "
            "aioutils.py (async_timeout below 3.11, asyncio.timeout from 3.11), as many "
            "libraries write it, around every connect, state query and discovery; its unit "
            "tests drive the asyncio protocol through mocked transports and expire those "
            "timeouts (0.001-0.01 s), and send nothing on the network"
        ),
        fast=(),
    ),
    Project(
        name="redis",
        version="8.1.0",
        sha256="6e1a19beef9225c83efd689c7e6b7da2d5215b1f42cd13b7fc3714d0a09c7b25",
        shims=("async_timeout",),
        options=(
            # pyproject.toml's addopts ask for -s.
            "-o",
            "addopts=",
            # Cluster, sentinel-replica, TLS and Redis Stack tests need servers not run here.
            "-m",
            "not redismod and not onlycluster and not ssl and not replica and not experimental"
            " and not cp_integration and not multidb_integration",
            "--redis-url=redis://127.0.0.1:{port}/0",
            TIMEOUT,
        ),
        # Its asyncio client's tests, less those needing numpy, redis-entraid, a cluster or
        # Redis Stack's modules (search, JSON, bloom, timeseries, vector sets).
        paths=tuple(
            f"tests/test_asyncio/test_{name}.py"
            for name in (
                "client",
                "command_parser",
                "commands",
                "connect",
                "connection",
                "connection_pool",
                "cwe_404",
                "encoding",
                "hash",
                "keyspace_notifications",
                "lock",
                "monitor",
                "pipeline",
                "pubsub",
                "retry",
                "scripting",
                "sentinel",
                "sentinel_managed_connection",
                "usage_counter",
                "utils",
            )
        ),
        # By default the files whose tests reach the client's timeouts (connect, read,
        # blocking pops, pub/sub get_message, locks) and its cancellations (cwe_404: a
        # command cancelled mid-flight must not leave its reply for the next); --full: all
        # of the above (test_commands.py, 1,200 tests of server commands, among them).
        selection=tuple(
            f"tests/test_asyncio/test_{name}.py"
            for name in (
                "connect",
                "connection",
                "connection_pool",
                "cwe_404",
                "lock",
                "monitor",
                "pipeline",
                "pubsub",
                "retry",
            )
        ),
        env={},
        workers=0,
        min_passed=200,
        why=(
            "its asyncio client (about 140th in PyPI's downloads) wraps every connect and "
            "every read of a reply in async_timeout.timeout below 3.11.3: timeouts expiring "
            "inside real socket I/O with a real Redis server, blocking commands and pub/sub "
            "waits, and commands cancelled mid-flight (the CVE-2023-28859 tests)"
        ),
        server=(
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            "{port}",
            "--save",
            "",
            "--appendonly",
            "no",
            # Its connection tests make the server fail with DEBUG ERROR (busy loading, OOM).
            "--enable-debug-command",
            "local",
        ),
    ),
    Project(
        name="pytest-asyncio",
        version="1.2.0",
        sha256="c609a64a2a8768462d0c99811ddb8bd2583c33fd33cf7f21af1c142e824ffb57",
        shims=("backports.asyncio.runner",),
        options=(TIMEOUT,),
        paths=("docs", "tests"),
        selection=(),
        env={},
        workers=0,
        min_passed=200,
        why="the same, on the oldest CPython it supports: 1.2.0, its last release for 3.9",
        python="3.9",
        # In CI about a third of the suite (81 of the 224 tests that pass):
        # the docs' examples (async tests and fixtures as users write them), the function-
        # and session-scoped loops (pytester runs), contextvars across fixtures, the cleanup
        # of tasks left over, subprocesses, hypothesis.
        fast=(
            "docs",
            "tests/async_fixtures",
            "tests/hypothesis",
            "tests/markers/test_function_scope.py",
            "tests/markers/test_session_scope.py",
            "tests/test_asyncio_fixture.py",
            "tests/test_event_loop_fixture.py",
            "tests/test_subprocess.py",
            "tests/test_task_cleanup.py",
        ),
        fast_min_passed=60,
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
        why="the same, on the oldest CPython it supports (3.9)",
        python="3.9",
        fast=(),
    ),
    Project(
        name="aiojobs",
        version="1.2.1",
        sha256="59d6e7ad7829e9d0f73bfceeae28153b541be6b0959a08cc5ceb222717c888ff",
        shims=("async_timeout",),
        options=("-o", "asyncio_mode=auto", TIMEOUT),
        paths=("tests",),
        selection=(),
        env={},
        workers=0,
        min_passed=50,
        why="the same, on 3.8: 1.2.1 is its last release for 3.8",
        python="3.8",
    ),
    Project(
        name="aiojobs",
        version="1.1.0",
        sha256="f0c43dfc4de359052a67df309b593732c32028deef1bb787c7a363da29accde3",
        shims=("async_timeout",),
        # setup.cfg's addopts ask for pytest-cov. Its warnings are errors, and aiohttp 3.9+
        # (3.8 has no build for 3.13) warns on the str keys of its aiohttp tests' apps.
        options=(
            "-o",
            "addopts=",
            "-W",
            "ignore::aiohttp.web_exceptions.NotAppKeyWarning",
            TIMEOUT,
        ),
        paths=("tests",),
        selection=(),
        env={},
        workers=0,
        min_passed=45,  # of its 47
        why=(
            "on 3.13, where asyncio_compat.timeout is asyncio.timeout itself: 1.1.0 is the "
            "last aiojobs that imports async_timeout on every version, so the compat pass "
            "runs its jobs' timeouts on the stdlib's object through the shim, and shows "
            "that asyncio_compat's stdlib names change nothing"
        ),
        python="3.13",
        fast=(),
    ),
)
