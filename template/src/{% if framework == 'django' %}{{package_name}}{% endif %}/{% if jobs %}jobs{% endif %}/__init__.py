"""Work outside the request, on procrastinate's queue: where jobs go (queue.py), the queue's own tasks (tasks.py), the
worker (`python -m <package> worker`, worker.py, with what the integrations add: worker_parts/), the failed-job
commands (commands.py) and the long-running operations a client polls (`/api/v1/operations`). Each package declares
its tasks in its own `tasks.py`, which the worker finds; the rules every framework shares are in core/jobs/. It imports
no other package of the service's: they import it (the example operation is items' export,
`POST /api/v1/items/{item_id}/exports`)."""
