import sys

from spillover.cli import main

sys.exit(main())
