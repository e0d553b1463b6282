"""The archived ``async-timeout`` package's names, answered by asyncio_compat.

What a project that imports ``async_timeout`` on Python < 3.11 writes when it moves to
asyncio_compat: ``timeout``, ``timeout_at`` and ``Timeout`` taken from asyncio_compat, and
nothing more. asyncio_compat's ``Timeout`` is asyncio's (3.11+): ``expired()`` is a method
where async-timeout has a property, ``when()``/``reschedule()`` stand for its ``deadline``/
``update()``/``shift()``, and it has no ``reject()`` (use ``reschedule(None)``). A shim that
faked those would hide exactly what a migrating user has to change, so the tests that use
them are listed with that reason in downstream/known_differences.py instead.
"""

from asyncio_compat import Timeout, timeout, timeout_at

__all__ = ["Timeout", "timeout", "timeout_at"]
