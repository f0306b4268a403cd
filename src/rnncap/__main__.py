import sys

from rnncap.cli.app import main

sys.exit(main())
