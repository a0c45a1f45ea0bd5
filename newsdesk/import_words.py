"""What an article import says about a bad file, in a writer's words: YAML errors turned into what
to fix (a headline with a colon wants quotes), and the per-file problems the window lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file left out of an import, and why (one sentence naming the file)."""

    path: Path
    message: str

    def sentence(self) -> str:
        """The message with the file's name where its full path was."""
        full = str(self.path)
        if self.message.startswith(full):
            return self.path.name + self.message[len(full) :]
        return self.message


def yaml_advice(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """(line in the file, what is wrong and what to do, in a writer's words) for a YAML error.

    PyYAML says "mapping values are not allowed here"; a reporter needs to hear that
    a headline with a colon in it wants quotes. An unclosed quote or bracket, or a key
    with no colon, is named where it starts (PyYAML points at the line after).
    """
    problem = str(getattr(exc, "problem", "") or "")
    context = str(getattr(exc, "context", "") or "")
    mark = getattr(exc, "problem_mark", None)
    opened = getattr(exc, "context_mark", None)
    if opened is not None and any(w in context for w in ("quoted scalar", "flow", "simple key")):
        mark = opened
    line = mark.line + 2 if mark is not None else None  # +1 for '---', +1 for 1-based
    if "quoted scalar" in context:
        advice = "a quotation mark opened there is never closed; close it on the same line"
    elif "flow sequence" in context:
        advice = "a '[' opened there is never closed; close it, or put the whole value in quotes"
    elif "flow mapping" in context:
        advice = "a '{' opened there is never closed; close it, or put the whole value in quotes"
    elif "mapping values are not allowed" in problem:
        advice = (
            "a value holds a colon, or the line is indented; put the value in quotes "
            '(headline: "Ferry: back") or start the line at the left edge'
        )
    elif "could not find expected ':'" in problem:
        advice = "the line is not 'key: value'; add the colon after the key"
    elif "'\\t'" in problem or "'\t'" in problem:
        advice = "it is indented with a tab; indent with spaces"
    elif "cannot start any token" in problem:
        found = re.search(r"character '(.+?)'", problem)
        char = f"'{found.group(1)}'" if found else "that character"
        advice = f"a value starts with {char}; put the whole value in quotes"
    elif "expected <block end>" in problem:
        advice = (
            "the line is indented differently from the keys above it, or a quoted value "
            "goes on after its closing quote; line the keys up and quote whole values"
        )
    else:
        advice = "write it as 'key: value' lines, with any value holding ':' or '#' in quotes"
    return line, advice
