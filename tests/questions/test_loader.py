"""Loading packs: broken files fail with a message naming file, question id and field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from questions.loader import (
    BUILTIN_PACKS_DIR,
    PackError,
    load_bank,
    load_pack,
    load_packs,
    read_packs,
)

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
    "samples": [
        {"label": "full", "text": "It follows the schema.", "expected": [0.8, 1.0]},
        {"label": "paraphrase", "text": "One that follows the schema.", "expected": [0.8, 1.0]},
        {"label": "partial", "text": "It follows the schema, mostly.", "expected": [0.5, 1.0]},
        {"label": "wrong", "text": "A CSV file.", "expected": [0.0, 0.2]},
    ],
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


def test_samples_without_key_points(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.yaml", pack(question(key_points=[])))
    message = load_error(path)
    assert str(path) in message
    assert "'custom-question'" in message and "field 'samples'" in message
    assert "samples need key_points" in message


def test_misconceptions_are_optional(tmp_path: Path) -> None:
    data = question()
    data.pop("misconceptions", None)
    loaded = load_pack(write(tmp_path / "plain.yaml", pack(data)))
    assert loaded.questions[0].misconceptions == []


@pytest.mark.parametrize("keep", [0, 3])
def test_fewer_than_four_samples(tmp_path: Path, keep: int) -> None:
    data = question(samples=QUESTION["samples"][:keep])
    if keep == 0:
        del data["samples"]
    path = write(tmp_path / "few.yaml", pack(data))
    message = load_error(path)
    assert str(path) in message
    assert "'custom-question'" in message and "field 'samples'" in message


def test_samples_must_cover_every_label(tmp_path: Path) -> None:
    samples = copy.deepcopy(QUESTION["samples"])
    samples[2]["label"] = "full"  # two full samples, no partial one
    path = write(tmp_path / "labels.yaml", pack(question(samples=samples)))
    message = load_error(path)
    assert "'custom-question'" in message and "field 'samples'" in message
    assert "missing partial" in message


def test_extra_sample_labels_are_welcome(tmp_path: Path) -> None:
    extra = {"label": "swapped", "text": "A schema.", "expected": [0.0, 0.2]}
    data = question(samples=[*QUESTION["samples"], extra])
    assert len(load_pack(write(tmp_path / "extra.yaml", pack(data))).questions[0].samples) == 5


SIDES = [{"name": "yaml", "terms": ["yaml"]}, {"name": "csv", "terms": ["csv"]}]


def test_a_two_sided_question_loads(tmp_path: Path) -> None:
    points = [{"label": "YAML", "phrases": ["follows the schema"], "subject": "yaml"}]
    loaded = load_pack(
        write(tmp_path / "sides.yaml", pack(question(sides=SIDES, key_points=points)))
    )
    assert [side.name for side in loaded.questions[0].sides] == ["yaml", "csv"]
    assert loaded.questions[0].key_points[0].subject == "yaml"


def test_a_subject_must_name_a_side(tmp_path: Path) -> None:
    points = [{"label": "YAML", "phrases": ["follows the schema"], "subject": "json"}]
    path = write(tmp_path / "subject.yaml", pack(question(sides=SIDES, key_points=points)))
    message = load_error(path)
    assert str(path) in message and "'custom-question'" in message
    assert "subject 'json' is not a side" in message


@pytest.mark.parametrize(
    "sides",
    [
        SIDES[:1],
        [*SIDES, {"name": "toml", "terms": ["toml"]}],
        [SIDES[0], {"name": "yaml", "terms": ["yml"]}],
        [SIDES[0], {"name": "csv", "terms": ["YAML"]}],
    ],
    ids=["one", "three", "same-name", "shared-term"],
)
def test_sides_must_be_two_distinct_ones(tmp_path: Path, sides: list[dict[str, Any]]) -> None:
    message = load_error(write(tmp_path / "bad-sides.yaml", pack(question(sides=sides))))
    assert "'custom-question'" in message and "field 'sides'" in message


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


def choice_only(**changes: Any) -> dict[str, Any]:
    data = question(**changes)
    for field in ("answer", "key_points", "samples"):
        data.pop(field, None)
    return data


def output_question(**changes: Any) -> dict[str, Any]:
    data = choice_only(
        type="output",
        prompt="What does this print?",
        code="print(sum([1, 2]))",
        output="3\n",
        choices=[{"text": "3", "correct": True}, {"text": "12"}, {"text": "[1, 2]"}, {"text": "0"}],
    )
    data.update(changes)
    return data


def test_choice_only_question_needs_no_rubric(tmp_path: Path) -> None:
    loaded = load_pack(write(tmp_path / "choice.yaml", pack(choice_only()))).questions[0]
    assert not loaded.open_mode
    assert loaded.reference_answer == "Like this one"


def test_output_question_loads_and_is_open(tmp_path: Path) -> None:
    loaded = load_pack(write(tmp_path / "output.yaml", pack(output_question()))).questions[0]
    assert loaded.type == "output" and loaded.open_mode
    assert loaded.code == "print(sum([1, 2]))"


def test_output_question_correct_choice_must_be_its_output(tmp_path: Path) -> None:
    path = write(tmp_path / "output.yaml", pack(output_question(output="12")))
    assert "must equal its output" in load_error(path)


@pytest.mark.parametrize("missing", ["code", "output"])
def test_output_question_needs_code_and_output(tmp_path: Path, missing: str) -> None:
    data = output_question()
    del data[missing]
    assert "needs both code and output" in load_error(write(tmp_path / "o.yaml", pack(data)))


def test_code_belongs_to_output_questions(tmp_path: Path) -> None:
    path = write(tmp_path / "concept.yaml", pack(question(code="print(1)")))
    assert "belong to questions of type output" in load_error(path)


def test_every_error_of_a_pack_is_listed(tmp_path: Path) -> None:
    first = question(id="first-question", difficulty="extreme")
    second = question(id="second-question", prompt="")
    del second["explanation"]
    failing = write(tmp_path / "many.yaml", pack(first, second))
    with pytest.raises(PackError) as failed:
        load_pack(failing)
    problems = failed.value.problems
    assert len(problems) == 3
    assert all(line.startswith(f"{failing}: question '") for line in problems)
    assert "'first-question', field 'difficulty'" in problems[0]
    assert "'second-question', field 'prompt'" in problems[1]
    assert "'second-question', field 'explanation'" in problems[2]
    assert str(failed.value) == "\n".join(problems)


def test_load_bank_refuses_listing_every_error_of_every_pack(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", pack(question(id="a-question", rarity="often"), category="alpha"))
    write(tmp_path / "b.yaml", pack(question(id="b-question", difficulty=3), category="beta"))
    with pytest.raises(PackError) as failed:
        load_bank(tmp_path)
    message = str(failed.value)
    assert "a.yaml: question 'a-question', field 'rarity'" in message
    assert "b.yaml: question 'b-question', field 'difficulty'" in message


def test_read_packs_keeps_the_good_packs_beside_the_problems(tmp_path: Path) -> None:
    good = write(tmp_path / "a.yaml", pack(question(id="a-question"), category="alpha"))
    bad = write(tmp_path / "b.yaml", pack(question(id="b-question", rarity="often")))
    loaded, problems = read_packs([good, bad])
    assert [path for path, _ in loaded] == [good]
    assert len(problems) == 1 and problems[0].startswith(f"{bad}: question 'b-question'")


def test_every_duplicate_id_and_foreign_category_of_a_pack_is_named(tmp_path: Path) -> None:
    questions = [question(id="twice"), question(id="twice"), question(id="elsewhere")]
    questions += [question(id="again"), question(id="again")]
    questions[2]["category"] = "other"
    message = load_error(write(tmp_path / "dups.yaml", pack(*questions)))
    assert "duplicate question id 'twice'" in message
    assert "duplicate question id 'again'" in message
    assert "question 'elsewhere' has category 'other', pack is 'custom'" in message
