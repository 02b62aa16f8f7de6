"""Released versions of the template, by commit, for the upgrade tests.

Tags are how users and `copier update` see releases; the tests pin the commits so they run the same in any clone
of main (tags are not always fetched). Every commit here must stay an ancestor of main.
"""

from __future__ import annotations

RELEASES: dict[str, str] = {
    "0.1.0": "3bf6df0c7097174b9b9e7574040554f824fc4295",  # FastAPI only
    "0.2.0": "2bfdf1e2f5c4665e60b1cd359fb720e1cf92c13d",  # both frameworks (the main branch before issue 11)
    "0.3.0": "355aae7a9dffcbff2eaa80a5b226938b73bf9aa9",  # a real database, bearer tokens, the shared core
    "0.4.0": "1985a4f13efd9e8eb56ca23318986e1bfcfea93f",  # accounts, caching, granian: before owned resources
}

FIRST_RELEASE = "0.1.0"
PREVIOUS_RELEASE = "0.2.0"
LAST_RELEASE = "0.3.0"
"""The newest release: a project from it meets this round's layout changes (hooks/moves.py)."""
BEFORE_OWNERSHIP = "0.4.0"
"""The release before owned resources, jobs and accounts by email: `copier update` from it keeps a team's work."""
