"""Exception classes and helpers: the builtins where they exist, ``exceptiongroup`` before."""

from __future__ import annotations

import asyncio
import sys

__all__ = ["TimeoutError", "add_note"]

if sys.version_info >= (3, 11):  # 3.11+: bpo-46771 made asyncio.TimeoutError the builtin class
    TimeoutError = TimeoutError

    def add_note(exc: BaseException, note: str) -> None:
        """Add *note* to the exception's ``__notes__`` (PEP 678): ``exc.add_note(note)``."""
        exc.add_note(note)

else:
    import builtins

    class TimeoutError(builtins.TimeoutError, asyncio.TimeoutError):  # type: ignore[misc]
        """What ``timeout()`` raises on expiry.

        Before 3.11 the builtin ``TimeoutError`` and ``asyncio.TimeoutError`` are
        unrelated classes: this one subclasses both, so either ``except`` clause
        catches it, as on 3.11+ where they are one class.
        """

    TimeoutError.__module__ = "asyncio_compat"

    def BaseExceptionGroup(message: str, errors: list[BaseException]) -> BaseException:
        """``exceptiongroup.BaseExceptionGroup(message, errors)``, imported by the first
        call: it takes 13-18 ms to import, which the first failure pays, not the import."""
        from exceptiongroup import BaseExceptionGroup

        return BaseExceptionGroup(message, errors)

    def add_note(exc: BaseException, note: str) -> None:
        """Add *note* to the exception's ``__notes__`` (PEP 678).

        ``exceptiongroup`` shows the notes when the traceback is printed.
        """
        import exceptiongroup  # noqa: F401  (imported on first use: it shows the notes)

        if not isinstance(note, str):
            # The newest CPython's wording (3.11 and 3.12 said "note must be a str").
            raise TypeError(f"add_note() argument must be str, not {type(note).__name__}")
        notes = getattr(exc, "__notes__", None)
        if notes is None:
            notes = []
            exc.__notes__ = notes  # type: ignore[attr-defined]
        elif not isinstance(notes, list):
            raise TypeError("Cannot add note: __notes__ is not a list")
        notes.append(note)
