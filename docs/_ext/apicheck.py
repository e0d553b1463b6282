"""Which public names the API reference page documents, read from its source.

``tests/test_docs.py`` uses this without Sphinx (in every test environment); the Sphinx
extension checks the same thing on the built objects. A name counts as documented when
``docs/api.md`` has an entry for it: ``{compat-api} NAME`` for ``asyncio_compat`` (the
generated entry with its per-version sources), or an autodoc/``py`` directive naming
its full dotted name. Pure standard library, Python 3.8+.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable, List, Set

PACKAGE = "asyncio_compat"


def public_modules(root: Path) -> Dict[str, Path]:
    """The modules whose ``__all__`` the reference must cover, and their source files:
    the package and each of its modules whose name does not start with ``_``
    (``backport``, ``structured``, ...), so that a new public module is checked too."""
    package = root / "src" / PACKAGE
    found = {PACKAGE: package / "__init__.py"}
    for path in sorted(package.glob("*.py")):
        if not path.name.startswith("_"):
            found[f"{PACKAGE}.{path.stem}"] = path
    return found


_COMPAT_API = re.compile(r"^\s*[`~]{3,}\s*\{compat-api\}\s+(\w+)", re.M)
# ```{autofunction} a.b.c / .. autoclass:: a.b.c / ```{py:function} a.b.c(...)
_DIRECTIVE = re.compile(
    r"^\s*(?:[`~]{3,}\s*\{|\.\.\s+)(?:auto(?:class|function|data|exception|method)"
    r"|py:(?:class|function|data|exception))\}?(?:::)?\s+([\w.]+)",
    re.M,
)


def documented(page: str) -> Set[str]:
    """The full names that the API page's source gives an entry."""
    names = {f"{PACKAGE}.{name}" for name in _COMPAT_API.findall(page)}
    names.update(_DIRECTIVE.findall(page))
    return names


def missing(page: str, module: str, public: Iterable[str]) -> List[str]:
    """The names of *module*'s ``__all__`` (*public*) that *page* does not document."""
    have = documented(page)
    return [f"{module}.{name}" for name in public if f"{module}.{name}" not in have]
