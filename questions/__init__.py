"""The question bank: schema, loader and the YAML packs shipped with Quizbot."""

from questions.loader import BUILTIN_PACKS_DIR, PackError, QuestionBank, load_bank
from questions.schema import DIFFICULTIES, Question

__all__ = [
    "BUILTIN_PACKS_DIR",
    "DIFFICULTIES",
    "PackError",
    "Question",
    "QuestionBank",
    "load_bank",
]
