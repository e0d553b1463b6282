"""Point CPython's TaskGroup/timeout/wait_for/as_completed/Runner tests at another
implementation, on the AST.

The names the rewritten module uses are injected by ``worker.load_test_module()``:

``_upstream_impl``
    the implementation under test: ``TaskGroup``, ``Timeout``, ``timeout``,
    ``timeout_at``, ``wait_for``, ``as_completed``, ``cancelling(task)``,
    ``uncancel(task)`` and the ``taskgroups`` / ``timeouts`` namespaces that stand for
    ``asyncio.taskgroups`` / ``asyncio.timeouts``;
``_upstream_compat``
    ``compat``: what newer tests need from a newer asyncio/unittest/test package
    (``EventLoop``, the ``loop_factory``-aware ``IsolatedAsyncioTestCase``,
    ``await_without_task``, the virtual-time ``TestCase``, ...).

Rewrites (``impl`` ones only when the implementation is not the stdlib's; ``tasks`` and
``futures`` stand for any name bound to ``asyncio.tasks`` / ``asyncio.futures``)::

    asyncio.TaskGroup, .Timeout, .timeout, .timeout_at  ->  _upstream_impl.<same>     (impl)
    asyncio.wait_for, .as_completed                ->  _upstream_impl.<same>           (impl)
    asyncio.Runner, .run                           ->  _upstream_impl.<same>           (impl)
    tasks.wait_for, tasks.as_completed             ->  _upstream_impl.<same>           (impl)
    asyncio.taskgroups, asyncio.timeouts           ->  _upstream_impl.<same>           (impl)
    from asyncio import taskgroups, TaskGroup, wait_for, ...
    from asyncio.tasks import wait_for, as_completed
                                                   ->  name = _upstream_impl.<same>    (impl)
    X.cancelling() / X.uncancel()                  ->  _upstream_impl.cancelling(X)        (impl)
    asyncio.EventLoop                              ->  _upstream_compat.EventLoop
    asyncio.new_event_loop                         ->  _upstream_compat.new_event_loop
    asyncio.eager_task_factory                     ->  _upstream_compat.eager_task_factory
    asyncio.events._set_event_loop_policy          ->  _upstream_compat.set_event_loop_policy
    asyncio.events._get_event_loop_policy          ->  _upstream_compat.get_event_loop_policy
    asyncio.events._AbstractEventLoopPolicy        ->  _upstream_compat.AbstractEventLoopPolicy
    unittest.IsolatedAsyncioTestCase               ->  _upstream_compat.IsolatedAsyncioTestCase
    tasks._x, futures._x (private names)           ->  _upstream_compat.asyncio_private(tasks, '_x')
    X.Task(..., context=c, eager_start=e)          ->  _upstream_compat.make_task(X.Task, ...)
    from test.test_asyncio.utils import N          ->  N = _upstream_compat.test_utils(N)
    from test.test_asyncio import utils            ->  utils = _upstream_compat.test_utils_module
    from test import support                       ->  support = _upstream_compat.test_support
    asyncio.capture_call_graph, .format_call_graph, .print_call_graph
                                                   ->  _upstream_impl.<same>           (impl)

and before 3.14, for ``test_graph.py``, the two adaptations its issue allows (3.14 added
what they stand for to the interpreter and to asyncio's private API)::

    X.f_generator                                  ->  _upstream_compat.frame_generator(X)
    asyncio.future_add_to_awaited_by, ..._discard_from_awaited_by  (read or assigned)
                                                   ->  _upstream_impl.<same>           (impl)
    X._asyncio_awaited_by                          ->  _upstream_compat.asyncio_awaited_by(X)
    hasattr(tasks or futures, '_x')                ->  _upstream_compat.asyncio_has_private(...)

(``tasks._c_current_task``, ``futures._py_future_add_to_awaited_by``, ... are private
names: ``asyncio_private`` gives this package's hooks for them before 3.14.)

The exception-group files (``test_exception_group.py``, ``test_traceback.py``'s group
tests, ``test_contextlib.py``'s ``TestSuppress``: ``rewrite(..., egroups=True)``) test
``asyncio_compat``'s top-level names instead of the builtins and the stdlib's::

    ExceptionGroup, BaseExceptionGroup (read)      ->  _upstream_impl.<same>           (impl)
    traceback.format_exception, .format_exception_only, .print_exc, .print_exception
                                                   ->  _upstream_impl.<same>           (impl)
    contextlib.suppress                            ->  _upstream_impl.suppress         (impl)
    from contextlib import suppress (or *), from traceback import format_exception, ...
                                                   ->  name = _upstream_impl.<same>    (impl)
    X.add_note(note), before 3.11 (PEP 678)        ->  _upstream_impl.add_note(X, note) (impl)

and run on the interpreter at hand::

    self.assertIsSubclass(...), ... (3.14's)
                                 ->  _upstream_compat.assert_method(self, '...')(...)
    from test.support[.M] import N
                                 ->  N = _upstream_compat.support_name('N'[, M])
    import _colorize (3.13's)    ->  _colorize = _upstream_compat.colorize_module()

After rewriting, ``check()`` refuses a module in which a reference to the stdlib's
TaskGroup/timeout/wait_for/as_completed would be left, so the stdlib can never be tested
by mistake.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from typing import Any, Dict, List, Optional, Set

IMPL = "_upstream_impl"
COMPAT = "_upstream_compat"

IMPL_NAMES = (
    "TaskGroup",
    "Timeout",
    "timeout",
    "timeout_at",
    "wait_for",
    "as_completed",
    "capture_call_graph",
    "format_call_graph",
    "print_call_graph",
    "Runner",
    "run",
)
# 3.14's awaited-by hooks, which asyncio lacks before: the implementation's stand in there
HOOK_NAMES = ("future_add_to_awaited_by", "future_discard_from_awaited_by")
BEFORE_GRAPH = sys.version_info < (3, 14)  # no asyncio.graph, no frame.f_generator
IMPL_MODULES = {"taskgroups": ("TaskGroup",), "timeouts": ("Timeout", "timeout", "timeout_at")}
TASKS_NAMES = ("wait_for", "as_completed")  # the functions of asyncio.tasks under test
TASK_METHODS = ("cancelling", "uncancel")
TEST_UTILS_MODULES = ("test.test_asyncio.utils",)
# from MODULE import NAME -> NAME = _upstream_compat.<attribute>
COMPAT_MODULES = {
    ("test.test_asyncio", "utils"): "test_utils_module",
    ("test", "support"): "test_support",
}
# the exception-group files: the names tested (see the module docstring) and their modules
EGROUP_CLASSES = ("ExceptionGroup", "BaseExceptionGroup")
EGROUP_MODULES = {
    "traceback": ("format_exception", "format_exception_only", "print_exc", "print_exception"),
    "contextlib": ("suppress",),
}
NEW_ASSERTS = (
    "assertIsSubclass",
    "assertNotIsSubclass",
    "assertHasAttr",
    "assertNotHasAttr",
    "assertStartsWith",
    "assertEndsWith",
)
# asyncio.events' private policy names (3.14+) -> what stands for them in compat
POLICY_NAMES = {
    "_get_event_loop_policy": "get_event_loop_policy",
    "_AbstractEventLoopPolicy": "AbstractEventLoopPolicy",
}
# the keywords of Task() newer than 3.8 (context: 3.11, eager_start: 3.12)
NEW_TASK_KEYWORDS = ("context", "eager_start")


class RewriteError(Exception):
    pass


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_dotted(node: ast.AST, dotted: str) -> bool:
    *head, last = dotted.split(".")
    if not head:
        return _is_name(node, last)
    return (
        isinstance(node, ast.Attribute)
        and node.attr == last
        and _is_dotted(node.value, ".".join(head))
    )


def module_aliases(tree: ast.AST) -> Dict[str, str]:
    """``{name: module}`` for the names bound to ``asyncio.tasks`` / ``asyncio.futures``
    (``from asyncio import tasks``, ``import asyncio.futures as f``, ``f = asyncio.futures``),
    and the dotted names themselves."""
    aliases = {"asyncio.tasks": "asyncio.tasks", "asyncio.futures": "asyncio.futures"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "asyncio" and not node.level:
            for alias in node.names:
                if alias.name in ("tasks", "futures"):
                    aliases[alias.asname or alias.name] = f"asyncio.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in ("asyncio.tasks", "asyncio.futures"):
                    aliases[alias.asname] = alias.name
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            # futures = asyncio.futures (test_graph.py's setUp)
            for module in ("asyncio.tasks", "asyncio.futures"):
                if _is_dotted(node.value, module):
                    aliases[node.targets[0].id] = module
    return aliases


def _module_of(node: ast.AST, aliases: Dict[str, str]) -> Optional[str]:
    """``asyncio.tasks`` / ``asyncio.futures`` if *node* stands for that module."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute) and _is_name(node.value, "asyncio"):
        return aliases.get(f"asyncio.{node.attr}")
    return None


