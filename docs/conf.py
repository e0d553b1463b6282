"""Sphinx configuration of the asyncio-compat manual (``tox -e docs``, Read the Docs)."""

from __future__ import annotations

import glob
import os
import sys
from pathlib import Path
from typing import Dict, Optional, Tuple

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

try:
    import asyncio_compat
except ImportError:  # a build from a bare checkout: document the source tree
    sys.path.insert(0, str(ROOT / "src"))
    import asyncio_compat

project = "asyncio-compat"
author = "asyncio-compat maintainers"
copyright = "asyncio-compat maintainers"
release = version = asyncio_compat.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "compat_docs",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "_data", "requirements.txt"]

# Nitpicky here too, so that Read the Docs (which does not pass -n) checks the same.
nitpicky = True
nitpick_ignore_regex = [
    # Type variables and typing-only names of annotations are not documented objects.
    (r"py:.*", r"_[A-Za-z0-9]+"),
    (r"py:.*", r"(typing_extensions\.)?Self"),
    # exceptiongroup publishes no inventory we could use offline.
    (r"py:.*", r"exceptiongroup\..*"),
    # CPython's asyncio-graph page describes these two dataclasses without an index entry
    # (3.15's objects.inv has the functions only).
    (r"py:.*", r"asyncio\.(FrameCallGraphEntry|FutureCallGraph)"),
]

myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # see docs/api.md: the signatures show names, the text types
autodoc_default_options = {"exclude-members": "__init__, __new__"}

html_theme = "furo"
html_title = f"asyncio-compat {release}"
html_static_path = ["_static"]
html_css_files = ["tables.css"]
html_show_sourcelink = False


# --- intersphinx: CPython's own objects.inv, offline ---------------------------------------
#
# CI has no network but the package registries. Debian's python3.15-doc package holds
# the inventory of docs.python.org: `../shared/tools/debian-cpython --docs 3.15` unpacks it
# (tox's docs environment runs it first) and prints where on stderr. Looked for, in order:
#   $ASYNCIO_COMPAT_PYTHON_INVENTORY   an objects.inv file
#   $DEBIAN_CPYTHON_ROOT (default /opt/debian-cpython)/3.*/usr/share/doc/python3.*/html/,
#                                      the newest version found
#   on Read the Docs (which has the network), docs.python.org's own inventory
# and otherwise the manual is built without links to the stdlib, saying so once.

PYTHON_DOCS = "https://docs.python.org/3/"


def find_python_inventory() -> Tuple[Optional[str], str]:
    """(inventory path or None for the URL's own, how it was found); (None, "") if none."""
    given = os.environ.get("ASYNCIO_COMPAT_PYTHON_INVENTORY")
    if given:
        if os.path.isfile(given):
            return given, "$ASYNCIO_COMPAT_PYTHON_INVENTORY"
        print(f"asyncio-compat docs: $ASYNCIO_COMPAT_PYTHON_INVENTORY={given} is not a file")
    root = os.environ.get("DEBIAN_CPYTHON_ROOT", "/opt/debian-cpython")
    pattern = os.path.join(root, "3.*", "usr", "share", "doc", "python3.*", "html", "objects.inv")

    def minor(path: str) -> Tuple[int, ...]:
        part = Path(path).parents[1].name  # "python3.15"
        return tuple(int(p) for p in part[len("python") :].split(".") if p.isdigit())

    found = sorted(glob.glob(pattern), key=minor)
    if found:
        return found[-1], f"Debian's python{'.'.join(map(str, minor(found[-1])))}-doc"
    if os.environ.get("READTHEDOCS") == "True":
        return None, "docs.python.org"
    return None, ""


_inventory, _how = find_python_inventory()
intersphinx_mapping: Dict[str, Tuple[str, Optional[str]]] = {}
compat_stdlib_links = bool(_how)
if compat_stdlib_links:
    # The links go to the documentation of the version whose inventory this is.
    _url = PYTHON_DOCS
    if _inventory:
        _url = f"https://docs.python.org/{Path(_inventory).parents[1].name[len('python') :]}/"
    intersphinx_mapping["python"] = (_url, _inventory)
    print(f"asyncio-compat docs: links to {_url}, from {_how}'s inventory")
else:
    print(
        "asyncio-compat docs: no CPython objects.inv found, so the manual links nothing to "
        "docs.python.org (run ../shared/tools/debian-cpython --docs 3.15, or set "
        "ASYNCIO_COMPAT_PYTHON_INVENTORY to an objects.inv)",
        file=sys.stderr,
    )
