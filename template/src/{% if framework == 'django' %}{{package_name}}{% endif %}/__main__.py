"""`python -m <package>`: validate settings, configure logging, serve with uvicorn."""

from .server import main

raise SystemExit(main())
