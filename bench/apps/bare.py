"""Bare FastAPI: the same routes, no middleware at all. The baseline every ratio is taken against."""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parent))
from items import router

app = FastAPI()
app.include_router(router)
