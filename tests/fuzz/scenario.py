"""The scenario language, its generator and its rendering as Python-like source.

A scenario is plain JSON data, so that it can be stored next to its expected trace and
replayed by any interpreter, whatever hypothesis version (if any) it has::

    {"root": BODY, "events": [EVENT, ...], "eager": bool}

A BODY is a list of statements, each a list ``[op, id, *args]``. ``id`` numbers the
statement (unique in the scenario); a TaskGroup, timeout or task that a statement makes
is known by that statement's id (``g3``, ``o4``, ``t5``; the root task is ``t0``).

=============================================  ============================================
``["sleep", id, seconds]``                     ``await asyncio.sleep(seconds)``
``["raise", id, exc]``                         ``raise exc("n<id>")``
``["return", id]``                             ``return`` from the task
``["cancel", id, task, msg]``                  ``task.cancel(msg)``; task -1: the current one
``["tgcancel", id, group]``                    ``group.cancel()``
``["resched", id, tmo, delta]``                ``tmo.reschedule(loop.time() + delta)``
                                               (``None``: no deadline)
``["spawn", id, group, BODY]``                 ``group.create_task(...)``: task ``t<id>``
``["group", id, pre_cancel, BODY]``            ``async with TaskGroup() as g<id>`` (cancelled
                                               before entering if pre_cancel)
``["timeout", id, kind, when, BODY]``          ``async with timeout(when)`` (kind "delay")
                                               or ``timeout_at(when)`` (kind "at")
``["try", id, exc, handler, BODY]``            ``try: BODY except exc: handler``; handler is
                                               swallow, reraise, uncancel or raise_new
``["finally", id, BODY, CLEANUP]``             ``try: BODY finally: CLEANUP``
``["suppress", id, exc, BODY]``                ``with suppress(exc): BODY``
``["catch", id, exc, handler, BODY]``          ``with catch({exc: handler}): BODY``;
                                               handler is swallow or raise
``["shield", id, BODY]``                       ``await asyncio.shield(task)``, the task
                                               ``t<id>`` running BODY
``["agen", id, BODY]``                         an async generator ``async with TaskGroup()
                                               as g<id>: BODY; yield``: take one item,
                                               then ``aclose()`` it
``["waitfor", id, how, limit, BODY]``          ``await wait_for(aw, limit)``, *aw* running
                                               BODY (which returns ``"v<id>"``) as: "coro"
                                               a coroutine; "awaitable" an object with
                                               ``__await__``; "task" the task ``t<id>``;
                                               "shield" ``shield(t<id>)``; "future" a
                                               future that gets the outcome of task
                                               ``t<id>`` running BODY, as it ends
=============================================  ============================================

A "coro" or "awaitable" BODY runs in the task that waits, unless *limit* is 0 or less:
``wait_for`` then makes it a task of its own (``ensure_future``), known as ``t<id>``.

An EVENT happens at a virtual time, from a loop callback (outside any task):
``[at, "cancel", task, msg]``, ``[at, "tgcancel", group]``, ``[at, "resched", tmo, delta]``.

``waitfor`` statements are drawn to race: a *limit* equal to the virtual time at which
one of BODY's own sleeps ends (so that a result arrives together with the expiry), a
BODY that swallows its cancellation (and so returns a value), and an EVENT that cancels
the waiting task.

The generator asks a :class:`Chooser` for every decision. Drawn from hypothesis, the
scenarios shrink well: every choice's simplest option comes first (index 0), and every
list's length is drawn before its items.
"""

from __future__ import annotations

import copy
import random
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

Stmt = List[Any]
Body = List[Stmt]
Scenario = Dict[str, Any]

_T = TypeVar("_T")

SELF = -1  # the target of ["cancel", id, SELF, msg]: the task running the statement

