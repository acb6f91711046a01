"""The code of a question: fenced examples in an explanation, run isolated in a subprocess.

An explanation may hold fenced blocks (```` ```python ```` … ```` ``` ````). A ``python`` block is
*runnable*: fully self-contained, it must exit 0. A block whose info string contains
``fragment`` (```` ```python fragment ````), or in any other language (``sql``, ``sh``, ``text``…),
is shown but never run.

:func:`run_snippet` runs code the way ``quizbot questions validate`` and the tests do:
``python -I`` (no user site, no ``PYTHON*`` variables) in a fresh temporary directory, with
network connections refused, CPU time, memory and file size limited, and a wall-clock timeout
after which the whole process group is killed (as it is when the caller is cancelled).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from questions.schema import normalise_output

__all__ = [
    "RUNNABLE_LANGUAGES",
    "Example",
    "Limits",
    "RunResult",
    "examples",
    "run_snippet",
    "runnable_examples",
]

#: Info-string languages whose blocks are run (unless marked ``fragment``).
RUNNABLE_LANGUAGES = frozenset({"python", "py", "python3"})

_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Example:
    """One fenced block of an explanation: its info string's language, the code, runnable?"""

    language: str
    info: str
    code: str

    @property
    def runnable(self) -> bool:
        """Whether the block is run: a Python block not marked ``fragment``."""
        return self.language in RUNNABLE_LANGUAGES and "fragment" not in self.info.lower()


def examples(text: str) -> list[Example]:
    """Every fenced block of ``text``, in order (indented fences are dedented)."""
    found = []
    for match in _FENCE.finditer(text):
        indent = match["indent"]
        lines = match["body"].splitlines()
        body = "\n".join(line.removeprefix(indent) for line in lines)
        info = match["info"].strip()
        language = info.split()[0].lower() if info else ""
        found.append(Example(language=language, info=info, code=body + "\n"))
    return found


def runnable_examples(text: str) -> list[str]:
    """The code of every runnable block of ``text``."""
    return [example.code for example in examples(text) if example.runnable]


@dataclass(frozen=True, slots=True)
class Limits:
    """What a snippet may use: wall-clock and CPU seconds, memory and output bytes."""

    timeout_s: float = 20.0
    cpu_s: int = 15
    memory_bytes: int = 2 * 1024**3
    file_bytes: int = 16 * 1024**2
    output_bytes: int = 256 * 1024


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a snippet ended: exit code (None when it was stopped), stdout and stderr."""

    exit_code: int | None
    stdout: str
    stderr: str
    stopped: str | None = None  # why it was stopped: "timeout" or "output too long"

    @property
    def ok(self) -> bool:
        """It exited 0 by itself."""
        return self.exit_code == 0 and self.stopped is None

    def prints(self, expected: str) -> bool:
        """It exited 0 and printed ``expected`` (compared after normalising white space)."""
        return self.ok and normalise_output(self.stdout) == normalise_output(expected)

    def failure(self) -> str:
        """A one-line reason it did not succeed (the last line of stderr, or why it stopped)."""
        if self.stopped is not None:
            return f"stopped: {self.stopped}"
        last = next((line for line in reversed(self.stderr.splitlines()) if line.strip()), "")
        return f"exit code {self.exit_code}" + (f": {last.strip()}" if last else "")


# Runs first in the child: limits, no network, then the snippet as __main__.
_PRELUDE = """\
import resource, runpy, socket, sys
cpu, memory, files, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
resource.setrlimit(resource.RLIMIT_FSIZE, (files, files))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
def _refuse(*args, **kwargs):
    raise OSError("network access is disabled while running examples")
_connect = socket.socket.connect
def _local_only(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse()
    return _connect(self, address)
socket.socket.connect = _local_only
socket.socket.connect_ex = _local_only
socket.socket.sendto = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
del sys.argv[:4]
runpy.run_path(path, run_name="__main__")
"""


async def _read_capped(
    stream: asyncio.StreamReader, limit: int, process: asyncio.subprocess.Process
) -> tuple[bytes, bool]:
    """Read ``stream`` to its end: (the first ``limit`` bytes, whether there were more).

    When there are more, the process is killed and the rest read and dropped (a pipe left
    unread would keep the process's transport, and so ``wait()``, from ever finishing).
    """
    data = bytearray()
    overflow = False
    while chunk := await stream.read(65536):
        if not overflow:
            data += chunk
            if len(data) > limit:
                overflow = True
                _kill(process)
    return bytes(data[:limit]), overflow


async def _communicate(
    process: asyncio.subprocess.Process, limit: int
) -> tuple[bytes, bytes, int, bool]:
    """(stdout, stderr, exit code, whether the output overflowed and the process was killed)."""
    assert process.stdout is not None and process.stderr is not None
    (out, out_full), (err, err_full), exit_code = await asyncio.gather(
        _read_capped(process.stdout, limit, process),
        _read_capped(process.stderr, limit, process),
        process.wait(),
    )
    return out, err, exit_code, out_full or err_full


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Kill the process group and wait for it, reading its pipes to their end."""
    _kill(process)
    assert process.stdout is not None and process.stderr is not None
    await asyncio.gather(process.stdout.read(), process.stderr.read(), process.wait())


def _kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


async def run_snippet(code: str, limits: Limits | None = None) -> RunResult:
    """Run ``code`` isolated (see the module docstring) and return how it ended."""
    limits = limits or Limits()
    with tempfile.TemporaryDirectory(prefix="quizbot-snippet-") as work:
        path = Path(work) / "example.py"
        path.write_text(code, encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            "-c",
            _PRELUDE,
            str(limits.cpu_s),
            str(limits.memory_bytes),
            str(limits.file_bytes),
            str(path),
            cwd=work,
            env={"PATH": os.defpath, "HOME": work, "TMPDIR": work, "LC_ALL": "C.UTF-8"},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        stopped: str | None = None
        exit_code: int | None = None
        try:
            out, err, exit_code, overflow = await asyncio.wait_for(
                _communicate(process, limits.output_bytes), limits.timeout_s
            )
            if overflow:
                stopped, exit_code = "output too long", None
        except TimeoutError:
            stopped, out, err = "timeout", b"", b""
        finally:
            if process.returncode is None or stopped == "timeout":
                await _stop(process)
    return RunResult(
        exit_code=exit_code,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        stopped=stopped,
    )
