#!/usr/bin/env python3
"""tests/docs/commands.py: the docs that run (CTest docs:commands).

Every command that README.md and the docs in DOCS below show is run, with the
utsim under test, and what the docs say it prints is checked against what it
prints, so the docs cannot drift from the tool:

  tests/docs/commands.py UTSIM SOURCE_DIR [SCRATCH] [DOC...]
  tests/docs/commands.py --self-test UTSIM SOURCE_DIR [SCRATCH]

What is run
  - every line of a ```sh block (a line ending in \\ goes on on the next one;
    blank and comment lines are not commands);
  - every `$ command` line of a plain ``` block; the lines after it, up to the
    next `$` line, are what the doc says it prints.
  Each command runs with `bash -c` in a scratch folder (one per doc, so files a
  command writes are there for the next one) where `scenarios/` is the
  repository's, and both `build/tools/utsim` and a plain `utsim` are the
  binary under test; HOME is a folder of the scratch too.  stdin is empty.
  The exit code must be 0 unless a marker says otherwise.  When `less` is not
  installed, a `less` that only copies its input stands in for it (the docs
  pipe into `less -R`, which copies to a pipe as `cat` does).

Markers
  An HTML comment on a line of its own, invisible when the Markdown is
  rendered:  <!-- doc-test: DIRECTIVE ARGS -->   (ARGS are shell words: quote
  with '...' or "...").  The block directives apply to the next fenced block
  (only blank lines and other markers in between):

    skip REASON...        its commands are not run (counted, with the reason)
    needs TOOL [for TEXT] its commands (those containing TEXT) run only if TOOL
                          is installed; else they are skipped
    exit N [for TEXT]     its commands (those containing TEXT) exit with N
    keys KEY...           its commands read these keys, one line each
                          (Enter is an empty line): for `utsim step`
    server [GET PATH]...  its command is a server: run it, read the URL it
                          prints, GET / (an HTML page) and each PATH (`GET PATH:
                          STATUS` and the body are added to its output), then
                          stop it with SIGINT (it must exit 0)
    exact [from TEXT]     the block is exactly what the previous command (or the
                          last one containing TEXT) printed on stdout; on a `$`
                          block: what each of its commands prints
    excerpt [from TEXT]   the block's lines appear in that order in the output
                          (other lines may come between); a `...` line is only
                          a visible gap, and `...` inside a line matches any text
    text                  the block is not a command's output (a synopsis, a
                          layout, an example file): nothing to check

  and these stand alone, in the order of the doc:

    run [exit N] COMMAND...
                          run a command the reader does not see (it must exit
                          0, or N); its output is what the next markers check,
                          e.g. the output a paragraph quotes from
    figure PROSE [= OUTPUT] [from TEXT]
                          PROSE appears in the paragraph (or block) just before
                          the marker, and OUTPUT (default PROSE) in the output
                          (stdout, then stderr) of the last command run, or of
                          the last one that contains TEXT; spaces and line
                          breaks are compared as one space, and an OUTPUT with
                          `...` must be on one line, `...` matching any text.
                          This is how the prose's figures (a count, a replay
                          string) are tied to the tool's output.

  A plain ``` block must have a marker (exact, excerpt, text or skip), and a
  `$` block one of exact, excerpt or skip, so that no output shown in the docs
  goes unchecked by accident; blocks with another language (json, yaml) are
  checked only when marked.

It prints each skipped command with its reason, how many commands ran, outputs
and figures were checked, and how long it took; it exits 1 on any failure.
--self-test runs it on tests/docs/selftest.md, whose drifts (a wrong count, a
wrong exit code, a wrong figure, an unmarked output) must each be reported.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

DOCS = [
    "README.md",
    "docs/tutorial.md",
    "docs/exploration.md",
    "docs/scenarios.md",
    "docs/hardening.md",
    "docs/serve.md",
    "docs/pictures.md",
    "docs/errors.md",
    "docs/ptrace.md",
    "docs/architecture.md",
    "docs/model.md",
    "docs/memory-model.md",
    "docs/tutorial-memory.md",
]  # not docs/utrace-semantics.md: a copy of the reference, which shows no utsim command
COMMAND_TIMEOUT = 120  # seconds; a command that takes longer fails

MARKER = re.compile(r"^\s*<!--\s*doc-test:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*$")
BLOCK_DIRECTIVES = {"skip", "needs", "exit", "keys", "server", "exact", "excerpt", "text"}
STANDALONE_DIRECTIVES = {"run", "figure"}


def squash(s: str) -> str:
    return " ".join(s.split())


def contains(output: str, figure: str) -> bool:
    """The figure is in the output, spaces and line breaks compared as one
    space; a figure with `...` must be on one line, `...` matching any text."""
    if "..." not in figure:
        return squash(figure) in squash(output)
    pat = re.compile(".*".join(re.escape(p) for p in squash(figure).split("...")))
    return any(pat.search(squash(line)) for line in output.split("\n"))


@dataclass
class Block:
    line: int  # of the opening fence, 1-based
    lang: str
    lines: list[str]  # without the fence's indentation


@dataclass
class Para:
    line: int
    text: str


@dataclass
class Marker:
    line: int
    name: str
    args: str  # the rest, as written


@dataclass
class Command:
    line: int
    text: str
    shown_output: list[str] | None = None  # a `$` block's lines after it


@dataclass
class Result:
    command: str
    line: int
    stdout: str = ""
    stderr: str = ""
    code: int | None = None
    skipped: str | None = None  # why it was not run


def parse(text: str) -> list:
    """The doc as a list of paragraphs, markers and fenced blocks, in order."""
    items: list = []
    lines = text.split("\n")
    i = 0
    para: list[str] = []
    para_line = 0

    def end_para():
        nonlocal para
        if para:
            items.append(Para(para_line, "\n".join(para)))
            para = []

    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m:
            end_para()
            indent, fence, lang = len(m.group(1)), m.group(2), m.group(3)
            body = []
            j = i + 1
            while j < len(lines):
                close = lines[j].strip()
                if close.startswith(fence[0] * len(fence)) and set(close) == {fence[0]}:
                    break
                raw = lines[j]
                # Remove the fence's indentation (a block inside a list item).
                cut = len(raw) - len(raw.lstrip(" "))
                body.append(raw[min(indent, cut):])
                j += 1
            items.append(Block(i + 1, lang, body))
            i = j + 1
            continue
        m = MARKER.match(line)
        if m:
            end_para()
            name, _, args = m.group(1).partition(" ")
            items.append(Marker(i + 1, name, args.strip()))
        elif line.lstrip().startswith("<!--") and "doc-test" in line:
            end_para()
            items.append(Marker(i + 1, "?", line.strip()))  # a marker not on one line, or misspelt
        elif re.fullmatch(r"\s*<!--.*-->\s*", line):
            pass  # another comment: invisible, and not part of the paragraph
        elif line.strip() == "":
            end_para()
        else:
            if not para:
                para_line = i + 1
            para.append(line)
        i += 1
    end_para()
    return items


def commands_of(block: Block) -> list[Command]:
    """The commands of a ```sh block, or of the `$` lines of a plain block."""
    cmds: list[Command] = []
    if block.lang in ("sh", "bash", "shell"):
        pending = ""
        start = 0
        for n, raw in enumerate(block.lines):
            line = raw.rstrip()
            if not pending and (line.strip() == "" or line.lstrip().startswith("#")):
                continue
            if not pending:
                start = block.line + 1 + n
            if line.endswith("\\"):
                pending += line.strip()[:-1].rstrip() + " "
                continue
            cmds.append(Command(start, (pending + line.strip()).strip()))
            pending = ""
        return cmds
    for n, raw in enumerate(block.lines):
        if raw.startswith("$ "):
            cmds.append(Command(block.line + 1 + n, raw[2:].strip(), []))
        elif cmds:
            cmds[-1].shown_output.append(raw)
    return cmds


def line_pattern(doc_line: str) -> re.Pattern:
    parts = [re.escape(p) for p in doc_line.rstrip().split("...")]
    return re.compile(".*".join(parts) + r"\s*")


def check_excerpt(shown: list[str], output: str) -> str | None:
    """None when every shown line (but `...` and blank ones) appears in the
    output in order; else what is wrong."""
    out = output.split("\n")
    pos = 0
    for doc_line in shown:
        if doc_line.strip() in ("", "..."):
            continue
        pat = line_pattern(doc_line)
        k = pos
        while k < len(out) and not pat.fullmatch(out[k]):
            k += 1
        if k == len(out):
            anywhere = any(pat.fullmatch(o) for o in out)
            close = difflib.get_close_matches(doc_line.rstrip(), out, n=1, cutoff=0.5)
            msg = f"the line\n    {doc_line.rstrip()}\n  is not in the output"
            if anywhere:
                msg += " after the lines before it (the order differs)"
            elif close:
                msg += f"; the closest line is\n    {close[0]}"
            return msg
        pos = k + 1
    return None


def check_exact(shown: list[str], output: str) -> str | None:
    a = [s.rstrip() for s in shown]
    b = [s.rstrip() for s in output.split("\n")]
    while a and a[-1] == "":
        a.pop()
    while b and b[-1] == "":
        b.pop()
    if a == b:
        return None
    diff = difflib.unified_diff(a, b, "the doc", "the output", lineterm="", n=1)
    return "the output differs:\n    " + "\n    ".join(diff)


class Runner:
    def __init__(self, utsim: str, source: str, scratch: str):
        self.utsim = os.path.realpath(utsim)
        self.source = os.path.realpath(source)
        self.scratch = os.path.realpath(scratch)
        self.failures: list[tuple[str, int, str]] = []
        self.ran = 0
        self.skipped: list[tuple[str, int, str, str]] = []
        self.outputs_checked = 0
        self.figures_checked = 0
        self.times: list[tuple[float, str]] = []
        self.notes: list[str] = []
        os.makedirs(self.scratch, exist_ok=True)
        self.bin = os.path.join(self.scratch, "bin")
        shutil.rmtree(self.bin, ignore_errors=True)
        os.makedirs(self.bin)
        self._link(self.utsim, os.path.join(self.bin, "utsim"))
        if shutil.which("less") is None:
            shim = os.path.join(self.bin, "less")
            with open(shim, "w") as f:
                f.write("#!/bin/sh\n# less is not installed: copy the input, as less does to a pipe\n"
                        "exec cat\n")
            os.chmod(shim, 0o755)
            self.notes.append("less is not installed: a shim that copies its input stands in for it")
        self.env = dict(os.environ)
        self.env["PATH"] = self.bin + os.pathsep + self.env.get("PATH", "")
        # A home of its own: what a command keeps there (a browser profile) stays in the scratch.
        self.env["HOME"] = os.path.join(self.scratch, "home")
        os.makedirs(self.env["HOME"], exist_ok=True)
        self.env.pop("NO_COLOR", None)

    @staticmethod
    def _link(target: str, path: str):
        if os.path.lexists(path):
            os.remove(path)
        os.symlink(target, path)

    def workdir(self, doc: str) -> str:
        """A fresh folder per doc in which the docs' relative paths resolve."""
        d = os.path.join(self.scratch, re.sub(r"[^A-Za-z0-9_.-]", "_", doc))
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "build", "tools"))
        self._link(self.utsim, os.path.join(d, "build", "tools", "utsim"))
        self._link(os.path.join(self.source, "scenarios"), os.path.join(d, "scenarios"))
        return d

    def fail(self, doc: str, line: int, msg: str):
        self.failures.append((doc, line, msg))
        print(f"FAIL {doc}:{line}: {msg}", flush=True)

    # -- running ---------------------------------------------------------

    def run(self, doc: str, cwd: str, cmd: Command, stdin: str = "") -> Result:
        res = Result(cmd.text, cmd.line)
        t0 = time.monotonic()
        try:
            p = subprocess.run(["bash", "-c", cmd.text], cwd=cwd, env=self.env, input=stdin.encode(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=COMMAND_TIMEOUT)
            res.stdout = p.stdout.decode("utf-8", "replace")
            res.stderr = p.stderr.decode("utf-8", "replace")
            res.code = p.returncode
        except subprocess.TimeoutExpired:
            self.fail(doc, cmd.line, f"`{cmd.text}` ran longer than {COMMAND_TIMEOUT} s "
                      "(make the example cheaper, or mark it skip with a reason)")
        self.times.append((time.monotonic() - t0, f"{doc}:{cmd.line}: {cmd.text}"))
        self.ran += 1
        return res

    def serve(self, doc: str, cwd: str, cmd: Command, paths: list[str]) -> Result:
        """A server: its URL line, GET / and each path, then SIGINT; exit 0."""
        res = Result(cmd.text, cmd.line)
        t0 = time.monotonic()
        p = subprocess.Popen(["bash", "-c", "exec " + cmd.text], cwd=cwd, env=self.env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # The URL line, waited for in a thread: a server that prints nothing must not hang the test.
            line: list[bytes] = []
            reader = threading.Thread(target=lambda: line.append(p.stdout.readline()), daemon=True)
            reader.start()
            reader.join(60)
            first = line[0].decode("utf-8", "replace") if line else ""
            res.stdout = first
            m = re.search(r"http://127\.0\.0\.1:\d+/", first)
            if not m:
                self.fail(doc, cmd.line, f"`{cmd.text}` printed no URL: {first!r}")
                return res
            url = m.group(0)
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
            for path in ["/"] + paths:
                try:
                    with direct.open(url + path.lstrip("/"), timeout=60) as r:
                        status, body = r.status, r.read().decode("utf-8", "replace")
                except urllib.error.HTTPError as e:  # an error answer is an answer too (serve.E...)
                    status, body = e.code, e.read().decode("utf-8", "replace")
                if path == "/" and (status != 200 or "<html" not in body.lower()):
                    self.fail(doc, cmd.line, f"GET / answered {status}, not an HTML page")
                if path != "/":
                    res.stdout += f"GET {path}: {status}\n{body}\n"
        except Exception as e:  # noqa: BLE001: any failure to talk to it is the test's failure
            self.fail(doc, cmd.line, f"`{cmd.text}`: {e}")
        finally:
            p.send_signal(signal.SIGINT)
            try:
                out, err = p.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
            res.stdout += out.decode("utf-8", "replace")
            res.stderr = err.decode("utf-8", "replace")
            res.code = p.returncode
        self.times.append((time.monotonic() - t0, f"{doc}:{cmd.line}: {cmd.text}"))
        self.ran += 1
        return res

    # -- one doc ---------------------------------------------------------

    def check_doc(self, doc: str, path: str | None = None):
        path = path or os.path.join(self.source, doc)
        with open(path, encoding="utf-8") as f:
            items = parse(f.read())
        cwd = self.workdir(doc)
        results: list[Result] = []
        pending: list[Marker] = []
        before = None  # the paragraph or block just before a standalone marker

        def output_of(marker: Marker, text: str | None) -> Result | None:
            for r in reversed(results):
                if text is None or text in r.command:
                    return r
            self.fail(doc, marker.line, "no command before this marker" +
                      (f" contains {text!r}" if text else ""))
            return None

        for item in items:
            if isinstance(item, Marker):
                if item.name in BLOCK_DIRECTIVES:
                    pending.append(item)
                elif item.name == "run":
                    if pending:
                        self.fail(doc, item.line, "a run marker between a block marker and its block")
                    want, command = 0, item.args
                    m = re.fullmatch(r"exit (\d+) (.*)", item.args)
                    if m:
                        want, command = int(m.group(1)), m.group(2)
                    r = self.run(doc, cwd, Command(item.line, command))
                    if r.code is not None and r.code != want:
                        self.fail(doc, item.line,
                                  f"`{command}` exited {r.code}, not {want}\n{r.stderr[-2000:]}")
                    results.append(r)
                elif item.name == "figure":
                    self.figure(doc, item, before, output_of)
                elif item.name == "?":
                    self.fail(doc, item.line,
                              f"cannot read this marker (one line: <!-- doc-test: ... -->): {item.args}")
                else:
                    self.fail(doc, item.line, f"unknown marker {item.name!r} "
                              f"(known: {', '.join(sorted(BLOCK_DIRECTIVES | STANDALONE_DIRECTIVES))})")
                continue
            if isinstance(item, Para):
                for m in pending:
                    self.fail(doc, m.line, f"the marker {m.name!r} is not followed by a fenced block")
                pending = []
                before = item
                continue
            self.block(doc, cwd, item, pending, results, output_of)
            pending = []
            before = item
        for m in pending:
            self.fail(doc, m.line, f"the marker {m.name!r} is not followed by a fenced block")

    def figure(self, doc, marker: Marker, before, output_of):
        try:
            words = shlex.split(marker.args)
        except ValueError as e:
            self.fail(doc, marker.line, f"figure: {e}")
            return
        if not words:
            self.fail(doc, marker.line, "figure: what figure?")
            return
        prose, output, source = words[0], words[0], None
        rest = words[1:]
        if len(rest) >= 2 and rest[0] == "=":
            output, rest = rest[1], rest[2:]
        if len(rest) == 2 and rest[0] == "from":
            source, rest = rest[1], []
        if rest:
            self.fail(doc, marker.line, f"figure: cannot read {marker.args!r} "
                      "(figure PROSE [= OUTPUT] [from TEXT])")
            return
        shown = before.text if isinstance(before, Para) else "\n".join(before.lines) if before else ""
        if squash(prose) not in squash(shown):
            self.fail(doc, marker.line, f"the text before the marker does not say {prose!r}")
        r = output_of(marker, source)
        if r is None:
            return
        if r.skipped is not None:
            self.skipped.append((doc, marker.line, f"figure {prose!r}", f"`{r.command}` was skipped"))
            return
        self.figures_checked += 1
        if not contains(r.stdout + "\n" + r.stderr, output):
            self.fail(doc, marker.line, f"the output of `{r.command}` does not contain {output!r}\n"
                      f"  (doc says {prose!r})")

    def block(self, doc, cwd, block: Block, markers: list[Marker], results, output_of):
        d: dict[str, list[Marker]] = {}
        for m in markers:
            d.setdefault(m.name, []).append(m)
        kinds = [k for k in ("exact", "excerpt", "text") if k in d]
        if len(kinds) > 1:
            self.fail(doc, block.line, f"markers {kinds} contradict each other")
            return
        cmds = commands_of(block) if block.lang in ("sh", "bash", "shell", "") else []
        is_commands = block.lang in ("sh", "bash", "shell") or bool(cmds)

        # Why each command is not run, if it is not.
        skip_all = None
        if "skip" in d:
            skip_all = d["skip"][0].args
            if not skip_all:
                self.fail(doc, d["skip"][0].line, "skip needs a reason")
                skip_all = "(no reason given)"
        needs = []
        for m in d.get("needs", []):
            words = shlex.split(m.args)
            if len(words) == 1:
                needs.append((words[0], None))
            elif len(words) == 3 and words[1] == "for":
                needs.append((words[0], words[2]))
            else:
                self.fail(doc, m.line, "needs TOOL [for TEXT]")

        def why_not(c: Command) -> str | None:
            if skip_all is not None:
                return skip_all
            for tool, text in needs:
                if (text is None or text in c.text) and shutil.which(tool) is None:
                    return f"{tool} is not installed"
            return None

        if skip_all is not None and not cmds:
            self.skipped.append((doc, block.line, f"(the block at line {block.line})", skip_all))
            return

        if not is_commands:
            if block.lang != "" and not kinds:
                return  # json, yaml ...: checked only when marked
            if not kinds:
                self.fail(doc, block.line, "a plain block without a marker: say what it is "
                          "(<!-- doc-test: exact -->, excerpt, text or skip REASON)")
                return
            if kinds[0] == "text":
                return
            m = d[kinds[0]][0]
            words = shlex.split(m.args)
            source = None
            if len(words) == 2 and words[0] == "from":
                source = words[1]
            elif words:
                self.fail(doc, m.line, f"{m.name} [from TEXT]")
            r = output_of(m, source)
            if r is not None:
                self.compare(doc, block.line, kinds[0], block.lines, r)
            return

        # Commands.
        if block.lang == "" and not kinds:
            self.fail(doc, block.line, "a `$` block without a marker: is what it shows exact or an excerpt?")
        if block.lang != "" and kinds:
            self.fail(doc, block.line, f"{kinds[0]} on a ```{block.lang} block: put it on the output block")
        exits = []
        for m in d.get("exit", []):
            words = shlex.split(m.args)
            if len(words) == 1 and words[0].isdigit():
                exits.append((int(words[0]), None))
            elif len(words) == 3 and words[0].isdigit() and words[1] == "for":
                exits.append((int(words[0]), words[2]))
            else:
                self.fail(doc, m.line, "exit N [for TEXT]")
        stdin = ""
        if "keys" in d:
            keys = shlex.split(d["keys"][0].args)
            stdin = "".join(("" if k == "Enter" else k) + "\n" for k in keys)
        server = d.get("server")
        for c in cmds:
            reason = why_not(c)
            if reason is not None:
                self.skipped.append((doc, c.line, c.text, reason))
                results.append(Result(c.text, c.line, skipped=reason))
                continue
            if server:
                words = shlex.split(server[0].args)
                paths = [words[i + 1] for i in range(len(words) - 1) if words[i] == "GET"]
                r = self.serve(doc, cwd, c, paths)
            else:
                r = self.run(doc, cwd, c, stdin)
            results.append(r)
            if r.code is None:
                continue
            want = 0
            for code, text in exits:
                if text is None or text in c.text:
                    want = code
            if r.code != want:
                hint = ""
                if r.code == 127:
                    hint = ("\n  (a command a test cannot run? mark its block "
                            "<!-- doc-test: skip REASON --> or <!-- doc-test: needs TOOL -->)")
                self.fail(doc, c.line, f"`{c.text}` exited {r.code}, not {want}{hint}\n"
                          f"  stderr: {r.stderr.strip()[-1500:]}")
            if c.shown_output is not None and kinds:
                self.compare(doc, c.line, kinds[0], c.shown_output, r)

    def compare(self, doc, line, kind, shown, r: Result):
        if r.skipped is not None:
            self.skipped.append((doc, line, f"the output of `{r.command}`", "that command was skipped"))
            return
        self.outputs_checked += 1
        problem = check_exact(shown, r.stdout) if kind == "exact" else check_excerpt(shown, r.stdout)
        if problem:
            self.fail(doc, line, f"{kind} output of `{r.command}` (line {r.line}): {problem}")

    def summary(self) -> int:
        print()
        if self.skipped:
            print(f"skipped {len(self.skipped)} commands:")
            for doc, line, text, reason in self.skipped:
                print(f"  {doc}:{line}: {text}\n      because {reason}")
        for n in self.notes:
            print(f"note: {n}")
        slow = sorted(self.times, reverse=True)[:5]
        if slow:
            print("slowest commands:")
            for t, what in slow:
                print(f"  {t:6.2f} s  {what}")
        print(f"{self.ran} commands run, {len(self.skipped)} skipped; {self.outputs_checked} outputs and "
              f"{self.figures_checked} figures checked; {len(self.failures)} failures")
        return 1 if self.failures else 0


