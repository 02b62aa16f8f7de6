"""The example resource: models and storage. Replace the repository with a database-backed one when you need to."""
