import sys

from gicrawler.cli import main

sys.exit(main())
