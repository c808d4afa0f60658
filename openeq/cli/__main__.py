"""``python -m openeq.cli``: the ``openeq`` command."""
import sys

from openeq.cli import main

sys.exit(main())
