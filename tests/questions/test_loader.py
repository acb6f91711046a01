"""Loading packs: broken files fail with a message naming file, question id and field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from questions.loader import BUILTIN_PACKS_DIR, PackError, load_bank, load_pack, load_packs

QUESTION: dict[str, Any] = {
    "id": "custom-question",
    "difficulty": "easy",
    "rarity": "common",
    "prompt": "What does a custom pack look like?",
    "answer": "Like this one.",
    "explanation": "It follows the schema.",
    "choices": [
        {"text": "Like this one", "correct": True},
        {"text": "A CSV file"},
        {"text": "A Python module"},
        {"text": "Nothing at all"},
    ],
    "key_points": [{"label": "Follows the schema", "phrases": ["follows the schema"]}],
}


def pack(*questions: dict[str, Any], category: str = "custom") -> dict[str, Any]:
    return {"category": category, "title": "Custom pack", "questions": list(questions)}


def question(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(QUESTION)
    data.update(changes)
    return data


def write(path: Path, data: dict[str, Any] | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(PackError) as failed:
        load_pack(path)
    return str(failed.value)


def test_valid_custom_pack_loads(tmp_path: Path) -> None:
    loaded = load_pack(write(tmp_path / "custom.yaml", pack(question())))
    assert [q.id for q in loaded.questions] == ["custom-question"]
    assert loaded.questions[0].category == "custom"


def test_yaml_yes_where_text_is_expected(tmp_path: Path) -> None:
    text = yaml.safe_dump(pack(question(prompt="PLACEHOLDER")))
    path = write(tmp_path / "yes.yaml", text.replace("PLACEHOLDER", "yes"))
    message = load_error(path)
    assert str(path) in message
    assert "'custom-question'" in message
    assert "field 'prompt'" in message
    assert "quote it in YAML" in message


def test_yaml_yes_in_a_choice_names_the_nested_field(tmp_path: Path) -> None:
    data = pack(question())
    data["questions"][0]["choices"][2]["text"] = True  # what an unquoted `yes` loads as
    message = load_error(write(tmp_path / "choice.yaml", data))
    assert "'custom-question'" in message and "field 'choices.2.text'" in message


def test_missing_correct_choice(tmp_path: Path) -> None:
    data = pack(question())
    data["questions"][0]["choices"][0]["correct"] = False
    path = write(tmp_path / "none.yaml", data)
    message = load_error(path)
    assert str(path) in message
    assert "'custom-question'" in message and "field 'choices'" in message
    assert "found 0" in message


def test_two_correct_choices(tmp_path: Path) -> None:
    data = pack(question())
    data["questions"][0]["choices"][1]["correct"] = True
    path = write(tmp_path / "two.yaml", data)
    message = load_error(path)
    assert str(path) in message
    assert "'custom-question'" in message and "field 'choices'" in message
    assert "found 2" in message


def test_empty_key_points(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.yaml", pack(question(key_points=[])))
    message = load_error(path)
    assert str(path) in message
    assert "'custom-question'" in message and "field 'key_points'" in message


def test_question_without_id_is_named_by_position(tmp_path: Path) -> None:
    second = question(id="second-question")
    del second["id"]
    message = load_error(write(tmp_path / "noid.yaml", pack(question(), second)))
    assert "question #2" in message and "field 'id'" in message


def test_duplicate_id_across_two_packs(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", pack(question(), category="alpha"))
    second = write(tmp_path / "b.yaml", pack(question(), category="beta"))
    with pytest.raises(PackError) as failed:
        load_packs([first, second])
    message = str(failed.value)
    assert message.startswith(str(second))
    assert "'custom-question'" in message and "field 'id'" in message
    assert str(first) in message


def test_invalid_yaml_and_unreadable_files(tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.yaml", "questions: [unclosed")
    assert "not valid YAML" in load_error(broken)
    assert "cannot read" in load_error(tmp_path / "missing.yaml")


def test_custom_dir_loads_beside_builtins(tmp_path: Path) -> None:
    write(tmp_path / "custom.yaml", pack(question()))
    builtin = load_bank()
    bank = load_bank(tmp_path)
    assert len(bank) == len(builtin) + 1
    assert "custom-question" in bank and "list-vs-tuple" in bank
    assert "custom" in bank.categories
    assert [q.id for q in bank.select(category="custom")] == ["custom-question"]


def test_custom_pack_may_not_replace_a_builtin_id(tmp_path: Path) -> None:
    path = write(tmp_path / "override.yaml", pack(question(id="list-vs-tuple"), category="python"))
    with pytest.raises(PackError) as failed:
        load_bank(tmp_path)
    message = str(failed.value)
    assert str(path) in message
    assert "'list-vs-tuple'" in message and "duplicate" in message
    assert str(BUILTIN_PACKS_DIR / "python.yaml") in message


def test_missing_custom_dir_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="not a directory"):
        load_bank(tmp_path / "nowhere")
