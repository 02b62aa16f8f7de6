"""Django's PostgreSQL backend (psycopg 3 and its pool), with a connection check that costs no round trip:
`DATABASES["default"]["ENGINE"]` names this package (database_settings.py)."""
