"""The framework-neutral parts of the job worker: its name, its health server, the context of its log lines and its
metrics. The service's `jobs` package (the procrastinate app, the tasks, the worker command) builds on them."""