SELF_TEST_DOC = "tests/docs/selftest.md"


def self_test(utsim: str, source: str, scratch: str) -> int:
    """The runner on a fixture whose every drift is announced by a comment
    `<!-- self-test: the next check fails -->`: each such check must fail, and
    nothing else may."""
    path = os.path.join(source, SELF_TEST_DOC)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    announced = [n + 1 for n, l in enumerate(lines) if "<!-- self-test: the next check fails -->" in l]
    print(f"self-test: {SELF_TEST_DOC} announces {len(announced)} drifts; the runner must report each")
    r = Runner(utsim, source, scratch)
    r.check_doc(SELF_TEST_DOC, path)
    ok = r.summary() == 1
    if not ok:
        print("SELF-TEST FAIL: the runner did not exit 1 on a doc with drifts")
    failed_lines = [line for _, line, _ in r.failures]
    for a in announced:
        # The failure is reported at the marker, block or command after the comment.
        hits = [l for l in failed_lines if a < l <= a + 3]
        if not hits:
            print(f"SELF-TEST FAIL: the drift announced at {SELF_TEST_DOC}:{a} was not reported")
            ok = False
    for l in failed_lines:
        if not any(a < l <= a + 3 for a in announced):
            print(f"SELF-TEST FAIL: {SELF_TEST_DOC}:{l} was reported but no drift is announced there")
            ok = False
    if r.ran == 0 or r.outputs_checked == 0 or r.figures_checked == 0:
        print("SELF-TEST FAIL: the fixture ran nothing, or checked no output or figure")
        ok = False
    print("self-test: " + ("ok, the runner catches every drift of the fixture" if ok else "FAILED"))
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    selftest = bool(argv) and argv[0] == "--self-test"
    if selftest:
        argv = argv[1:]
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    utsim, source = argv[0], argv[1]
    scratch = argv[2] if len(argv) > 2 else tempfile.mkdtemp(prefix="utsim-docs-")
    if not os.access(utsim, os.X_OK):
        print(f"{utsim}: not an executable", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    if selftest:
        rc = self_test(utsim, source, scratch)
    else:
        r = Runner(utsim, source, scratch)
        for doc in argv[3:] or DOCS:
            print(f"== {doc}", flush=True)
            r.check_doc(doc)
        rc = r.summary()
    print(f"took {time.monotonic() - t0:.1f} s")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