SLEEPS = (0, 1, 2, 0.5, 3)
# Kinds of statement; repeats weight them. Compound ones fall back to "sleep" when the
# scenario's budget or depth is used up. A body may end in a TERMINAL one.
KINDS = (
    "sleep",
    "spawn",
    "group",
    "cancel",
    "timeout",
    "spawn",
    "tgcancel",
    "try",
    "sleep",
    "spawn",
    "resched",
    "finally",
    "group",
    "suppress",
    "catch",
    "timeout",
    "shield",
    "tgcancel",
    "cancel",
    "agen",
    "waitfor",
    "waitfor",
)
TERMINAL = ("raise", "raise", "raise", "return")
COMPOUND = frozenset(
    {
        "spawn",
        "group",
        "timeout",
        "try",
        "finally",
        "suppress",
        "catch",
        "shield",
        "agen",
        "waitfor",
    }
)
RAISES = (
    "Boom",
    "ValueError",
    "Halt",
    "CancelledError",
    "TimeoutError",
    "Boom",
    "Halt",
    "SystemExit",
    "KeyboardInterrupt",
)
DELAYS = (1, 0, 2, None, 0.5, 3, -1)
DEADLINES = (1, 2, 0, 3, 1.5)
RESCHEDULES = (None, 0, 1, 2, -1, 0.5)
TRY_EXCEPTS = (
    "Exception",
    "CancelledError",
    "BaseException",
    "BaseExceptionGroup",
    "TimeoutError",
    "Boom",
    "ExceptionGroup",
)
TRY_HANDLERS = ("swallow", "reraise", "uncancel", "raise_new")
SUPPRESSES = ("Boom", "Exception", "TimeoutError", "CancelledError", "BaseException", "Halt")
CATCHES = ("Boom", "Exception", "CancelledError", "TimeoutError", "Halt", "BaseException")
CATCH_HANDLERS = ("swallow", "raise")
EVENT_TIMES = (1, 0.5, 2, 0, 1.5, 3, 2.5, 4)
EVENT_KINDS = ("cancel", "tgcancel", "resched")
# What wait_for() is given, and its timeouts: None, 0 and below take paths of their own.
WAIT_KINDS = ("coro", "task", "coro", "future", "awaitable", "shield")
WAIT_LIMITS = (1, None, 0, 2, 0.5, -1, 3)
# What a waited BODY wrapped in ``try: ... except X: pass`` swallows its cancellation as.
WAIT_SWALLOWS = ("CancelledError", "BaseException")

MAX_STATEMENTS = 30
MAX_DEPTH = 4


class Chooser:
    """Where the generator's decisions come from."""

    def int(self, lo: int, hi: int) -> int:
        raise NotImplementedError

    def pick(self, options: Sequence[_T]) -> _T:
        return options[self.int(0, len(options) - 1)]

    def chance(self, percent: int) -> bool:
        # 0, where hypothesis shrinks to, is "no".
        return self.int(0, 99) >= 100 - percent


class RandomChooser(Chooser):
    """Decisions from a seeded ``random.Random``: the same scenario on every interpreter."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def int(self, lo: int, hi: int) -> int:
        return self._rng.randint(lo, hi)


class DrawChooser(Chooser):
    """Decisions drawn from hypothesis (``draw`` of an ``st.composite``)."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        from hypothesis import strategies as st

        self._draw = draw
        self._st = st

    def int(self, lo: int, hi: int) -> int:
        return int(self._draw(_integers(self._st, lo, hi)))


_INTEGERS: Dict[Tuple[int, int], Any] = {}


def _integers(st: Any, lo: int, hi: int) -> Any:
    strategy = _INTEGERS.get((lo, hi))
    if strategy is None:
        strategy = _INTEGERS[(lo, hi)] = st.integers(lo, hi)
    return strategy


class _Scope:
    __slots__ = ("groups", "task", "timeouts")

    def __init__(
        self, groups: Tuple[int, ...] = (), timeouts: Tuple[int, ...] = (), task: int = 0
    ) -> None:
        self.groups = groups  # TaskGroups whose ``async with`` lexically encloses us
        self.timeouts = timeouts
        self.task = task  # the task that runs the statements

    def within(self, task: int) -> _Scope:
        """The same groups and timeouts, in another task."""
        return _Scope(self.groups, self.timeouts, task)


