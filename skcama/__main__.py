"""``python -m skcama``: the ``skcama`` command, the same entry point as the console script
(``skcama.cli:main``), exiting with its return code."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
