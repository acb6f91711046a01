"""``quizbot questions``: list, show, validate and grade, run as a real subprocess."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.commands.questions import JSON_FIELDS, LIST_FIELDS, OUTPUT_FIELDS, register
from questions.loader import load_bank

BANK = load_bank()
KINDS = Path(__file__).parents[1] / "data" / "kinds"


def run_cli(
    *args: str, cwd: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m bot questions ARGS`` in ``cwd`` (no .env there) with a clean environment."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("QUIZBOT_", "DISCORD_", "SLACK_"))
    }
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "questions", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


SAMPLES = [
    {"label": "full", "text": "It is loaded from the custom directory.", "expected": [0.8, 1.0]},
    {"label": "paraphrase", "text": "The custom directory holds it.", "expected": [0.8, 1.0]},
    {"label": "partial", "text": "A custom directory, I think.", "expected": [0.5, 1.0]},
    {"label": "wrong", "text": "It is built in.", "expected": [0.0, 0.2]},
]


def custom_pack(
    directory: Path,
    *,
    qid: str = "custom-question",
    category: str = "custom",
    samples: list[dict[str, object]] | None = None,
) -> Path:
    data = {
        "category": category,
        "title": "Custom",
        "questions": [
            {
                "id": qid,
                "difficulty": "hard",
                "rarity": "rare",
                "prompt": "What is special about this custom question?",
                "answer": "It comes from QUIZBOT_QUESTIONS_DIR.",
                "explanation": "Custom packs load beside the built-in ones.",
                "choices": [
                    {"text": "It is custom", "correct": True},
                    {"text": "Nothing"},
                    {"text": "It is built in"},
                    {"text": "It is broken"},
                ],
                "key_points": [{"label": "Custom", "phrases": ["custom directory"]}],
                "samples": SAMPLES if samples is None else samples,
            }
        ],
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{category}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- list


def test_list_prints_a_table_of_every_question(tmp_path: Path) -> None:
    done = run_cli("list", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == [field.upper() for field in LIST_FIELDS]
    assert len(lines) == 1 + len(BANK)
    assert any(line.startswith("list-vs-tuple ") and " python " in line for line in lines)


def test_list_json_has_exactly_the_documented_keys(tmp_path: Path) -> None:
    done = run_cli("list", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == len(BANK)
    for row in rows:
        extra = OUTPUT_FIELDS if row["type"] == "output" else ()
        assert list(row) == [*JSON_FIELDS, *extra]
    output = next(row for row in rows if row["type"] == "output")
    assert output["output"] == BANK.get(output["id"]).output
    first = BANK.get(rows[0]["id"])
    assert rows[0]["prompt"] == first.prompt
    assert rows[0]["type"] == "concept" and rows[0]["source"] == first.source


def test_list_json_gives_output_questions_code_and_output(tmp_path: Path) -> None:
    done = run_cli("list", "--json", cwd=tmp_path, extra_env={"QUIZBOT_QUESTIONS_DIR": str(KINDS)})
    assert done.returncode == 0, done.stderr
    rows = {row["id"]: row for row in json.loads(done.stdout)}
    assert len(rows) == len(BANK) + 4
    assert rows["code-sorted-copy"] == {
        "id": "code-sorted-copy",
        "category": "code",
        "difficulty": "easy",
        "rarity": "common",
        "type": "output",
        "source": "https://docs.python.org/3/library/functions.html#sorted",
        "prompt": "What does this print?",
        "code": "numbers = [3, 1, 2]\nordered = sorted(numbers)\nprint(numbers, ordered)",
        "output": "[3, 1, 2] [1, 2, 3]",
    }
    assert list(rows["code-choice-only-join"]) == list(JSON_FIELDS)


def test_list_takes_filters_in_any_case(tmp_path: Path) -> None:
    done = run_cli("list", "--category", "Python", "--difficulty", "HARD", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    expected = [q.id for q in BANK.select(category="python", difficulty="hard")]
    assert [row["id"] for row in json.loads(done.stdout)] == expected and expected


def test_list_filters_by_category_and_difficulty(tmp_path: Path) -> None:
    done = run_cli("list", "--category", "python", "--difficulty", "easy", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    expected = [q.id for q in BANK.select(category="python", difficulty="easy")]
    assert [row["id"] for row in rows] == expected and expected
    assert {(row["category"], row["difficulty"]) for row in rows} == {("python", "easy")}


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--category", "cooking", ", ".join(BANK.categories)),
        ("--difficulty", "brutal", "easy, medium, hard"),
    ],
)
def test_list_rejects_unknown_filters_listing_allowed_values(
    tmp_path: Path, option: str, value: str, allowed: str
) -> None:
    done = run_cli("list", option, value, cwd=tmp_path)
    assert done.returncode == 2
    assert repr(value) in done.stderr and allowed in done.stderr
    assert done.stdout == ""


def test_list_includes_the_custom_questions_dir(tmp_path: Path) -> None:
    custom_pack(tmp_path / "packs")
    env = {"QUIZBOT_QUESTIONS_DIR": str(tmp_path / "packs")}
    done = run_cli("list", "--category", "custom", "--json", cwd=tmp_path, extra_env=env)
    assert done.returncode == 0, done.stderr
    assert [row["id"] for row in json.loads(done.stdout)] == ["custom-question"]


# --------------------------------------------------------------------------- show


def test_show_prints_everything_about_a_question(tmp_path: Path) -> None:
    question = BANK.get("list-vs-tuple")
    done = run_cli("show", "list-vs-tuple", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert question.prompt in out and question.answer in out
    assert all(choice.text in out for choice in question.choices)
    assert all(point.label in out for point in question.key_points)
    assert all(m.correction in out for m in question.misconceptions)
    assert all(sample.text in out for sample in question.samples)


def test_show_json_round_trips_the_question(tmp_path: Path) -> None:
    done = run_cli("show", "is-vs-equals", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data == BANK.get("is-vs-equals").model_dump(mode="json")


def test_show_unknown_id_fails_clearly(tmp_path: Path) -> None:
    done = run_cli("show", "list-vs-tupel", cwd=tmp_path)
    assert done.returncode == 1
    assert "unknown question id 'list-vs-tupel'" in done.stderr
    assert "list-vs-tuple" in done.stderr  # the suggestion


def test_show_an_output_question_prints_its_code_and_output(tmp_path: Path) -> None:
    env = {"QUIZBOT_QUESTIONS_DIR": str(KINDS)}
    done = run_cli("show", "code-sorted-copy", cwd=tmp_path, extra_env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("code-sorted-copy  (code, easy, common, output)\n")
    assert "Source: https://docs.python.org/3/library/functions.html#sorted" in done.stdout
    assert "Code:\n    numbers = [3, 1, 2]\n" in done.stdout
    assert "Output:\n    [3, 1, 2] [1, 2, 3]\n" in done.stdout
    fence = run_cli("show", "code-fence-in-output", cwd=tmp_path, extra_env=env)
    assert "  * A. ```python\n       done\n" in fence.stdout


def test_grade_an_output_question_exactly(tmp_path: Path) -> None:
    env = {"QUIZBOT_QUESTIONS_DIR": str(KINDS)}
    right = run_cli("grade", "code-mro-name", "B", cwd=tmp_path, extra_env=env)
    wrong = run_cli("grade", "code-mro-name", "C", cwd=tmp_path, extra_env=env)
    assert json.loads(right.stdout)["grade"] == 1.0
    assert json.loads(wrong.stdout)["grade"] == 0.0


# --------------------------------------------------------------------------- validate


# The built-in packs' code runs once, in tests/questions/test_examples.py (every snippet, the
# way validate runs them); validate's running of code is shown on a small pack below
# (test_validate_runs_output_code_and_examples). Here: the built-in dir, by name and by path,
# passes the schema and sample checks and is counted right.


def test_validate_builtins(tmp_path: Path) -> None:
    done = run_cli("validate", "--no-run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ok: {len(BANK)} questions in {len(BANK.packs)} packs"


def test_validate_a_custom_dir(tmp_path: Path) -> None:
    custom_pack(tmp_path / "packs")
    done = run_cli("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok: 1 questions in 1 packs"


def test_validate_reports_the_pack_error(tmp_path: Path) -> None:
    path = custom_pack(tmp_path / "packs")
    path.write_text(path.read_text(encoding="utf-8").replace("difficulty: hard", "difficulty: yes"))
    done = run_cli("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert done.returncode == 1
    assert str(path) in done.stdout
    assert "'custom-question'" in done.stdout and "field 'difficulty'" in done.stdout


def test_validate_grades_every_sample_and_names_the_one_out_of_range(tmp_path: Path) -> None:
    samples = [dict(sample) for sample in SAMPLES]
    samples[3]["text"] = "It comes from the custom directory."  # graded 1.0, expected <= 0.2
    path = custom_pack(tmp_path / "packs", samples=samples)
    done = run_cli("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert done.returncode == 1
    assert str(path) in done.stdout
    assert "question 'custom-question', sample 'wrong'" in done.stdout
    assert "graded 1, expected 0..0.2" in done.stdout


def test_validate_refuses_a_custom_pack_without_samples(tmp_path: Path) -> None:
    path = custom_pack(tmp_path / "packs", samples=SAMPLES[:3])
    done = run_cli("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert done.returncode == 1
    assert str(path) in done.stdout
    assert "'custom-question'" in done.stdout and "field 'samples'" in done.stdout


def test_validate_refuses_a_custom_pack_reusing_a_builtin_id(tmp_path: Path) -> None:
    custom_pack(tmp_path / "packs", qid="list-vs-tuple")
    done = run_cli("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert done.returncode == 1
    assert "'list-vs-tuple'" in done.stdout and "duplicate" in done.stdout


def test_validate_an_empty_dir_fails(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = run_cli("validate", str(tmp_path / "empty"), cwd=tmp_path)
    assert done.returncode == 1
    assert "no question packs" in done.stdout


def test_validate_the_builtin_dir_given_by_path(tmp_path: Path) -> None:
    packs = Path(__file__).parents[2] / "questions" / "packs"
    done = run_cli("validate", "--no-run", str(packs), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip() == f"ok: {len(BANK)} questions in {len(BANK.packs)} packs"


def test_validate_runs_output_code_and_examples(tmp_path: Path) -> None:
    done = run_cli("validate", str(KINDS), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip() == "ok: 4 questions in 1 packs"
    assert done.stderr == ""  # no progress line when stderr is not a terminal


def broken_code_pack(directory: Path) -> Path:
    text = (KINDS / "code.yaml").read_text(encoding="utf-8")
    text = text.replace("ordered = sorted(numbers)", "ordered = sorted(numbers, reverse=True)")
    text = text.replace('assert " ".join(["a", "b"]) == "a b"', "assert words")
    directory.mkdir()
    path = directory / "code.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_names_every_failing_snippet(tmp_path: Path) -> None:
    path = broken_code_pack(tmp_path / "packs")
    done = run_cli("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"invalid: {path}: question 'code-sorted-copy', field 'code': "
        "prints '[3, 1, 2] [3, 2, 1]', but its output says '[3, 1, 2] [1, 2, 3]'",
        f"invalid: {path}: question 'code-choice-only-join', field 'explanation' (example 1): "
        "exit code 1: NameError: name 'words' is not defined",
    ]


def test_validate_checks_the_valid_questions_of_a_pack_that_does_not_load(
    tmp_path: Path,
) -> None:
    pack = yaml.safe_load((KINDS / "code.yaml").read_text(encoding="utf-8"))
    by_id = {question["id"]: question for question in pack["questions"]}
    by_id["code-mro-name"]["difficulty"] = "extreme"  # the pack no longer loads...
    by_id["code-sorted-copy"]["code"] = "print([1, 2, 3])"  # ...and this one prints wrongly
    (tmp_path / "packs").mkdir()
    path = tmp_path / "packs" / "code.yaml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    done = run_cli("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"invalid: {path}: question 'code-mro-name', field 'difficulty'")
    assert lines[1] == (
        f"invalid: {path}: question 'code-sorted-copy', field 'code': "
        "prints '[1, 2, 3]', but its output says '[3, 1, 2] [1, 2, 3]'"
    )


def test_validate_no_run_skips_the_code(tmp_path: Path) -> None:
    broken_code_pack(tmp_path / "packs")
    done = run_cli("validate", "--no-run", str(tmp_path / "packs"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout


def test_validate_lists_every_schema_error_of_every_pack(tmp_path: Path) -> None:
    first = custom_pack(tmp_path / "packs", qid="first-question", category="first")
    second = custom_pack(tmp_path / "packs", qid="second-question", category="second")
    first.write_text(
        first.read_text(encoding="utf-8")
        .replace("difficulty: hard", "difficulty: extreme")
        .replace("rarity: rare", "rarity: often"),
        encoding="utf-8",
    )
    second.write_text(
        second.read_text(encoding="utf-8").replace("difficulty: hard", "difficulty: yes"),
        encoding="utf-8",
    )
    done = run_cli("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert f"{first}: question 'first-question', field 'difficulty'" in lines[0]
    assert f"{first}: question 'first-question', field 'rarity'" in lines[1]
    assert f"{second}: question 'second-question', field 'difficulty'" in lines[2]


@pytest.mark.parametrize("jobs", ["0", "two"])
def test_validate_refuses_a_bad_jobs_count(tmp_path: Path, jobs: str) -> None:
    done = run_cli("validate", "--jobs", jobs, cwd=tmp_path)
    assert done.returncode == 2
    assert "expected a whole number of at least 1" in done.stderr


def test_validate_shows_its_progress_on_a_terminal(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZBOT_")}
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "questions", "validate", str(KINDS)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
    ) as validating:
        os.close(follower)
        stdout, _ = validating.communicate(timeout=120)
        shown = b""
        with contextlib.suppress(OSError):  # EIO once the terminal's last writer is gone
            while chunk := os.read(leader, 4096):
                shown += chunk
        os.close(leader)
    assert validating.returncode == 0, stdout
    assert stdout.strip() == "ok: 4 questions in 1 packs"
    assert b"\rrunning code: 1/5" in shown and b"\rrunning code: 5/5" in shown
    assert shown.endswith(b"\r\x1b[K")  # the line is cleared at the end


def test_validate_stops_every_snippet_when_interrupted(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    text = (KINDS / "code.yaml").read_text(encoding="utf-8")
    sleeper = (
        f'import os, time; open({str(marker)!r}, "w").write(str(os.getpid())); time.sleep(600)'
    )
    text = text.replace('assert " ".join(["a", "b"]) == "a b"', sleeper)
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "code.yaml").write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZBOT_")}
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "questions", "validate", str(tmp_path / "packs")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as validating:
        while not marker.exists() or not marker.read_text():
            assert validating.poll() is None, "validate ended before the snippet started"
            time.sleep(0.05)
        validating.send_signal(signal.SIGINT)
        _, stderr = validating.communicate(timeout=60)
    assert validating.returncode == 130
    assert "interrupted: every running snippet was stopped" in stderr
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)


# --------------------------------------------------------------------------- grade


def test_grade_prints_the_json_result(tmp_path: Path) -> None:
    answer = "== compares values, while is checks whether both names point to the same object."
    done = run_cli("grade", "is-vs-equals", answer, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert list(report) == ["id", "grade", "covered", "missed", "misconception"]
    assert report["id"] == "is-vs-equals"
    assert 0.8 <= report["grade"] <= 1.0
    assert report["misconception"] is None
    labels = [point.label for point in BANK.get("is-vs-equals").key_points]
    assert sorted(report["covered"] + report["missed"]) == sorted(labels)


def test_grade_reports_a_misconception(tmp_path: Path) -> None:
    done = run_cli("grade", "is-vs-equals", "is compares the values of two objects", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["grade"] == 0.0
    assert isinstance(report["misconception"], str) and report["misconception"]


def test_grade_unknown_id(tmp_path: Path) -> None:
    done = run_cli("grade", "no-such-question", "anything", cwd=tmp_path)
    assert done.returncode == 1
    assert "unknown question id 'no-such-question'" in done.stderr


# --------------------------------------------------------------------------- in-process


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot")
    register(parser.add_subparsers())
    return parser


@pytest.mark.parametrize(
    "argv",
    [
        ["questions", "list"],
        ["questions", "list", "--category", "web", "--difficulty", "hard", "--json"],
        ["questions", "show", "x", "--json"],
        ["questions", "validate"],
        ["questions", "validate", "some/dir"],
        ["questions", "grade", "x", "an answer"],
        ["questions"],
    ],
)
def test_register_gives_every_command_a_func(argv: list[str]) -> None:
    args = _parser().parse_args(argv)
    assert callable(args.func)


def test_questions_without_action_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["questions"])
    assert args.func(args) == 2
    assert "list" in capsys.readouterr().err