class _Generator:
    def __init__(self, chooser: Chooser, max_statements: int, max_depth: int) -> None:
        self.c = chooser
        self.last_id = 0
        self.left = max_statements
        self.max_depth = max_depth
        self.tasks: List[int] = [0]
        self.groups: List[int] = []
        self.timeouts: List[int] = []
        self.waiter_events: List[List[Any]] = []  # outside cancellations of waiting tasks

    def scenario(self) -> Scenario:
        c = self.c
        eager = c.chance(25)
        root = self.body(_Scope(), 0, returns=True, lo=1)
        events = [self.event() for _ in range(c.int(0, 3))] + self.waiter_events
        return {"root": root, "events": events, "eager": eager}

    def body(self, scope: _Scope, depth: int, returns: bool, lo: int = 0, hi: int = 3) -> Body:
        out: Body = []
        for _ in range(self.c.int(lo, hi)):
            if self.left <= 0:
                break
            self.left -= 1
            out.append(self.statement(scope, depth, returns, self.c.pick(KINDS)))
        if self.c.chance(35) and self.left > 0:
            self.left -= 1
            out.append(self.statement(scope, depth, returns, self.c.pick(TERMINAL)))
        return out

    def message(self, tag: str) -> Optional[str]:
        return f"m{tag}" if self.c.chance(40) else None

    def statement(self, scope: _Scope, depth: int, returns: bool, kind: str) -> Stmt:
        c = self.c
        self.last_id += 1
        sid = self.last_id
        if kind in ("spawn", "tgcancel") and not scope.groups and not self.groups:
            kind = "group"
        if kind == "spawn" and not scope.groups:
            kind = "group"
        if kind == "resched" and not self.timeouts:
            kind = "timeout"
        if kind == "return" and not returns:
            kind = "sleep"
        if kind in COMPOUND and (depth >= self.max_depth or self.left <= 0):
            kind = "sleep"
        inner = depth + 1

        if kind == "sleep":
            return ["sleep", sid, c.pick(SLEEPS)]
        if kind == "raise":
            return ["raise", sid, c.pick(RAISES)]
        if kind == "return":
            return ["return", sid]
        if kind == "cancel":
            return ["cancel", sid, c.pick([SELF, *self.tasks]), self.message(str(sid))]
        if kind == "tgcancel":
            return ["tgcancel", sid, c.pick(list(scope.groups) + self.groups)]
        if kind == "resched":
            return ["resched", sid, c.pick(self.timeouts), c.pick(RESCHEDULES)]
        if kind == "spawn":
            gid = c.pick(scope.groups[::-1])  # the innermost first
            self.tasks.append(sid)
            return ["spawn", sid, gid, self.body(scope.within(sid), inner, returns=True)]
        if kind == "group":
            pre_cancel = c.chance(10)
            self.groups.append(sid)
            sub = _Scope((*scope.groups, sid), scope.timeouts, scope.task)
            return ["group", sid, pre_cancel, self.body(sub, inner, returns, lo=1)]
        if kind == "timeout":
            if c.chance(25):
                how, when = "at", c.pick(DEADLINES)
            else:
                how, when = "delay", c.pick(DELAYS)
            self.timeouts.append(sid)
            sub = _Scope(scope.groups, (*scope.timeouts, sid), scope.task)
            return ["timeout", sid, how, when, self.body(sub, inner, returns, lo=1)]
        if kind == "try":
            exc, handler = c.pick(TRY_EXCEPTS), c.pick(TRY_HANDLERS)
            return ["try", sid, exc, handler, self.body(scope, inner, returns, lo=1)]
        if kind == "finally":
            body = self.body(scope, inner, returns, lo=1)
            # No return in a finally: it would swallow the exception (and 3.14 warns).
            return ["finally", sid, body, self.body(scope, inner, returns=False, lo=1, hi=2)]
        if kind == "suppress":
            return ["suppress", sid, c.pick(SUPPRESSES), self.body(scope, inner, returns, lo=1)]
        if kind == "catch":
            exc, handler = c.pick(CATCHES), c.pick(CATCH_HANDLERS)
            return ["catch", sid, exc, handler, self.body(scope, inner, returns, lo=1)]
        if kind == "agen":
            # No return in it: an async generator's return would end the iteration.
            self.groups.append(sid)
            sub = _Scope((*scope.groups, sid), scope.timeouts, scope.task)
            return ["agen", sid, self.body(sub, inner, returns=False, lo=1)]
        if kind == "waitfor":
            return self.waitfor(scope, sid, inner)
        assert kind == "shield", kind
        self.tasks.append(sid)
        return ["shield", sid, self.body(scope.within(sid), inner, returns=True, lo=1)]

    def waitfor(self, scope: _Scope, sid: int, inner: int) -> Stmt:
        c = self.c
        how, limit = c.pick(WAIT_KINDS), c.pick(WAIT_LIMITS)
        # Where BODY runs: wait_for() makes a task of a coroutine only for a limit <= 0.
        own_task = how not in ("coro", "awaitable") or (limit is not None and limit <= 0)
        if own_task:
            self.tasks.append(sid)
        body = self.body(scope.within(sid) if own_task else scope, inner, returns=True, lo=1)
        if limit is not None and limit > 0 and c.chance(50):
            # Race the expiry: the limit is when one of BODY's own sleeps ends (from the
            # moment BODY starts), or BODY starts with a sleep as long as the limit.
            ends: List[Any] = []
            elapsed: Any = 0
            for stmt in body:
                if stmt[0] == "sleep" and stmt[2] > 0:
                    elapsed += stmt[2]
                    ends.append(elapsed)
            if ends:
                limit = c.pick(ends)
            else:
                self.last_id += 1
                body.insert(0, ["sleep", self.last_id, limit])
        if c.chance(20):
            # BODY suppresses its cancellation and returns its value instead.
            self.last_id += 1
            body = [["try", self.last_id, c.pick(WAIT_SWALLOWS), "swallow", body]]
        if c.chance(30):
            # Cancelled from outside while it waits, perhaps as the limit expires.
            at = c.pick((*EVENT_TIMES, limit)) if limit is not None else c.pick(EVENT_TIMES)
            self.waiter_events.append([at, "cancel", scope.task, self.message(f"w{sid}")])
        return ["waitfor", sid, how, limit, body]

    def event(self) -> List[Any]:
        c = self.c
        at = c.pick(EVENT_TIMES)
        kind = c.pick(EVENT_KINDS)
        if kind == "tgcancel" and self.groups:
            return [at, "tgcancel", c.pick(self.groups)]
        if kind == "resched" and self.timeouts:
            return [at, "resched", c.pick(self.timeouts), c.pick(RESCHEDULES)]
        return [at, "cancel", c.pick(self.tasks), self.message(f"e{at}")]