def _load(dotted: str, like: ast.AST) -> ast.expr:
    parts = dotted.split(".")
    node: ast.expr = ast.Name(id=parts[0], ctx=ast.Load())
    for part in parts[1:]:
        node = ast.Attribute(value=node, attr=part, ctx=ast.Load())
    for sub in ast.walk(node):
        ast.copy_location(sub, like)
    return node


def _assign(target: str, value: ast.expr, like: ast.AST) -> ast.Assign:
    node = ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=value)
    for sub in ast.walk(node):
        ast.copy_location(sub, like)
    return node


class Rewriter(ast.NodeTransformer):
    def __init__(self, impl: bool, egroups: bool = False) -> None:
        self.impl = impl
        self.egroups = egroups
        self.counts: Counter[str] = Counter()
        self.impl_module_names: Set[str] = set()  # names bound to _upstream_impl.taskgroups/...
        self.module_aliases: Dict[str, str] = {}  # see module_aliases(), set by rewrite()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        self.generic_visit(node)
        if node.name == "no_other_refs" and sys.version_info < (3, 14):
            # Before gh-124392 (3.14) a coroutine does not refer to its frame's locals: the
            # one other referrer of a local is the caller's frame object before 3.11 (frames
            # became internal in 3.11, bpo-44590), and none from 3.11. The refcycle tests
            # then still pin that the group drops its errors, parent task and arguments.
            self.counts["no_other_refs() before 3.14"] += 1
            source = "return [sys._getframe(1)]" if sys.version_info < (3, 11) else "return []"
            body = ast.parse(f"def f():\n    import sys\n    {source}\n").body[0]
            assert isinstance(body, ast.FunctionDef)
            node.body = body.body
            for stmt in node.body:
                ast.copy_location(stmt, node)
        return node

    def visit_Name(self, node: ast.Name) -> Any:
        egroup = self.egroups and self.impl and node.id in EGROUP_CLASSES
        if egroup and isinstance(node.ctx, ast.Load):
            self.counts[node.id] += 1
            return _load(f"{IMPL}.{node.id}", node)
        return node

    def visit_Import(self, node: ast.Import) -> Any:
        if self.egroups and any(a.name == "_colorize" for a in node.names):
            rest = [a for a in node.names if a.name != "_colorize"]
            self.counts["import _colorize"] += 1
            call = self._compat_call("colorize_module", [], node)
            out: List[ast.stmt] = [_assign("_colorize", call, node)]
            if rest:
                out.insert(0, ast.copy_location(ast.Import(names=rest), node))
            return out
        return node

    def _egroup_attribute(self, node: ast.Attribute) -> Optional[ast.expr]:
        """``traceback.format_exception`` & co. and ``contextlib.suppress`` (read)."""
        if not (self.egroups and self.impl and isinstance(node.value, ast.Name)):
            return None
        if node.attr in EGROUP_MODULES.get(node.value.id, ()):
            self.counts[f"{node.value.id}.{node.attr}"] += 1
            return _load(f"{IMPL}.{node.attr}", node)
        return None

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if isinstance(node.ctx, ast.Load):
            egroup = self._egroup_attribute(node)
            if egroup is not None:
                return egroup
        self.generic_visit(node)
        hook = BEFORE_GRAPH and self.impl and node.attr in HOOK_NAMES
        if hook and _is_name(node.value, "asyncio"):  # read in setUp, assigned in tearDown
            self.counts[f"asyncio.{node.attr}"] += 1
            target = _load(f"{IMPL}.{node.attr}", node)
            assert isinstance(target, ast.Attribute)
            target.ctx = node.ctx
            return target
        if not isinstance(node.ctx, ast.Load):
            return node
        if BEFORE_GRAPH and node.attr == "f_generator":
            self.counts["X.f_generator"] += 1
            return self._compat_call("frame_generator", [node.value], node)
        if BEFORE_GRAPH and self.impl and node.attr == "_asyncio_awaited_by":
            self.counts["X._asyncio_awaited_by"] += 1
            return self._compat_call("asyncio_awaited_by", [node.value], node)
        if _is_name(node.value, "asyncio"):
            if self.impl and (node.attr in IMPL_NAMES or node.attr in IMPL_MODULES):
                self.counts[f"asyncio.{node.attr}"] += 1
                return _load(f"{IMPL}.{node.attr}", node)
            if node.attr in ("EventLoop", "eager_task_factory", "new_event_loop"):
                self.counts[f"asyncio.{node.attr}"] += 1
                return _load(f"{COMPAT}.{node.attr}", node)
        module = _module_of(node.value, self.module_aliases)
        if module == "asyncio.tasks" and self.impl and node.attr in TASKS_NAMES:
            self.counts[f"tasks.{node.attr}"] += 1
            return _load(f"{IMPL}.{node.attr}", node)
        if module is not None and node.attr.startswith("_") and not node.attr.endswith("__"):
            # the private Task/Future variants and their functions: tasks._py_all_tasks
            # is 3.12's, tasks._CTask and futures._CFuture are missing on PyPy, ...
            self.counts[f"{module.split('.')[1]}._private"] += 1
            call = ast.Call(
                func=_load(f"{COMPAT}.asyncio_private", node),
                args=[node.value, ast.copy_location(ast.Constant(value=node.attr), node)],
                keywords=[],
            )
            return ast.copy_location(call, node)
        if node.attr == "_set_event_loop_policy" and _is_dotted(node.value, "asyncio.events"):
            self.counts["asyncio.events._set_event_loop_policy"] += 1
            return _load(f"{COMPAT}.set_event_loop_policy", node)
        if node.attr in POLICY_NAMES and _is_dotted(node.value, "asyncio.events"):
            # 3.14's private names for what 3.8-3.13 have as public ones (test_runners.py)
            self.counts[f"asyncio.events.{node.attr}"] += 1
            return _load(f"{COMPAT}.{POLICY_NAMES[node.attr]}", node)
        if node.attr == "IsolatedAsyncioTestCase" and _is_name(node.value, "unittest"):
            self.counts["unittest.IsolatedAsyncioTestCase"] += 1
            return _load(f"{COMPAT}.IsolatedAsyncioTestCase", node)
        return node

    def _compat_call(self, name: str, args: List[ast.expr], like: ast.AST) -> ast.expr:
        call = ast.Call(func=_load(f"{COMPAT}.{name}", like), args=args, keywords=[])
        return ast.copy_location(call, like)

    def visit_Call(self, node: ast.Call) -> Any:
        self.generic_visit(node)
        func = node.func
        if self.egroups:
            egroup = self._egroup_call(node)
            if egroup is not None:
                return egroup
        if (
            _is_name(func, "hasattr")
            and len(node.args) == 2
            and _module_of(node.args[0], self.module_aliases) is not None
            and isinstance(node.args[1], ast.Constant)
            and str(node.args[1].value).startswith("_")
        ):
            # the private names that may stand in for 3.14's (see asyncio_private)
            self.counts["hasattr(tasks/futures, private)"] += 1
            return self._compat_call("asyncio_has_private", list(node.args), node)
        if (
            self.impl
            and isinstance(func, ast.Attribute)
            and func.attr in TASK_METHODS
            and not node.args
            and not node.keywords
        ):
            self.counts[f"X.{func.attr}()"] += 1
            call = ast.Call(func=_load(f"{IMPL}.{func.attr}", node), args=[func.value], keywords=[])
            return ast.copy_location(call, node)
        if (
            _is_name(func, "Task") or (isinstance(func, ast.Attribute) and func.attr == "Task")
        ) and any(k.arg in NEW_TASK_KEYWORDS for k in node.keywords):
            # BaseTaskTests.new_task() passes context=None and eager_start=None, which
            # the Task of 3.8-3.11 does not take
            self.counts["X.Task(context=, eager_start=)"] += 1
            call = ast.Call(
                func=_load(f"{COMPAT}.make_task", node),
                args=[func, *node.args],
                keywords=node.keywords,
            )
            return ast.copy_location(call, node)
        return node

    def _egroup_call(self, node: ast.Call) -> Optional[ast.expr]:
        """``X.add_note(note)`` before 3.11 and 3.14's assertions (the egroup files)."""
        func = node.func
        if not isinstance(func, ast.Attribute):
            return None
        if (
            self.impl
            and func.attr == "add_note"
            and sys.version_info < (3, 11)
            and len(node.args) == 1
            and not node.keywords
        ):
            self.counts["X.add_note()"] += 1
            call = ast.Call(
                func=_load(f"{IMPL}.add_note", node), args=[func.value, *node.args], keywords=[]
            )
            return ast.copy_location(call, node)
        if func.attr in NEW_ASSERTS and _is_name(func.value, "self"):
            self.counts[f"self.{func.attr}()"] += 1
            name = ast.copy_location(ast.Constant(value=func.attr), node)
            method = self._compat_call("assert_method", [func.value, name], node)
            return ast.copy_location(ast.Call(method, node.args, node.keywords), node)
        return None

    def _egroup_import_from(self, node: ast.ImportFrom) -> Optional[List[ast.stmt]]:
        """``from contextlib/traceback import ...`` and ``from test.support[.M] import ...``
        in the egroup files."""
        module = node.module or ""
        if node.level or not self.egroups:
            return None
        out: List[ast.stmt] = []
        if module == "test.support" or module.startswith("test.support."):
            for alias in node.names:
                args: List[ast.expr] = [ast.Constant(value=alias.name)]
                if module != "test.support":
                    args.append(ast.Constant(value=module))
                for arg in args:
                    ast.copy_location(arg, node)
                call = self._compat_call("support_name", args, node)
                out.append(_assign(alias.asname or alias.name, call, node))
                self.counts[f"from {module} import {alias.name}"] += 1
            return out
        if not self.impl or module not in EGROUP_MODULES:
            return None
        kept: List[ast.alias] = []
        for alias in node.names:
            if alias.name == "*":
                kept.append(alias)
                names = EGROUP_MODULES[module]
            elif alias.name in EGROUP_MODULES[module]:
                names = (alias.name,)
            else:
                kept.append(alias)
                continue
            for name in names:
                bound = name if alias.name == "*" else (alias.asname or name)
                out.append(_assign(bound, _load(f"{IMPL}.{name}", node), node))
                self.counts[f"from {module} import {alias.name}"] += 1
        if kept:
            out.insert(0, ast.copy_location(ast.ImportFrom(module, kept, 0), node))
        return out

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        egroup = self._egroup_import_from(node)
        if egroup is not None:
            return egroup
        module = node.module or ""
        impl_modules = ("asyncio", "asyncio.taskgroups", "asyncio.timeouts", "asyncio.tasks")
        if node.level or not (
            module in TEST_UTILS_MODULES
            or any(m == module for m, _ in COMPAT_MODULES)
            or (self.impl and module in impl_modules)
        ):
            return node
        kept: List[ast.alias] = []
        out: List[ast.stmt] = []
        for alias in node.names:
            bound = alias.asname or alias.name
            if (module, alias.name) in COMPAT_MODULES:
                target = COMPAT_MODULES[module, alias.name]
                out.append(_assign(bound, _load(f"{COMPAT}.{target}", node), node))
                self.counts[f"from {module} import {alias.name}"] += 1
            elif module in TEST_UTILS_MODULES:
                call = ast.Call(
                    func=_load(f"{COMPAT}.test_utils", node),
                    args=[ast.copy_location(ast.Constant(value=alias.name), node)],
                    keywords=[],
                )
                out.append(_assign(bound, ast.copy_location(call, node), node))
                self.counts[f"from {module} import {alias.name}"] += 1
            elif module == "asyncio.tasks" and alias.name not in TASKS_NAMES:
                kept.append(alias)
            elif alias.name in IMPL_NAMES or (module == "asyncio" and alias.name in IMPL_MODULES):
                out.append(_assign(bound, _load(f"{IMPL}.{alias.name}", node), node))
                self.counts[f"from {module} import {alias.name}"] += 1
                if alias.name in IMPL_MODULES:
                    self.impl_module_names.add(bound)
            else:
                kept.append(alias)
        if kept:
            out.insert(0, ast.copy_location(ast.ImportFrom(module, kept, 0), node))
        return out


