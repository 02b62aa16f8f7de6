"""The module `test_launcher.py` starts both as `python -m tests.launched <end>` and through the launcher: it prints
what a process sees of how it was started, then ends the way `<end>` says."""

import atexit
import json
import os
import sys
import time

print(
    json.dumps(
        {
            "argv": sys.argv,
            "path": sys.path[:2],
            "cwd": os.getcwd(),
            "environment": dict(os.environ),
            "modules": sorted(sys.modules),
        }
    )
)
atexit.register(print, "atexit handlers ran", file=sys.stderr)
match sys.argv[1]:
    case "exit":
        raise SystemExit(int(sys.argv[2]))
    case "message":
        raise SystemExit("a message instead of a status")
    case "raise":
        raise ValueError("uncaught")
    case "interrupt":
        raise KeyboardInterrupt
    case "sleep":
        time.sleep(60)
