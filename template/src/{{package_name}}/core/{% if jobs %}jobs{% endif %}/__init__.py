"""The framework-neutral parts of the job queue: the worker's rules (worker.py) and its command line, its name, its
health server, the context of its log lines, its parts and metrics; the queue's upkeep (upkeep.py), the failed-job
commands (commands.py) and the worker inside a service without PostgreSQL (in_process.py). The service's jobs package
(jobs/: the procrastinate app, the tasks, the operations) builds on them."""
