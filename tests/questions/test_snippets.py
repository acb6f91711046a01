"""The snippet runner: fenced examples extracted, code run isolated in a subprocess."""

from __future__ import annotations

from pathlib import Path

from questions.snippets import Limits, examples, run_snippet, runnable_examples

EXPLANATION = """\
A list is mutable.

```python
items = [1, 2]
items.append(3)
print(items)
```

Shown, not run:

```python fragment
items.append(
```

```sql
SELECT 1;
```

  ```python
  print("indented")
  ```
"""


def test_examples_are_extracted_with_their_language() -> None:
    found = examples(EXPLANATION)
    assert [(e.language, e.runnable) for e in found] == [
        ("python", True),
        ("python", False),
        ("sql", False),
        ("python", True),
    ]
    assert found[0].code == "items = [1, 2]\nitems.append(3)\nprint(items)\n"
    assert found[3].code == 'print("indented")\n'


def test_only_python_blocks_not_marked_fragment_are_runnable() -> None:
    assert runnable_examples(EXPLANATION) == [
        "items = [1, 2]\nitems.append(3)\nprint(items)\n",
        'print("indented")\n',
    ]
    assert runnable_examples("No code here, only `inline` code.") == []


async def test_a_snippet_prints_and_exits_zero() -> None:
    result = await run_snippet(examples(EXPLANATION)[0].code)
    assert result.ok and result.exit_code == 0
    assert result.prints("[1, 2, 3]")
    assert result.prints("  [1, 2, 3]   \n\n")  # white space normalised
    assert not result.prints("[1, 2]")


async def test_a_failing_snippet_reports_its_last_error_line() -> None:
    result = await run_snippet("raise ValueError('bad value')\n")
    assert not result.ok and result.exit_code == 1
    assert result.failure() == "exit code 1: ValueError: bad value"
    assert not result.prints("")


def exists(path: str) -> bool:
    return Path(path).exists()


async def test_runs_isolated_in_a_fresh_temporary_directory() -> None:
    code = (
        "import os, sys\n"
        "print(os.getcwd())\n"
        "print(sys.flags.isolated)\n"
        "open('scratch.txt', 'w').write('x')\n"
    )
    first = await run_snippet(code)
    second = await run_snippet(code)
    cwd, isolated = first.stdout.split()
    assert isolated == "1"
    assert cwd != second.stdout.split()[0]
    assert "quizbot-snippet-" in cwd and not exists(cwd)


async def test_network_connections_are_refused() -> None:
    code = "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=1)\n"
    result = await run_snippet(code)
    assert "network access is disabled" in result.failure()
    raw = "import socket\ns = socket.socket()\ns.connect(('192.0.2.1', 80))\n"
    assert "network access is disabled" in (await run_snippet(raw)).failure()


async def test_a_snippet_that_never_ends_is_stopped() -> None:
    result = await run_snippet("while True:\n    pass\n", Limits(timeout_s=1))
    assert result.stopped == "timeout" and result.exit_code is None
    assert result.failure() == "stopped: timeout"


async def test_memory_is_limited() -> None:
    result = await run_snippet("data = bytearray(3 * 1024**3)\n")
    assert result.failure() == "exit code 1: MemoryError"


async def test_endless_output_is_cut_and_stopped() -> None:
    result = await run_snippet("while True:\n    print('x' * 1000)\n", Limits(output_bytes=10_000))
    assert result.stopped == "output too long"
    assert len(result.stdout) == 10_000


async def test_cpu_time_is_limited() -> None:
    result = await run_snippet("while True:\n    pass\n", Limits(cpu_s=1, timeout_s=60))
    assert result.stopped is None and result.exit_code is not None and result.exit_code < 0
