"""``quizbot questions schema | new | import``, run as a real subprocess on real files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from questions.importing import read_csv, slug
from questions.loader import load_bank, load_pack
from questions.schema import Choice, KeyPoint, Misconception, Pack, Question, Sample, Side
from tests.ops.support import clean_env, quizbot


def questions(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return quizbot("questions", *args, cwd=cwd, env=clean_env())


# --------------------------------------------------------------------------- schema


def test_schema_lists_every_field_with_its_type_presence_and_description(tmp_path: Path) -> None:
    done = questions("schema", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for model in (Pack, Question, Choice, KeyPoint, Misconception, Sample, Side):
        assert any(line.startswith(f"{model.__name__}: ") for line in lines)
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            assert any(
                line.split()[:1] == [name] and line.endswith(field.description) for line in lines
            ), f"{model.__name__}.{name}"
    difficulty = next(line for line in lines if line.split()[:1] == ["difficulty"])
    assert "easy | medium | hard" in difficulty and "required" in difficulty
    assert any("type" in line and "default: concept" in line for line in lines)


# --------------------------------------------------------------------------- new


@pytest.mark.parametrize("kind", ["concept", "output"])
def test_new_template_validates_as_written(tmp_path: Path, kind: str) -> None:
    done = questions("new", "--type", kind, "--category", "web-apis", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# A question pack")
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "web-apis.yaml").write_text(done.stdout, encoding="utf-8")
    pack = load_pack(tmp_path / "packs" / "web-apis.yaml")
    assert pack.category == "web-apis" and pack.questions[0].type == kind
    checked = questions("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.strip() == "ok: 1 questions in 1 packs"


def test_new_writes_a_file_but_never_over_an_existing_one(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    done = questions("new", "-o", str(target), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert load_pack(target).category == "my-topic"
    target.write_text("my own work", encoding="utf-8")
    again = questions("new", "-o", str(target), cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.strip() == f"quizbot: error: {target} already exists; choose another file"
    assert target.read_text(encoding="utf-8") == "my own work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]  # no temporary left


def test_new_refuses_a_category_that_is_not_kebab_case(tmp_path: Path) -> None:
    done = questions("new", "--category", "Web APIs", "-o", str(tmp_path / "x.yaml"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "quizbot: error: category 'Web APIs' must be kebab-case (e.g. web-apis)"
    )
    assert not (tmp_path / "x.yaml").exists()


# --------------------------------------------------------------------------- import

CSV = """\
question,correct,wrong1,wrong2,wrong3,explanation,category,difficulty
What does len([]) return?,0,None,1,It raises TypeError,An empty list has no items.,python,easy
What does len([]) return?,0,None,1,-1,Asked twice on purpose.,Python,easy
Which difficulty is this?,a,b,c,d,Not a known difficulty.,python,extreme
Only three cells,a,b
Which web framework is this?,Flask,Django,FastAPI,Bottle,Another category.,web,easy
"Which statement
spans two lines?",This one,None,All,Every one,"Quoted cells may hold line breaks.",python,medium
"""


def test_import_csv_writes_a_valid_pack_and_reports_each_refused_row(tmp_path: Path) -> None:
    source = tmp_path / "sheet.csv"
    source.write_text(CSV, encoding="utf-8")
    done = questions("import", str(source), cwd=tmp_path)
    assert done.returncode == 1  # some rows were refused
    assert done.stdout.splitlines() == [
        f"{source}:4: refused: field 'difficulty': Input should be 'easy', 'medium' or 'hard'",
        f"{source}:5: refused: 3 cells, the header has 8",
        f"{source}:6: refused: category 'web' is not the pack's 'python'; "
        "import each category into its own pack",
        f"wrote {tmp_path / 'sheet.yaml'}: 3 questions, 3 rows refused",
    ]
    pack = load_pack(tmp_path / "sheet.yaml")
    assert [q.id for q in pack.questions] == [
        "what-does-len-return",
        "what-does-len-return-2",
        "which-statement-spans-two-lines",
    ]
    first = pack.questions[0]
    assert (first.prompt, first.difficulty, first.rarity) == (
        "What does len([]) return?",
        "easy",
        "common",
    )
    assert [c.text for c in first.choices] == ["0", "None", "1", "It raises TypeError"]
    assert first.correct_index == 0 and not first.open_mode
    assert pack.questions[2].prompt == "Which statement\nspans two lines?"
    checked = questions("validate", str(tmp_path), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout


MARKDOWN = """\
# Python basics
category: python
difficulty: easy

