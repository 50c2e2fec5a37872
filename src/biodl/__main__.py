import sys

from biodl.steps.cli import main

sys.exit(main())
