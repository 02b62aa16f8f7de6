"""Work outside the request: the job queue (queue.py), its tasks (tasks.py), the worker (`python -m <package>
worker`, worker.py), the failed-job commands (commands.py) and the long-running operations clients poll
(operations.py, routes.py)."""
