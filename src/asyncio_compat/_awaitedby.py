"""The awaited-by hooks of ``asyncio.graph`` (3.14, gh-91048), where they exist.

The backport records, as 3.14's stdlib does, which task awaits which future, so that a
call graph captured on 3.14+ shows the same links for the backport's TaskGroup,
``wait_for`` and ``as_completed`` as for the stdlib's. Before 3.14 there is nothing to
record them in: the callers look at ``AWAITED_BY`` and skip the calls altogether.
"""

from __future__ import annotations

__all__ = ["AWAITED_BY", "future_add_to_awaited_by", "future_discard_from_awaited_by"]

import sys

if sys.version_info >= (3, 14):  # 3.14+: gh-91048 call-graph introspection (asyncio.graph)
    from asyncio.futures import future_add_to_awaited_by, future_discard_from_awaited_by

    AWAITED_BY = True
else:
    AWAITED_BY = False

    def future_add_to_awaited_by(fut: object, waiter: object) -> None:
        """Nothing to record before 3.14."""

    future_discard_from_awaited_by = future_add_to_awaited_by
