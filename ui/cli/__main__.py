"""`python -m ui.cli`: the `rag` command."""

import sys

from ui.cli.main import main

sys.exit(main())
