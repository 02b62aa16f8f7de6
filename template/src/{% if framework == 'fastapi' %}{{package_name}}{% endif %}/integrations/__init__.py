"""Optional integrations chosen when the project was generated; each one lives in its own module here.

Each declares itself (`integration.py`); `create_app` installs them into its `Wiring` (`base.py`), then applies the
wiring to the app. The other modules here are the integrations' helpers.
"""

from __future__ import annotations

from .integration import Integration, install_integrations, present_integrations

__all__ = ["Integration", "install_integrations", "present_integrations"]
