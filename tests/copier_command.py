"""`python tests/copier_command.py <copier arguments>`: the `copier` command line (`python -m copier`), with each
template string compiled once per process (tests/jinja_cache.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import jinja_cache  # found beside this file, from any working directory
from copier._cli import CopierApp

if __name__ == "__main__":
    jinja_cache.install()
    CopierApp.run()
