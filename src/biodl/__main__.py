import sys

from biodl.cli import main

sys.exit(main())
