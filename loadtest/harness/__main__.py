"""``python -m loadtest.harness``: see loadtest/harness/run.py and loadtest/README.md."""

import sys

from .run import main

sys.exit(main())
