"""``python -m asyncio_compat``: report what this interpreter gets, and self-check it.

See ``python -m asyncio_compat --help``.
"""

from __future__ import annotations

import sys

from ._selfcheck import main

if __name__ == "__main__":
    sys.exit(main())
