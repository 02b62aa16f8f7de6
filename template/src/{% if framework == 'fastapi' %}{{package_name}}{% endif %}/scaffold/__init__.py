"""`resource add`: a new resource from this service's own scaffold (command.py)."""
