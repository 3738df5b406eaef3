"""How subtrans is installed: its name on the package index, and the hint an error gives for a missing extra.

The import package and the command are ``subtrans``; the distribution is ``subtrans-ruzh``, because
``subtrans`` on the package index is an unrelated project.
"""

from __future__ import annotations

__all__ = ["DISTRIBUTION", "install_hint"]

DISTRIBUTION = "subtrans-ruzh"


def install_hint(extra: str) -> str:
    """``pip install "subtrans-ruzh[EXTRA]"``, and the line for a checkout of the repository."""
    return f'pip install "{DISTRIBUTION}[{extra}]" (in a checkout: pip install -e ".[{extra}]")'
