"""QA_SUPERVISION_<SETTING>: the cadences (qa.supervision.Cadences), each overridable, e.g.
QA_SUPERVISION_CASE_DAYS=42. Read where the capability is built; a wrong value is one line naming the
variable (ConfigurationError), and the bot does not start."""
from __future__ import annotations

import os
from collections.abc import Mapping

from capabilities.registry import ConfigurationError
from qa.supervision import CadenceError, Cadences


def from_env(env: Mapping[str, str] | None = None) -> Cadences:
    try:
        return Cadences.from_env(os.environ if env is None else env)
    except CadenceError as exc:
        raise ConfigurationError(f"QA_SUPERVISION_*: {exc}") from None
