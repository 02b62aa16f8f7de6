"""Work outside the request, on the PostgreSQL queue (procrastinate's Django app, which imports every installed app's
`tasks` module): the queue's own tasks (`tasks.py`), the worker (`python -m <package> worker`, with what the
integrations add: `worker_parts/`), and the long-running operations a client polls (`/api/v1/operations`). It imports
no other app of the service's: they import it (the example operation is items' export, `POST
/api/v1/items/{item_id}/exports`)."""
