"""What the service's integrations add to the worker, one module each, there only when the service has it: each
module's `add_to_worker(parts, settings)` (core/jobs/parts.py) is called when a worker starts. A new one is a module
here with that function; no list names it."""
