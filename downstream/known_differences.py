"""The one table of downstream tests that pass as released and not with asyncio_compat.

tools/downstream.py fails on any other test that passes as released and not with
asyncio_compat, and on an entry here whose test no longer differs, so that the table can
neither hide a new failure nor outlive its reason. Each entry is one pytest node id and:

* ``API``: the test uses a name or a form of the replaced package that asyncio_compat's
  (asyncio's) API does not have. The migration guide says what to write instead.
* ``CPYTHON``: the test relies on a behaviour of the replaced package that the newest
  CPython's asyncio does differently; the reason quotes CPython's behaviour.
"""

from __future__ import annotations

from typing import NamedTuple, Tuple

API = "API difference"
CPYTHON = "newest CPython differs"


class Difference(NamedTuple):
    project: str
    test: str  # the pytest node id, exactly
    kind: str  # API or CPYTHON
    reason: str


# async-timeout's Timeout has a ``deadline`` property (the loop time it expires at, or None);
# asyncio's Timeout (3.11+), and so asyncio_compat's, has the method ``when()`` instead.
# aiohttp's own tests read ``when()`` on 3.11+ and ``deadline`` before: with asyncio_compat
# before 3.11 they get AttributeError. aiohttp's code itself never reads either.
_DEADLINE = (
    "reads async-timeout's Timeout.deadline (a property) of helpers.ceil_timeout()'s "
    "timeout: asyncio's and asyncio_compat's Timeout has when() instead"
)

KNOWN_DIFFERENCES: Tuple[Difference, ...] = (
    Difference("aiohttp", "tests/test_helpers.py::test_ceil_timeout", API, _DEADLINE),
    Difference("aiohttp", "tests/test_helpers.py::test_ceil_timeout_round", API, _DEADLINE),
    Difference("aiohttp", "tests/test_helpers.py::test_ceil_timeout_small", API, _DEADLINE),
    Difference("aiohttp", "tests/test_helpers.py::test_ceil_timeout_none[pyloop]", API, _DEADLINE),
    Difference(
        "aiohttp",
        "tests/test_helpers.py::test_ceil_timeout_small_with_overriden_threshold[pyloop]",
        API,
        _DEADLINE,
    ),
)
