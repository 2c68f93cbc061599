import sys

from reflexgen.cli import main

sys.exit(main())
