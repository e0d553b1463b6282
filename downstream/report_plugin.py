"""A pytest plugin that writes one line of JSON per test: its node id and its outcome.

tools/downstream.py loads it into each downstream project's own pytest run (``-p
_downstream_report``, from a folder of its own on ``PYTHONPATH``), in both passes, so that
the two runs are compared test by test on exact node ids, which can be run again. Under
pytest-xdist the controller sees every worker's reports and writes the file alone.

Outcomes: ``passed``, ``failed`` (the test's call failed, or a strict xfail passed),
``error`` (its setup or teardown failed, or its module did not collect), ``skipped``,
``xfailed``, ``xpassed``. The file is named by ``$DOWNSTREAM_REPORT``.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict

_RANK = {"passed": 0, "skipped": 1, "xpassed": 1, "xfailed": 1, "error": 2, "failed": 3}


def _outcome(report: Any) -> str:
    if report.outcome == "skipped":
        return "xfailed" if hasattr(report, "wasxfail") else "skipped"
    if report.outcome == "passed":
        return "xpassed" if hasattr(report, "wasxfail") else "passed"
    return "failed" if report.when == "call" else "error"


def _message(report: Any) -> str:
    # The exception's one-line description where pytest has it, else the last line.
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).splitlines()[0] if crash.message else ""
    lines = str(report.longrepr).strip().splitlines()
    return lines[-1] if lines else ""


class _Recorder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.outcomes: Dict[str, str] = {}
        self.messages: Dict[str, str] = {}

    def pytest_runtest_logreport(self, report: Any) -> None:
        outcome = _outcome(report)
        if report.when != "call" and outcome == "passed":
            # A setup or teardown that passed says nothing about the test itself.
            self.outcomes.setdefault(report.nodeid, "passed")
            return
        previous = self.outcomes.get(report.nodeid)
        if previous is None or _RANK[outcome] >= _RANK[previous]:
            self.outcomes[report.nodeid] = outcome
        if outcome in ("failed", "error"):
            self.messages.setdefault(report.nodeid, f"{report.when}: {_message(report)}")

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            # A module that fails to import: its tests never ran. Recorded under the
            # collector's id, so that a module failing in one pass only is a difference.
            self.outcomes[report.nodeid or "<session>"] = "error"
            self.messages[report.nodeid or "<session>"] = f"collect: {_message(report)}"

    def pytest_sessionfinish(self) -> None:
        with open(self.path, "w", encoding="utf-8") as f:
            for nodeid, outcome in sorted(self.outcomes.items()):
                record = {"test": nodeid, "outcome": outcome}
                if nodeid in self.messages:
                    record["message"] = self.messages[nodeid]
                f.write(json.dumps(record) + "\n")


def pytest_configure(config: Any) -> None:
    path = os.environ.get("DOWNSTREAM_REPORT")
    if path and not hasattr(config, "workerinput"):  # xdist workers report to the controller
        config.pluginmanager.register(_Recorder(path), "downstream-recorder")
