"""DJANGO_SETTINGS_MODULE for `manage.py`, pytest-django and mypy's Django plugin.

The server does not use it: `python -m <package>` reads `Settings` once and configures Django from that object.
This module builds Django's settings the same way, from the same environment variables.
"""

from .django_config import django_settings
from .settings import load_settings

globals().update(django_settings(load_settings()))