def generate(
    chooser: Chooser, max_statements: int = MAX_STATEMENTS, max_depth: int = MAX_DEPTH
) -> Scenario:
    """Build one scenario from *chooser*'s decisions."""
    return _Generator(chooser, max_statements, max_depth).scenario()


def from_seed(seed: int) -> Scenario:
    """The scenario of a seed: the same one on every interpreter and platform."""
    return generate(RandomChooser(seed))


def strategy() -> Any:
    """A hypothesis strategy of scenarios."""
    from hypothesis import strategies as st

    @st.composite
    def scenarios(draw: Callable[[Any], Any]) -> Scenario:
        return generate(DrawChooser(draw))

    return scenarios()


def walk(body: Body) -> Any:
    """Every statement of *body*, nested ones included, in source order."""
    for stmt in body:
        yield stmt
        for part in stmt[2:]:
            if isinstance(part, list) and (not part or isinstance(part[0], list)):
                yield from walk(part)


# -- minimising ------------------------------------------------------------------------

# Where each compound statement keeps its bodies (the index in the statement's list).
_BODIES = {
    "spawn": (3,),
    "group": (3,),
    "timeout": (4,),
    "try": (4,),
    "finally": (2, 3),
    "suppress": (3,),
    "catch": (4,),
    "shield": (2,),
    "agen": (2,),
    "waitfor": (4,),
}
# Those whose bodies run in the same task (a waitfor's may), and may be put in their place.
_INLINE = frozenset({"group", "timeout", "try", "finally", "suppress", "catch", "agen", "waitfor"})


def _bodies(body: Body) -> Any:
    yield body
    for stmt in body:
        for index in _BODIES.get(stmt[0], ()):
            yield from _bodies(stmt[index])


