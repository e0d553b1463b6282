"""The ``backports.asyncio.runner`` package's one name, answered by asyncio_compat.

What a project that imports ``Runner`` from ``backports.asyncio.runner`` on Python < 3.11
(pytest-asyncio does) writes when it moves to asyncio_compat: ``Runner`` taken from
asyncio_compat instead. ``backports`` and ``backports.asyncio`` are namespace packages, in
the shim folder as in the released package, so that this ``runner`` comes first on the path.
"""

from asyncio_compat import Runner

__all__ = ["Runner"]
