"""Every built-in output question prints its output; every runnable example exits 0.

The snippets run concurrently and isolated (``questions.snippets``), as ``quizbot questions
validate`` runs them; a failure names the pack, the question and the field.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from questions.code_checks import OUTPUT_RUNS, CodeCheck, code_checks, run_checks
from questions.loader import BUILTIN_PACKS_DIR, pack_files, read_packs

KINDS = Path(__file__).parents[1] / "data" / "kinds"


def failures(directory: Path) -> list[str]:
    """One line per failing snippet of the packs in ``directory``."""
    loaded, problems = read_packs(pack_files(directory))
    assert problems == []
    file_of = {q.id: path.name for path, pack in loaded for q in pack.questions}
    checks = [check for _, pack in loaded for q in pack.questions for check in code_checks(q)]
    failed = asyncio.run(run_checks(checks))
    return [f"{file_of[check.question_id]}: {check.where}: {why}" for check, why in failed]


def test_every_builtin_snippet_runs_as_its_question_says() -> None:
    failed = failures(BUILTIN_PACKS_DIR)
    assert not failed, "\n".join(failed)


def test_a_wrong_output_is_named_with_its_question(tmp_path: Path) -> None:
    text = (KINDS / "code.yaml").read_text(encoding="utf-8")
    (tmp_path / "code.yaml").write_text(text.replace("print(numbers, ordered)", "print(ordered)"))
    assert failures(tmp_path) == [
        "code.yaml: question 'code-sorted-copy', field 'code': "
        "prints '[1, 2, 3]', but its output says '[3, 1, 2] [1, 2, 3]'"
    ]


def test_the_checks_of_a_question_are_its_code_then_its_runnable_examples() -> None:
    loaded, _ = read_packs(pack_files(KINDS))
    checks = [check for q in loaded[0][1].questions for check in code_checks(q)]
    assert [(c.question_id, c.field, c.example) for c in checks] == [
        ("code-sorted-copy", "code", 0),
        ("code-sorted-copy", "explanation", 1),
        ("code-fence-in-output", "code", 0),
        ("code-choice-only-join", "explanation", 1),
        ("code-mro-name", "code", 0),
    ]
    assert isinstance(checks[0], CodeCheck) and checks[0].output == "[3, 1, 2] [1, 2, 3]"
    assert failures(KINDS) == []


async def test_an_output_that_changes_from_run_to_run_is_named() -> None:
    changing = CodeCheck("clock-output", "code", "import time\nprint(time.time_ns())", "1")
    [(check, problem)] = await run_checks([changing])
    assert check is changing and changing.runs == OUTPUT_RUNS
    assert problem.startswith("prints differently from run to run (")
    assert problem.endswith("its output must not depend on set order, the time or memory addresses")
    steady = CodeCheck("steady-output", "code", "print(sorted({'b', 'a', 'c'}))", "['a', 'b', 'c']")
    assert await run_checks([steady]) == []
