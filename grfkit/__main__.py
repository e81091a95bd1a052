"""``python -m grfkit``: the ``grfkit`` command."""

import sys

from .cli import main

sys.exit(main())
