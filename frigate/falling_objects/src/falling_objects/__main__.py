"""Run the falling-object command line: ``python -m falling_objects``."""

import sys

from .cli import main

sys.exit(main())
