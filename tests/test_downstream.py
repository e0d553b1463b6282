"""Tests of tools/downstream.py's comparison and of what it loads: the report plugin, the
shims, the projects' pins and the table of known differences. Fast and offline: no
project is downloaded or run here (``tox -e downstream`` does that)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

import asyncio_compat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import downstream  # noqa: E402

Difference = downstream.Difference
API = downstream.known_differences.API
CPYTHON = downstream.known_differences.CPYTHON


def entry(test: str, project: str = "proj") -> Difference:
    return Difference(project, test, API, "reads async-timeout's .deadline")


# --- compare -----------------------------------------------------------------------------


def test_a_test_passing_in_both_runs_is_no_difference():
    """Passing as released and with asyncio_compat: counted in both_passed, nothing else."""
    c = downstream.compare("proj", {"t::a": "passed"}, {"t::a": "passed"}, ())
    assert ["t::a"] == c.both_passed
    assert {} == c.unexpected
    assert [] == downstream.problems(c)


def test_a_test_failing_only_with_asyncio_compat_is_unexpected():
    """Passing as released and failing with asyncio_compat, unlisted: a problem."""
    c = downstream.compare("proj", {"t::a": "passed"}, {"t::a": "failed"}, ())
    assert {"t::a": "failed"} == c.unexpected
    assert ["t::a: passes as released, failed with asyncio_compat"] == downstream.problems(c)


def test_a_test_missing_from_the_compat_run_is_unexpected():
    """A test that ran as released and not at all with asyncio_compat (its module failed
    to import, say) is a difference, not a pass."""
    released = {"t.py::a": "passed"}
    compat = {"t.py": "error"}
    c = downstream.compare("proj", released, compat, ())
    assert {"t.py::a": "not run"} == c.unexpected


def test_skipped_with_asyncio_compat_is_a_difference_too():
    """A test that passed as released and is skipped with asyncio_compat did not pass."""
    c = downstream.compare("proj", {"t::a": "passed"}, {"t::a": "skipped"}, ())
    assert {"t::a": "skipped"} == c.unexpected


def test_a_listed_difference_is_known_not_unexpected():
    """An entry of the table turns the difference into a known one, with its outcome."""
    listed = entry("t::a")
    c = downstream.compare("proj", {"t::a": "passed"}, {"t::a": "failed"}, (listed,))
    assert {} == c.unexpected
    assert [(listed, "failed")] == c.known
    assert [] == downstream.problems(c)


def test_an_entry_of_another_project_does_not_apply():
    """Entries are per project: the same node id in another project is not covered."""
    c = downstream.compare(
        "proj", {"t::a": "passed"}, {"t::a": "failed"}, (entry("t::a", "other"),)
    )
    assert {"t::a": "failed"} == c.unexpected


def test_an_entry_whose_test_passes_with_asyncio_compat_is_stale():
    """An entry that no longer differs fails the run, so the table cannot outlive its reason."""
    listed = entry("t::a")
    c = downstream.compare("proj", {"t::a": "passed"}, {"t::a": "passed"}, (listed,))
    assert [listed] == c.stale
    expected = ["t::a: listed as a known difference, but passes with asyncio_compat"]
    assert expected == downstream.problems(c)


def test_an_entry_whose_test_fails_as_released_is_unchecked_not_stale():
    """When the project's own suite fails (or lost) the listed test, nothing is compared:
    reported as unchecked, not a failure of the run."""
    listed = entry("t::a")
    c = downstream.compare("proj", {"t::a": "failed"}, {"t::a": "failed"}, (listed,))
    assert ([], [listed]) == (c.stale, c.unchecked)
    assert [] == downstream.problems(c)


def test_failures_as_released_are_reported_not_compared():
    """Tests failing or erroring as released are listed, whatever they do with asyncio_compat;
    those passing with asyncio_compat only are listed apart."""
    released = {"t::a": "failed", "t::b": "error", "t::c": "skipped", "t::d": "passed"}
    compat = {"t::a": "failed", "t::b": "passed", "t::c": "skipped", "t::d": "passed"}
    c = downstream.compare("proj", released, compat, ())
    assert (["t::a", "t::b"], ["t::b"]) == (c.released_failures, c.only_compat)
    assert ["t::d"] == c.both_passed
    assert [] == downstream.problems(c)


def test_flaky_tests_are_no_problem():
    """A difference that passed when run again is left out of the problems."""
    c = downstream.compare(
        "proj", {"t::a": "passed", "t::b": "passed"}, {"t::a": "failed", "t::b": "error"}, ()
    )
    assert ["t::b: passes as released, error with asyncio_compat"] == downstream.problems(
        c, flaky=["t::a"]
    )


# --- what is printed ---------------------------------------------------------------------


def test_counts_of_one_run():
    """xfailed and xpassed count as skipped; errors apart from failures."""
    outcomes = {"a": "passed", "b": "failed", "c": "error", "d": "skipped", "e": "xfailed"}
    assert "1 passed, 1 failed, 1 errors, 2 skipped" == downstream.counts(outcomes)


def test_verdict_line_ok_and_fail():
    """The verdict gives both counts and says OK or FAIL, with what made it so."""
    ok = downstream.compare(
        "proj",
        {"t::a": "passed", "t::b": "passed", "t::c": "failed"},
        {"t::a": "passed", "t::b": "failed", "t::c": "failed"},
        (entry("t::b"),),
    )
    expected = (
        "proj 1.0: OK: 2 pass as released, 1 of them with asyncio_compat "
        "(1 known differences; 1 fail as released)"
    )
    assert expected == downstream.verdict(ok, "1.0")
    bad = downstream.compare("proj", {"t::a": "passed"}, {"t::a": "failed"}, ())
    expected = (
        "proj 1.0: FAIL: 1 pass as released, 0 of them with asyncio_compat "
        "(1 unexpected differences)"
    )
    assert expected == downstream.verdict(bad, "1.0")


def test_verdict_with_only_flaky_differences_is_ok():
    """Differences that all passed on a rerun leave the verdict OK, and are counted."""
    c = downstream.compare("proj", {"t::a": "passed"}, {"t::a": "failed"}, ())
    expected = (
        "proj 1.0: OK: 1 pass as released, 0 of them with asyncio_compat "
        "(1 flaky (passed when run again))"
    )
    assert expected == downstream.verdict(c, "1.0", flaky=["t::a"])


# --- the report plugin, in a real pytest run ----------------------------------------------


def test_report_plugin_records_every_outcome(tmp_path: Path):
    """The plugin writes one JSON line per node id: passed, failed (in the call, or a strict
    xfail that passed), error (setup, or teardown after a pass, or a module that does not
    import), skipped, xfailed; failures carry a one-line message."""
    (tmp_path / "test_a.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.fixture
            def broken():
                raise RuntimeError("no setup")

            @pytest.fixture
            def bad_teardown():
                yield
                raise RuntimeError("no teardown")

            def test_pass(): pass
            def test_fail(): assert 1 == 2, "one is not two"
            def test_setup_error(broken): pass
            def test_teardown_error(bad_teardown): pass
            def test_skip(): pytest.skip("no")
            @pytest.mark.xfail(strict=True)
            def test_xfail(): assert False
            @pytest.mark.xfail(strict=True)
            def test_xpass_strict(): pass
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "test_b.py").write_text("import no_such_module_here\n", encoding="utf-8")
    plugin_dir = tmp_path / "plugin"
    plugin_dir.mkdir()
    source = (ROOT / "downstream" / "report_plugin.py").read_text(encoding="utf-8")
    (plugin_dir / "_downstream_report.py").write_text(source, encoding="utf-8")
    report = tmp_path / "report.jsonl"
    env = {"PYTHONPATH": str(plugin_dir), "DOWNSTREAM_REPORT": str(report)}
    cmd = [sys.executable, "-m", "pytest", "-p", "_downstream_report", "-p", "no:cacheprovider"]
    cmd += ["-q", "-o", "addopts=", "--continue-on-collection-errors", str(tmp_path)]
    subprocess.run(
        cmd, cwd=tmp_path, env={**_base_env(), **env}, stdout=subprocess.PIPE, check=False
    )
    outcomes, messages = downstream.read_report(report)
    expected = {
        "test_a.py::test_pass": "passed",
        "test_a.py::test_fail": "failed",
        "test_a.py::test_setup_error": "error",
        "test_a.py::test_teardown_error": "error",
        "test_a.py::test_skip": "skipped",
        "test_a.py::test_xfail": "xfailed",
        "test_a.py::test_xpass_strict": "failed",
        "test_b.py": "error",
    }
    assert expected == outcomes
    assert messages["test_a.py::test_fail"].startswith("call: AssertionError: one is not two")
    assert "setup: RuntimeError: no setup" == messages["test_a.py::test_setup_error"]
    assert "teardown: RuntimeError: no teardown" == messages["test_a.py::test_teardown_error"]
    assert "no_such_module_here" in messages["test_b.py"]


def _base_env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}


def test_report_lines_are_read_back(tmp_path: Path):
    """read_report() returns the outcomes and the messages of the lines the plugin wrote."""
    report = tmp_path / "r.jsonl"
    lines = [
        {"test": "t::a", "outcome": "passed"},
        {"test": "t::b", "outcome": "failed", "message": "call: boom"},
    ]
    report.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    expected = ({"t::a": "passed", "t::b": "failed"}, {"t::b": "call: boom"})
    assert expected == downstream.read_report(report)


# --- shims, pins, table ------------------------------------------------------------------


def _shim(name: str) -> types.ModuleType:
    # Loaded under another name: the real async_timeout/taskgroup may be installed here.
    path = ROOT / "downstream" / "shims" / Path(*name.split(".")) / "__init__.py"
    spec = importlib.util.spec_from_file_location(f"_shim_{name.replace('.', '_')}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("shim", "names"),
    [
        ("async_timeout", ["Timeout", "timeout", "timeout_at"]),
        ("taskgroup", ["Runner", "TaskGroup", "Timeout", "run", "timeout", "timeout_at"]),
        ("backports.asyncio.runner", ["Runner"]),
    ],
)
def test_shims_answer_the_old_names_with_asyncio_compats(shim: str, names: list):
    """Each shim exports the replaced package's public names, and each is asyncio_compat's
    own object (not a wrapper): the compat pass runs asyncio_compat itself."""
    module = _shim(shim)
    assert sorted(names) == sorted(module.__all__)
    assert all(getattr(module, n) is getattr(asyncio_compat, n) for n in names)


def test_every_project_is_pinned_and_has_its_requirements():
    """Each run has a sha256 pin, a requirements file with exact pins, shims that exist,
    and a reason for being here."""
    for project in downstream.projects.PROJECTS:
        assert re.fullmatch(r"[0-9a-f]{64}", project.sha256), project.name
        requirements = ROOT / "downstream" / "requirements" / f"{project.run}.txt"
        lines = [
            line.strip()
            for line in requirements.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        assert [] == [line for line in lines if "==" not in line], project.name
        for shim in project.shims:
            path = Path(*shim.split("."))
            assert (ROOT / "downstream" / "shims" / path / "__init__.py").exists()
        assert project.why


def test_known_differences_are_well_formed():
    """Each entry names a project or a run of the list, a node id, a kind and a reason; no
    test twice."""
    projects = downstream.projects.PROJECTS
    names = {p.name for p in projects} | {p.run for p in projects}
    seen = set()
    for d in downstream.known_differences.KNOWN_DIFFERENCES:
        assert d.project in names
        assert "::" in d.test
        assert d.kind in (API, CPYTHON)
        assert d.reason
        assert (d.project, d.test) not in seen
        seen.add((d.project, d.test))


def test_verdict_fails_below_the_floor():
    """A project whose suite passes fewer tests as released than its floor fails, even
    with no difference: its suite did not really run."""
    c = downstream.compare("proj", {"t::a": "passed"}, {"t::a": "passed"}, ())
    expected = (
        "proj 1.0: FAIL: 1 pass as released, 1 of them with asyncio_compat "
        "(fewer than the 2 of a full run pass as released)"
    )
    assert expected == downstream.verdict(c, "1.0", floor=2)


def test_list_needs_no_network(capsys: pytest.CaptureFixture):
    """``--list`` prints each run and why it is there, and downloads nothing."""
    assert 0 == downstream.main(["--list"])
    out = capsys.readouterr().out.splitlines()
    assert [p.run for p in downstream.projects.PROJECTS] == [line.split()[0] for line in out]


def test_runs_are_named_by_project_and_interpreter():
    """A run on 3.10 bears the project's name, any other its interpreter's; no run twice."""
    runs = [p.run for p in downstream.projects.PROJECTS]
    assert len(set(runs)) == len(runs)
    by_run = {p.run: p for p in downstream.projects.PROJECTS}
    runs = ("aiojobs", "aiojobs-py38", "aiojobs-py39", "aiojobs-py313")
    assert ("3.10", "3.8", "3.9", "3.13") == tuple(by_run[r].python for r in runs)


def test_an_entry_covers_all_runs_of_its_project_or_one_run():
    """An entry naming a project covers its runs on every interpreter; one naming a run,
    that run only; neither covers a project whose name merely starts the same."""
    aiojobs = entry("t::a", "aiojobs")
    py39 = entry("t::a", "aiojobs-py39")
    pytest_ = entry("t::a", "pytest")
    assert (True, True) == (
        downstream.applies(aiojobs, "aiojobs"),
        downstream.applies(aiojobs, "aiojobs-py39"),
    )
    assert (False, True) == (
        downstream.applies(py39, "aiojobs"),
        downstream.applies(py39, "aiojobs-py39"),
    )
    assert False is downstream.applies(pytest_, "pytest-asyncio")
    c = downstream.compare("aiojobs-py39", {"t::a": "passed"}, {"t::a": "failed"}, (aiojobs,))
    assert [(aiojobs, "failed")] == c.known


def test_fast_runs_include_pytest_asyncio_and_the_oldest_interpreters(
    capsys: pytest.CaptureFixture,
):
    """``--fast`` (CI's downstream-fast) keeps the runs marked for it: pytest-asyncio's
    whole suite on 3.10 and a part of it on 3.9, aiojobs on 3.9 and on 3.13; not redis
    (its server), not the run on 3.8."""
    assert 0 == downstream.main(["--list", "--fast"])
    runs = sorted(line.split()[0] for line in capsys.readouterr().out.splitlines())
    expected = [
        "aiohttp",
        "aiojobs",
        "aiojobs-py313",
        "aiojobs-py39",
        "flux_led",
        "hypercorn",
        "pytest-asyncio",
        "pytest-asyncio-py39",
    ]
    assert expected == runs
    by_run = {p.run: p for p in downstream.projects.PROJECTS}
    assert () == by_run["pytest-asyncio"].fast
    assert all(path.startswith(("docs", "tests/")) for path in by_run["pytest-asyncio-py39"].fast)
    assert 0 < by_run["pytest-asyncio-py39"].fast_min_passed


def test_compat_folder_holds_only_the_runs_shims(tmp_path: Path):
    """The compat pass of a run sees asyncio_compat and that run's shims, no other: aiojobs'
    tests keep pytest-asyncio's released Runner; backports/ stays a namespace folder."""
    by_run = {p.run: p for p in downstream.projects.PROJECTS}
    folder = downstream.compat_folder(tmp_path, by_run["pytest-asyncio"])
    assert ["asyncio_compat", "backports"] == sorted(p.name for p in folder.iterdir())
    assert not (folder / "backports" / "__init__.py").exists()
    assert (folder / "backports" / "asyncio" / "runner" / "__init__.py").exists()
    folder = downstream.compat_folder(tmp_path, by_run["aiojobs"])
    assert ["async_timeout", "asyncio_compat"] == sorted(p.name for p in folder.iterdir())


def test_find_python_takes_the_override_or_the_runs_interpreter(monkeypatch: pytest.MonkeyPatch):
    """``--python`` wins; else ``python3.X`` on PATH (this interpreter when it is 3.X); None
    when there is none, which the run reports as skipped (a failure in CI)."""
    (project,) = [p for p in downstream.projects.PROJECTS if p.run == "aiojobs-py39"]
    assert "/x/python" == downstream.find_python(project, "/x/python")
    monkeypatch.setenv("PATH", "")
    if sys.version_info[:2] != (3, 9):
        assert None is downstream.find_python(project, None)
    here = project._replace(python=f"{sys.version_info[0]}.{sys.version_info[1]}")
    assert sys.executable == downstream.find_python(here, None)


def test_a_runs_server_listens_during_the_block_and_is_ended_after(tmp_path: Path):
    """A run's server (redis') is started on 127.0.0.1 and the given port, the block runs
    once it accepts connections, and it is ended when the block ends."""
    import socket

    listen = (
        "import socket, sys, time; s = socket.socket(); "
        "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); time.sleep(60)"
    )
    (project,) = [p for p in downstream.projects.PROJECTS if p.run == "aiojobs"]
    project = project._replace(server=(sys.executable, "-c", listen, "{port}"))
    port = downstream._free_port()
    with downstream._server(project, port, tmp_path / "server.log"):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_a_server_that_exits_at_once_is_a_setup_error(tmp_path: Path):
    """A server that never listens (it exits) stops the run with SetupError, not a hang."""
    (project,) = [p for p in downstream.projects.PROJECTS if p.run == "aiojobs"]
    project = project._replace(server=(sys.executable, "-c", "raise SystemExit(3)"))
    with pytest.raises(downstream.SetupError, match="did not start"):
        with downstream._server(project, downstream._free_port(), tmp_path / "server.log"):
            pass
