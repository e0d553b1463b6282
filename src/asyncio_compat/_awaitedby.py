"""The awaited-by hooks of ``asyncio.graph`` (3.14, gh-91048), and where they record.

``future_add_to_awaited_by(fut, waiter)`` records that *waiter* (a task) awaits *fut*,
``future_discard_from_awaited_by(fut, waiter)`` forgets it; ``capture_call_graph()``
shows the links as each future's "awaited by". From 3.14 the hooks are the stdlib's,
which keep the links on the futures themselves. Before 3.14 the ones here keep them in a
table keyed weakly by the future (holding the waiters weakly too, so that a link never
keeps a task or a future alive), which the backport's ``capture_call_graph()`` reads:
they are there for custom awaitables, as in 3.14.

This package's own TaskGroup, ``wait_for`` and ``as_completed`` call the hooks only where
the stdlib keeps the links (``AWAITED_BY``, 3.14+). Before 3.14 their links, like those
that 3.14's own ``await``, ``gather``, ``shield`` and ``wait`` record, are read from the
futures' done callbacks when a graph is captured (``_graph.py``): nobody pays for them
until then (recording them here would make ``as_completed()`` 1.6 times slower per
awaitable on 3.8).

3.14.0-3.14.7's records are not 3.15's (``STDLIB_RECORDS``): ``wait`` (gh-152569, fixed in
3.14.7), ``gather`` (gh-157213) and ``shield`` (gh-155143) leave links behind, ``wait_for``
with a timeout <= 0 (gh-157058) and ``as_completed`` (gh-156523) record none (all fixed in
3.14.8). There the backport's graph recovers the links as before 3.14, and reads what the
hooks here record in the table, not the futures' records, which it cannot tell from the
stdlib's stale ones; the hooks also call the stdlib's, for 3.14's own tools.
"""

from __future__ import annotations

__all__ = [
    "AWAITED_BY",
    "STDLIB_RECORDS",
    "future_add_to_awaited_by",
    "future_discard_from_awaited_by",
    "recorded_awaiters",
]

import sys

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from typing import Any, Dict, List

# The stdlib's records are complete and right from 3.14.8 (the module docstring). (3, 14)
# first: type checkers read a version of two parts only.
if sys.version_info >= (3, 14) and sys.version_info >= (3, 14, 8):  # 3.14.8+: gh-91048
    from asyncio import futures as _futures

    AWAITED_BY = True
    STDLIB_RECORDS = True
    _add = _futures.future_add_to_awaited_by
    _discard = _futures.future_discard_from_awaited_by

    # The stdlib's callers look the hooks up in asyncio.futures at each call (its tests
    # swap in the C or the pure-Python ones, which record only their own futures'
    # links): so do these public ones, and so do this package's TaskGroup, wait_for and
    # as_completed, which call asyncio.futures' directly.
    def future_add_to_awaited_by(fut: Any, waiter: Any, /) -> None:
        """Record that *fut* is awaited by *waiter* (both asyncio futures or tasks)."""
        hook = _futures.future_add_to_awaited_by
        (_add if hook is future_add_to_awaited_by else hook)(fut, waiter)

    def future_discard_from_awaited_by(fut: Any, waiter: Any, /) -> None:
        """Record that *fut* is no longer awaited by *waiter*."""
        hook = _futures.future_discard_from_awaited_by
        (_discard if hook is future_discard_from_awaited_by else hook)(fut, waiter)

    def recorded_awaiters(fut: Any) -> List[Any]:
        """The waiters recorded for *fut*: the stdlib keeps them on the future."""
        return list(fut._asyncio_awaited_by or ())

else:
    import asyncio.futures
    import weakref

    # 3.14.0-3.14.7 have the hooks (gh-91048): this package's TaskGroup, wait_for and
    # as_completed call them there too, as 3.15's do.
    AWAITED_BY = sys.version_info >= (3, 14)
    STDLIB_RECORDS = False

    # What 3.14 accepts: the C and the pure-Python Future and their subclasses (tasks).
    _FUTURES = (asyncio.futures._PyFuture, asyncio.futures.Future)  # type: ignore[attr-defined]

    # id(future) -> [a weak reference to the future, weak references to its waiters].
    # Weak both ways, so that a link keeps nothing alive: an entry goes when its last
    # waiter is discarded, or when the future goes. Cheaper than a WeakKeyDictionary of
    # WeakSets, which made as_completed() twice as slow.
    _AWAITERS: Dict[int, List[Any]] = {}

    def _drop(ref: Any) -> None:
        entry = _AWAITERS.get(ref.key)
        if entry is not None and entry[0] is ref:
            del _AWAITERS[ref.key]

    def future_add_to_awaited_by(fut: Any, waiter: Any, /) -> None:
        """Record that *fut* is awaited by *waiter* (both asyncio futures or tasks)."""
        if AWAITED_BY:  # 3.14.0-3.14.7: for the stdlib's own tools too
            asyncio.futures.future_add_to_awaited_by(fut, waiter)  # type: ignore[attr-defined]
        if isinstance(fut, _FUTURES) and isinstance(waiter, _FUTURES):
            key = id(fut)
            entry = _AWAITERS.get(key)
            if entry is None or entry[0]() is not fut:
                _AWAITERS[key] = [weakref.KeyedRef(fut, _drop, key), weakref.ref(waiter)]
            elif not any(ref() is waiter for ref in entry[1:]):
                entry.append(weakref.ref(waiter))

    def future_discard_from_awaited_by(fut: Any, waiter: Any, /) -> None:
        """Record that *fut* is no longer awaited by *waiter*."""
        if AWAITED_BY:
            asyncio.futures.future_discard_from_awaited_by(fut, waiter)  # type: ignore[attr-defined]
        if isinstance(fut, _FUTURES) and isinstance(waiter, _FUTURES):
            key = id(fut)
            entry = _AWAITERS.get(key)
            if entry is None or entry[0]() is not fut:
                return
            for i in range(1, len(entry)):
                if entry[i]() is waiter:
                    del entry[i]
                    break
            if len(entry) == 1:
                del _AWAITERS[key]

    def recorded_awaiters(fut: Any) -> List[Any]:
        """The waiters recorded for *fut* by the hooks."""
        entry = _AWAITERS.get(id(fut))
        if entry is None or entry[0]() is not fut:
            return []
        return [waiter for waiter in (ref() for ref in entry[1:]) if waiter is not None]


future_add_to_awaited_by.__module__ = "asyncio_compat"
future_discard_from_awaited_by.__module__ = "asyncio_compat"
