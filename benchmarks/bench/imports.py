"""Import time, in fresh processes."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from typing import Any, Dict, List, Optional, Tuple

from . import common, structured
from .common import PYPY, anyio, async_timeout, quattro, taskgroup
from .rounds import _quartiles

# 4. Import ----------------------------------------------------------------------------------

_IMPORT_PROBE = """\
import sys, time
t = time.{clock}()
import asyncio
t0 = time.{clock}()
before = set(sys.modules)
import {module}
t1 = time.{clock}()
print((t1 - t0) * 1000.0, (t0 - t) * 1000.0)
print(" ".join(sorted(m for m in set(sys.modules) - before if "." not in m)))
print(" ".join(sorted(m for m in set(sys.modules) - before if m.startswith("asyncio_compat."))))
"""


# The first probe writes the .pyc files that the others then read, as a user's imports
# would (PYTHONDONTWRITEBYTECODE would time the compiler instead).
_PROBE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _probe(module: str) -> Tuple[float, float, List[str], List[str]]:
    """(ms to import *module* after asyncio, ms to import asyncio, top-level modules added,
    asyncio_compat's submodules added)."""
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE.format(module=module, clock=common.clock.__name__)],
        env=_PROBE_ENV,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.splitlines()
    ms, asyncio_ms = map(float, out[0].split())
    added = out[1].split() if len(out) > 1 else []
    return ms, asyncio_ms, added, out[2].split() if len(out) > 2 else []


def _importtime_breakdown(module: str, runs: int) -> Optional[List[Tuple[str, float]]]:
    """Self time (ms) of each module that importing *module* after asyncio loads."""
    samples: Dict[str, List[float]] = {}
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import asyncio; import {module}"],
            env=_PROBE_ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("import time:")]
        # Post-order: the modules after asyncio's own top-level line are ours.
        start = None
        for i, ln in enumerate(lines):
            if ln.split("|")[-1].rstrip() == " asyncio":
                start = i + 1
        if proc.returncode != 0 or start is None:
            return None
        for ln in lines[start:]:
            self_us, _cumulative, name = ln[len("import time:") :].split("|")
            samples.setdefault(name.strip(), []).append(int(self_us) / 1000.0)
    return sorted(
        ((name, statistics.median(v)) for name, v in samples.items()), key=lambda x: -x[1]
    )


def measure_import(runs: int) -> Dict[str, Any]:
    modules = [("asyncio_compat", "import asyncio_compat")]
    if common.ALSO is not None:
        modules.append((common.ALSO.__name__, f"import {common.ALSO.__name__}"))
    # asyncio_compat's dependency, for its share: the exception groups before 3.11.
    modules.append(("exceptiongroup", "import exceptiongroup"))
    # imported on first use only: what `import asyncio_compat.structured` adds.
    if structured.STRUCTURED is not None:
        modules.append(("asyncio_compat.structured", "import asyncio_compat.structured"))
    for mod, label in (
        (async_timeout, "import async_timeout"),
        (taskgroup, "import taskgroup"),
        (anyio, "import anyio"),
        (quattro, "import quattro"),
    ):
        if mod is not None:
            modules.append((mod.__name__, label))
    for name, _ in modules:  # warm-up: write the .pyc files
        _probe(name)
    times: Dict[str, List[float]] = {name: [] for name, _ in modules}
    added: Dict[str, List[str]] = {}
    submodules: Dict[str, List[str]] = {}
    asyncio_ms: List[float] = []
    for r in range(runs):
        k = r % len(modules)
        for name, _ in modules[k:] + modules[:k]:
            ms, base, new, subs = _probe(name)
            times[name].append(ms)
            asyncio_ms.append(base)
            added[name] = new
            submodules[name] = subs
    rows = []
    for name, label in modules:
        q1, med, q3 = _quartiles(times[name])
        rows.append(
            {
                "key": name,
                "label": label,
                "ms": med,
                "q1": q1,
                "q3": q3,
                "modules_added": added[name],
                "submodules_added": submodules[name],
            }
        )
    breakdown = None if PYPY else _importtime_breakdown("asyncio_compat", 5)
    return {
        "rows": rows,
        "breakdown": breakdown,
        "runs": runs,
        "asyncio_ms": statistics.median(asyncio_ms),
    }
