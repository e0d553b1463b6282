"""The golden test of call-graph introspection: the programs of ``graph_golden/programs.py``
give, on this interpreter, the very text of ``format_call_graph()`` that CPython 3.15's
stdlib gave (``graph_golden/<program>.txt``, made by ``graph_golden/regen.py``), apart from
file paths, line numbers and ids; with ``asyncio_compat.backport``'s names, and with
``asyncio_compat``'s, on asyncio's loop and uvloop.
"""

from __future__ import annotations

import importlib
import os

import pytest
from graph_golden import programs

import asyncio_compat
from asyncio_compat import backport

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graph_golden")

# 3.14's as_completed() waits in _AsCompletedIterator._wait_for_one(), on an
# asyncio.Queue's get(): the backport's frames read the same once it does too.
AS_COMPLETED_FRAMES = hasattr(
    importlib.import_module("asyncio_compat._ascompleted"), "_AsCompletedIterator"
)
PUBLIC_NAMES = "format_call_graph" in asyncio_compat.__all__

APIS = [
    pytest.param(backport, id="backport"),
    pytest.param(
        asyncio_compat,
        id="asyncio_compat",
        marks=pytest.mark.skipif(
            not PUBLIC_NAMES, reason="asyncio_compat does not export the graph names yet"
        ),
    ),
]


def golden(name: str) -> str:
    with open(os.path.join(HERE, f"{name}.txt"), encoding="utf-8") as f:
        return f.read()


def test_every_program_has_its_golden_text():
    """Each program has a stored text, and each stored text a program."""
    stored = sorted(n[:-4] for n in os.listdir(HERE) if n.endswith(".txt"))
    assert sorted(programs.PROGRAMS) == stored


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("name", sorted(programs.PROGRAMS))
def test_same_text_as_3_15(name, api, run, request):
    """The program's call graphs read as 3.15's stdlib wrote them."""
    if (
        name == "as_completed_iteration"
        and not AS_COMPLETED_FRAMES
        and api.as_completed is backport.as_completed
    ):
        request.applymarker(
            pytest.mark.xfail(
                strict=True, reason="the backport's as_completed() has frames of its own"
            )
        )
    out: programs.Out = []
    run(programs.PROGRAMS[name](programs.module_api(api), out))
    got = [(label, programs.normalise(text)) for label, text in out]
    assert golden(name) == programs.render(got)
