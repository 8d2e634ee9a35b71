import sys

from smearwatch.cli import main

sys.exit(main())
