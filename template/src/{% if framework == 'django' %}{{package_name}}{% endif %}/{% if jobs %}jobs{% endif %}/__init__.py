"""Work outside the request, on the PostgreSQL queue (procrastinate's Django app): the tasks (`tasks.py`, one
decorator each), the worker (`python -m <package> worker`), and the long-running operations a client polls
(`/api/v1/operations`), with the example one: an item's export (`POST /api/v1/items/{item_id}/exports`)."""
