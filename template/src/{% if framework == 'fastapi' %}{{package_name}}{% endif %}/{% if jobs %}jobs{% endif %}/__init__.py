"""Work outside the request: the job queue (queue.py, which finds every package's `tasks.py`), the queue's own tasks
(tasks.py), the worker (`python -m <package> worker`, worker.py, with what the integrations add: worker_parts/), the
failed-job commands (commands.py) and the long-running operations clients poll (operations.py, routes.py). It imports
no package of the service's: they import it (the example operation is items/exports.py)."""
