"""Sending the service's emails: the SMTP server setting (`smtp.py`) and the messages rendered from the email
templates a team edits (`messages.py`). Framework-neutral: jobs send every email, never a request (the framework's
tasks call this)."""
