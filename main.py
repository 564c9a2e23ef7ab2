"""python main.py [--db URL]: starts Desk (the same as the `desk` command)."""

import sys

from desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