def _simpler(sc: Scenario) -> Any:
    """Scenarios one step simpler than *sc*, the biggest steps first."""
    if sc.get("eager"):
        yield {**sc, "eager": False}
    for index in range(len(sc["events"])):
        yield {**sc, "events": sc["events"][:index] + sc["events"][index + 1 :]}

    def variant(which: int, index: int, change: Callable[[Body, int], None]) -> Scenario:
        new = copy.deepcopy(sc)
        change(list(_bodies(new["root"]))[which], index)
        return new

    def drop(body: Body, index: int) -> None:
        del body[index]

    def inline(body: Body, index: int) -> None:
        stmt = body[index]
        body[index : index + 1] = [s for i in _BODIES[stmt[0]] for s in stmt[i]]

    def simplify(body: Body, index: int) -> None:
        body[index] = _simpler_statement(body[index])

    for which, body in enumerate(list(_bodies(sc["root"]))):
        for index, stmt in enumerate(body):
            yield variant(which, index, drop)
            if stmt[0] in _INLINE:
                yield variant(which, index, inline)
            if _simpler_statement(stmt) is not None:
                yield variant(which, index, simplify)


def _simpler_statement(stmt: Stmt) -> Optional[Stmt]:
    op = stmt[0]
    if op == "sleep" and stmt[2] != 0:
        return ["sleep", stmt[1], 0]
    if op == "cancel" and stmt[3] is not None:
        return [*stmt[:3], None]
    if op == "group" and stmt[2]:
        return ["group", stmt[1], False, stmt[3]]
    if op == "waitfor" and stmt[2] != "coro":
        return ["waitfor", stmt[1], "coro", *stmt[3:]]
    return None


def minimise(sc: Scenario, fails: Callable[[Scenario], bool], budget: int = 3000) -> Scenario:
    """Greedily simplify *sc* (drop events and statements, inline blocks, zero sleeps)
    while ``fails`` holds; at most *budget* tries."""
    changed = True
    while changed and budget > 0:
        changed = False
        for candidate in _simpler(sc):
            budget -= 1
            if fails(candidate):
                sc, changed = candidate, True
                break
            if budget <= 0:
                break
    return sc


# -- rendering as source --------------------------------------------------------------


def _num(value: Any) -> str:
    return repr(value)


def _delta(delta: Any) -> str:
    if delta is None:
        return "None"
    if delta < 0:
        return f"loop.time() - {-delta}"
    return f"loop.time() + {delta}"


def _cancel_call(target: str, msg: Optional[str]) -> str:
    return f"{target}.cancel({msg!r})" if msg is not None else f"{target}.cancel()"


def to_source(scenario: Scenario) -> str:
    """A readable rendering of *scenario* as Python source (``# n<id>`` marks statements).

    ``TaskGroup``, ``timeout``, ``wait_for`` ... are the implementation's; ``Boom`` is an
    ``Exception`` and ``Halt`` a ``BaseException`` of the test's own; ``tasks[...]`` and
    ``groups[...]`` ``timeouts[...]`` are looked up when the statement runs (absent: it
    does nothing); ``resolve(fut, task)`` gives *fut* the outcome of the done *task*,
    unless *fut* is done already.
    """
    out: List[str] = []
    pending: List[Tuple[int, Body]] = [(0, scenario["root"])]
    if scenario.get("eager"):
        out.append("loop.set_task_factory(asyncio.eager_task_factory)")
        out.append("")
    done = 0
    while done < len(pending):
        label, body = pending[done]
        done += 1
        out.append(f"async def t{label}_body():")
        _render_body(body, 1, out, pending)
        out.append("")
    for event in scenario["events"]:
        at, kind = event[0], event[1]
        if kind == "cancel":
            call = _cancel_call(f"tasks[{event[2]}]", event[3])
            out.append(f"loop.call_at({at!r}, lambda: {call})")
        elif kind == "tgcancel":
            out.append(f"loop.call_at({at!r}, lambda: groups[{event[2]}].cancel())")
        else:
            call = f"timeouts[{event[2]}].reschedule({_delta(event[3])})"
            out.append(f"loop.call_at({at!r}, lambda: {call})")
    out.append("tasks[0] = loop.create_task(t0_body()); loop.run_until_complete(tasks[0])")
    return "\n".join(out)


def _render_body(body: Body, depth: int, out: List[str], pending: List[Tuple[int, Body]]) -> None:
    if not body:
        out.append("    " * depth + "pass")
    for stmt in body:
        _render(stmt, depth, out, pending)


