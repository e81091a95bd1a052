"""``python -m grfkit``: the ``grfkit`` command."""

import sys

from grfkit.cli import main

sys.exit(main())
