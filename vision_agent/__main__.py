"""`python -m vision_agent` — the same as the `vision-agent` command."""

import multiprocessing
import sys

from vision_agent.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