def _render(stmt: Stmt, depth: int, out: List[str], pending: List[Tuple[int, Body]]) -> None:
    pad = "    " * depth
    op, sid = stmt[0], stmt[1]
    tag = f"  # n{sid}"

    def line(text: str) -> None:
        out.append(pad + text + tag)

    def block(head: str, body: Body) -> None:
        line(head)
        _render_body(body, depth + 1, out, pending)

    if op == "sleep":
        line(f"await asyncio.sleep({_num(stmt[2])})")
    elif op == "raise":
        line(f"raise {stmt[2]}('n{sid}')")
    elif op == "return":
        line("return")
    elif op == "cancel":
        target = "current_task()" if stmt[2] == SELF else f"tasks[{stmt[2]}]"
        line(_cancel_call(target, stmt[3]))
    elif op == "tgcancel":
        line(f"groups[{stmt[2]}].cancel()")
    elif op == "resched":
        line(f"timeouts[{stmt[2]}].reschedule({_delta(stmt[3])})")
    elif op == "spawn":
        pending.append((sid, stmt[3]))
        line(f"tasks[{sid}] = groups[{stmt[2]}].create_task(t{sid}_body())")
    elif op == "group":
        line(f"groups[{sid}] = TaskGroup()")
        if stmt[2]:
            line(f"groups[{sid}].cancel()")
        block(f"async with groups[{sid}]:", stmt[3])
    elif op == "timeout":
        how, when, body = stmt[2], stmt[3], stmt[4]
        if how == "at":
            block(f"async with timeout_at({_num(when)}) as timeouts[{sid}]:", body)
        else:
            arg = "None" if when is None else f"{_num(when)}"
            block(f"async with timeout({arg}) as timeouts[{sid}]:", body)
    elif op == "try":
        exc, handler, body = stmt[2], stmt[3], stmt[4]
        block("try:", body)
        line(f"except {exc}:")
        inner = pad + "    "
        if handler == "swallow":
            out.append(inner + "pass")
        elif handler == "reraise":
            out.append(inner + "raise")
        elif handler == "uncancel":
            out.append(inner + "uncancel(current_task())")
        else:
            out.append(inner + f"raise Boom('n{sid}:handler')")
    elif op == "finally":
        block("try:", stmt[2])
        block("finally:", stmt[3])
    elif op == "suppress":
        block(f"with suppress({stmt[2]}):", stmt[3])
    elif op == "catch":
        handler = "swallow" if stmt[3] == "swallow" else f"raise_boom('n{sid}:handler')"
        block(f"with catch({{{stmt[2]}: {handler}}}):", stmt[4])
    elif op == "agen":
        out.append(f"{pad}async def agen{sid}():{tag}")
        out.append(f"{pad}    async with TaskGroup() as groups[{sid}]:")
        _render_body(stmt[2], depth + 2, out, pending)
        out.append(f"{pad}        yield")
        line(f"gen = agen{sid}()")
        line("async for _ in gen:")
        out.append(f"{pad}    await gen.aclose()")
        out.append(f"{pad}    break")
    elif op == "shield":
        pending.append((sid, stmt[2]))
        line(f"tasks[{sid}] = loop.create_task(t{sid}_body())")
        line(f"await asyncio.shield(tasks[{sid}])")
    elif op == "waitfor":
        how, limit = stmt[2], _num(stmt[3])
        line(f"async def w{sid}():")
        _render_body(stmt[4], depth + 1, out, pending)
        out.append(f"{pad}    return 'v{sid}'")
        if how == "coro":
            line(f"print(await wait_for(w{sid}(), {limit}))")
        elif how == "awaitable":
            line(f"print(await wait_for(Awaitable(w{sid}), {limit}))  # __await__: w{sid}()")
        elif how == "future":
            line(f"futures[{sid}] = loop.create_future()")
            line(f"tasks[{sid}] = loop.create_task(w{sid}())")
            line(f"tasks[{sid}].add_done_callback(lambda t: resolve(futures[{sid}], t))")
            line(f"print(await wait_for(futures[{sid}], {limit}))")
        else:
            line(f"tasks[{sid}] = loop.create_task(w{sid}())")
            awaited = f"asyncio.shield(tasks[{sid}])" if how == "shield" else f"tasks[{sid}]"
            line(f"print(await wait_for({awaited}, {limit}))")
    else:  # pragma: no cover
        raise ValueError(f"unknown statement {stmt!r}")