def check(tree: ast.AST, rewriter: Rewriter) -> None:
    """Refuse what would still reach the stdlib's TaskGroup/timeout/wait_for/as_completed
    or task methods."""
    problems = []
    aliases = module_aliases(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in TASKS_NAMES
            and _module_of(node.value, aliases) == "asyncio.tasks"
        ):
            problems.append(f"line {node.lineno}: .{node.attr} left pointing at asyncio.tasks")
        if isinstance(node, ast.ImportFrom) and not node.level:
            module = node.module or ""
            for alias in node.names:
                if module in ("asyncio", "asyncio.tasks") and alias.name in IMPL_NAMES:
                    problems.append(
                        f"line {node.lineno}: from {module} import {alias.name} not rewritten"
                    )
        if isinstance(node, ast.Attribute) and node.attr in IMPL_NAMES:
            value = node.value
            if _is_name(value, IMPL) or any(_is_name(value, n) for n in rewriter.impl_module_names):
                continue
            in_impl_module = isinstance(value, ast.Attribute) and value.attr in IMPL_MODULES
            if in_impl_module and _is_name(value.value, IMPL):  # type: ignore[attr-defined]
                continue
            if _is_name(value, "asyncio") or (
                isinstance(value, ast.Attribute) and value.attr in IMPL_MODULES
            ):
                problems.append(f"line {node.lineno}: .{node.attr} left pointing at asyncio")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in TASK_METHODS
            and not node.args
            and not _is_name(node.func.value, IMPL)
        ):
            problems.append(f"line {node.lineno}: task.{node.func.attr}() left as a method call")
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ("asyncio.taskgroups", "asyncio.timeouts"):
                    problems.append(f"line {node.lineno}: import {alias.name} not rewritten")
    if rewriter.egroups:
        problems.extend(_egroup_problems(tree))
    if problems:
        raise RewriteError("; ".join(problems))


