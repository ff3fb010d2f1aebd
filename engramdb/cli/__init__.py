"""The ``engram`` command line: a thin mirror of :class:`engramdb.Memory`.

``main(argv)`` returns the exit code; the console script installed by pip
wraps it as ``sys.exit(main())``, and tests call it in-process.
"""

from ._app import main

__all__ = ["main"]
