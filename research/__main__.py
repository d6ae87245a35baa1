"""`python -m research …`: see research.cli."""

import sys

from research.cli import main

sys.exit(main())
