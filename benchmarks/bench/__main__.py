"""``python benchmarks/bench`` (or ``python -m bench`` in benchmarks/): measure this
interpreter; the package's docstring says what and how."""

import os
import sys

if not __package__:  # run as a folder: its parent, benchmarks/, is where `bench` is found
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from bench.cli import main

sys.exit(main())
