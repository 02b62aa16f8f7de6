"""Serve a comparison app with exactly the uvicorn options the rendered service uses (see its `server.py`).

Usage: python serve.py MODULE_FILE PORT   (run with the rendered project's interpreter)
"""

from __future__ import annotations

import importlib.util
import sys

import uvicorn


def load_app(path: str) -> object:
    spec = importlib.util.spec_from_file_location("bench_app", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def main() -> None:
    path, port = sys.argv[1], int(sys.argv[2])
    config = uvicorn.Config(
        load_app(path),
        host="127.0.0.1",
        port=port,
        # The same options as the rendered service's `server_config`; loop and http stay "auto" there too
        # (uvloop and httptools, both installed by uvicorn[standard]).
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=10,
        lifespan="on",
        workers=1,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