def _egroup_problems(tree: ast.AST) -> List[str]:
    """What would still reach the builtins' exception groups or the stdlib's traceback
    and suppress functions in an egroup file."""
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in EGROUP_CLASSES:
            if isinstance(node.ctx, ast.Load):
                problems.append(f"line {node.lineno}: {node.id} left pointing at the builtin")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr in EGROUP_MODULES.get(node.value.id, ()):
                problems.append(f"line {node.lineno}: {node.value.id}.{node.attr} not rewritten")
        elif isinstance(node, ast.ImportFrom) and node.module in EGROUP_MODULES and not node.level:
            names = [a.name for a in node.names if a.name in EGROUP_MODULES[node.module]]
            problems.extend(
                f"line {node.lineno}: from {node.module} import {name} not rewritten"
                for name in names
            )
    return problems


def rewrite(tree: ast.Module, impl: bool, egroups: bool = False) -> Counter[str]:
    """Rewrite *tree* in place (see the module docstring); returns what was rewritten.
    *egroups*: the file tests the exception-group names (see the module docstring)."""
    rewriter = Rewriter(impl, egroups)
    rewriter.module_aliases = module_aliases(tree)
    rewriter.visit(tree)
    ast.fix_missing_locations(tree)
    if impl:
        check(tree, rewriter)
    return rewriter.counts
