"""Entry script of the frozen app: the same composition root as the `roundtwo` console script."""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    # A frozen app re-executes itself for multiprocessing children; let them run their task.
    multiprocessing.freeze_support()
    from app.__main__ import main

    sys.exit(main())
