"""The backport itself, on every interpreter, whatever ``asyncio_compat``'s gates pick.

The conformance suite runs the same tests against these names and the stdlib's; users
may import from here to pin the backport.
"""

from __future__ import annotations

__all__ = ["TaskGroup", "Timeout", "cancelling", "timeout", "timeout_at", "uncancel"]

from ._cancelling import cancelling, uncancel
from ._taskgroup import TaskGroup
from ._timeout import Timeout, timeout, timeout_at
