"""The council's learning topics for personal development plans (framework 9.2), as a definition file:

- QA_LEARNING_TOPICS_FILE: the JSON file of topics the manager picks from at an appraisal; default
  `capabilities/workforce/learning_topics/default.json` (from the framework's priority areas and the practice
  framework). A relative path is from the working directory.

The file is checked as the audit forms are (qa/definition_files.py `check_json`: JSON, then
`learning_topics.schema.json` with jsonschema, then qa/training_needs.py `topic_problems`), each problem at its
line. Read where the capability is built; a file with a problem stops start-up, naming the variable, the file and
each problem (ConfigurationError). A tag stored before the list changed keeps counting under its id.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from capabilities.audit_forms.definitions import read_text, schema_validator
from capabilities.registry import ConfigurationError
from capabilities.settings import Env, text
from qa.definition_files import check_json
from qa.training_needs import TopicList, topic_problems, topics_from_data

TOPICS_FILE_ENV = "QA_LEARNING_TOPICS_FILE"
DEFAULT_FILE = Path(__file__).with_name("learning_topics") / "default.json"
SCHEMA_FILE = Path(__file__).with_name("learning_topics.schema.json")


def topics_file(env: Env | None = None) -> Path:
    """QA_LEARNING_TOPICS_FILE, else the repository's default list."""
    value = text(env, TOPICS_FILE_ENV)
    return Path(value) if value else DEFAULT_FILE


def check_topics(text_: str) -> tuple[TopicList | None, tuple[str, ...]]:
    """A topics definition's text checked: (the list, ()) or (None, each problem as "line N: ...")."""
    data, problems = check_json(text_, _validator(), lambda d: ((p.path, p.message) for p in topic_problems(d)))
    return (topics_from_data(data) if data is not None else None), problems


def load(env: Env | None = None) -> TopicList:
    """The topics in use. Raises ConfigurationError naming QA_LEARNING_TOPICS_FILE and every problem."""
    path = topics_file(env)
    body, problem = read_text(path, "a learning topics definition")
    found, problems = check_topics(body) if body is not None else (None, (f"{path.name} {problem}",))
    if found is None:
        raise ConfigurationError(f"{TOPICS_FILE_ENV} ({path}): the learning topics cannot be used:\n"
                                 + "\n".join(problems))
    return found


@cache
def _validator():
    return schema_validator(SCHEMA_FILE)


@cache
def in_use() -> TopicList:
    """The topics in use, read once (the capability's duties and commands read them through this)."""
    return load()
