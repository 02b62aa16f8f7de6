"""Comparison apps for `bench/middleware.py`; they run in the rendered project's venv (same FastAPI/uvicorn)."""
