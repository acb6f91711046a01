"""A bank holding one output question at the schema's limits, for the platform tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from questions.loader import QuestionBank, load_bank
from questions.schema import MAX_CODE_CHARS

#: Code at the length limit, full of fences, mentions and markup.
WORST_CODE = ('print("```")  # @everyone <!channel> & *bold* <@123456789012345678>\n' * 40)[
    :MAX_CODE_CHARS
].rstrip()
OUTPUT = "```\n<!here> & @everyone"
WRONG = ("``` <!here> & @everyone", "```\n<!here>", "SyntaxError")


def output_bank(directory: Path) -> QuestionBank:
    """A bank of one output question (category ``code``), written to ``directory``."""
    pack = {
        "category": "code",
        "title": "Code reading",
        "questions": [
            {
                "id": "worst-output",
                "type": "output",
                "difficulty": "easy",
                "rarity": "rare",
                "prompt": "What does this print?",
                "code": WORST_CODE,
                "output": OUTPUT,
                "explanation": "Each print writes one line.",
                "choices": [
                    {"text": OUTPUT, "correct": True},
                    *({"text": text, "why_wrong": "No."} for text in WRONG),
                ],
            }
        ],
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "code.yaml").write_text(yaml.safe_dump(pack), encoding="utf-8")
    return load_bank(builtin_dir=directory)
