"""`python -m engramdb.cli`: the same as the `engram` command."""

import sys

from . import main

sys.exit(main())