## Which one is immutable?
- [ ] list
- [x] tuple
- [ ] dict
- [ ] set
rarity: medium
A tuple cannot change after it is made.

```python
point = (1, 2)
assert hash(point) == hash((1, 2))
# - [x] inside code is not a choice
```

## Which keyword defines a function?
difficulty: medium
- [x] def
- [ ] fun
- [ ] function
- [x] lambda
"""


def test_import_markdown_with_defaults_title_and_fenced_code(tmp_path: Path) -> None:
    source = tmp_path / "notes.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    target = tmp_path / "packs" / "basics.yaml"
    done = questions("import", str(source), "-o", str(target), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{source}:19: refused: needs one ticked choice '- [x]' and three '- [ ]'; "
        "found 2 ticked and 2 not",
        f"wrote {target}: 1 questions, 1 rows refused",
    ]
    pack = load_pack(target)
    assert (pack.category, pack.title) == ("python", "Python basics")
    question = pack.questions[0]
    assert (question.id, question.difficulty, question.rarity) == (
        "which-one-is-immutable",
        "easy",
        "medium",
    )
    assert question.choices[question.correct_index].text == "tuple"
    assert question.explanation.startswith("A tuple cannot change after it is made.\n\n```python")
    assert "# - [x] inside code is not a choice\n```" in question.explanation
    assert "|" in target.read_text(encoding="utf-8")  # long text written as a YAML block
    checked = questions("validate", str(tmp_path / "packs"), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout  # its example ran


def test_import_never_overwrites_without_force_and_keeps_a_copy_with_it(tmp_path: Path) -> None:
    source = tmp_path / "notes.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    target = tmp_path / "notes.yaml"
    target.write_text("my own pack", encoding="utf-8")
    refused = questions("import", str(source), cwd=tmp_path)
    assert refused.stderr.strip() == (
        f"quizbot: error: {target} already exists; choose another file with -o, or use --force"
    )
    assert refused.returncode == 1
    assert target.read_text(encoding="utf-8") == "my own pack"
    forced = questions("import", str(source), "--force", cwd=tmp_path)
    assert forced.returncode == 1, forced.stderr  # one row refused
    assert load_pack(target).title == "Python basics"
    assert (tmp_path / "notes.yaml.bak").read_text(encoding="utf-8") == "my own pack"
    assert f"kept as {tmp_path / 'notes.yaml.bak'}" in forced.stderr
    questions("import", str(source), "--force", cwd=tmp_path)
    assert (tmp_path / "notes.yaml.bak").read_text(encoding="utf-8") == "my own pack"
    assert load_pack(tmp_path / "notes.yaml.bak.2").title == "Python basics"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("sheet.csv", "question,correct,wrong1\nq,a,b\n", "the header row lacks wrong2, wrong3,"),
        ("sheet.csv", CSV.replace("difficulty", "level", 1), "has unknown level;"),
        ("sheet.txt", "anything", "expected a .csv or .md file"),
        (
            "sheet.csv",
            CSV.splitlines()[0] + "\nq,a,b,c,d,e,python,extreme\n",
            "no row was accepted",
        ),
    ],
)
def test_import_refuses_a_file_it_cannot_use_and_writes_nothing(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    done = questions("import", str(source), cwd=tmp_path)
    assert done.returncode == 1
    assert message in done.stderr and len(done.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_imported_ids_never_reuse_a_builtin_one(tmp_path: Path) -> None:
    builtin = next(iter(load_bank()))
    source = tmp_path / "sheet.csv"
    row = f"{builtin.id.replace('-', ' ')},a,b,c,d,Why.,custom,easy"
    source.write_text(CSV.splitlines()[0] + "\n" + row + "\n", encoding="utf-8")
    done = questions("import", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [q.id for q in load_pack(tmp_path / "sheet.yaml").questions] == [f"{builtin.id}-2"]
    checked = questions("validate", str(tmp_path), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout


def test_ids_are_slugs_of_the_question() -> None:
    assert slug("What does `len([])` return?") == "what-does-len-return"
    assert slug("Qu'est-ce qu'un décorateur ?") == "qu-est-ce-qu-un-decorateur"
    assert slug("???") == "question"
    long = slug("word " * 30)
    assert len(long) <= 48 and long.endswith("word") and not long.endswith("-")


def test_csv_rows_are_numbered_by_their_first_line() -> None:
    rows, refused = read_csv(CSV)
    assert [row.line for row in rows] == [2, 3, 4, 6, 7]
    assert [r.line for r in refused] == [5]
