"""What sovsim writes, and the one set of rules every command follows when it writes.

Every output of sovsim is a *folder of a kind* (its meta.json says `"kind"` and
`"sovsim_version"`): "run" (`sovsim run`), "ensemble", "claims", "history" — or a *report*
(`sovsim report`, an HTML file marked as sovsim's). The rules (issue 10):

* the output path is checked before any work starts (`check_out`);
* a command never replaces anything that is not of its own kind: a user's folder, a file, or
  another command's result is refused whatever the options; its own earlier output is replaced
  only with `--force`;
* default names are unique (`default_out`: the time to the microsecond and a random suffix);
* a folder is written to a temporary folder beside its target and moved into place whole, labels
  included (`create`); an existing result is moved aside only after the new one is complete, and
  removed after the new one has taken its place, so a crash never leaves neither;
* temporary folders of a command that died (`.<name>.sovsim-tmp-<pid>-<random>` whose process
  is gone) are recognised, removed at the next command writing beside them and reported.

A folder being built in place (an ensemble or claims run that can be resumed) has
`"complete": false` in its meta.json until its last file is written.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sovsim import __version__

KINDS = ("run", "ensemble", "claims", "sensitivity", "history", "report")
META_FILE = "meta.json"
TMP_MARK = ".sovsim-tmp-"
OLD_MARK = ".sovsim-old-"
REPORT_MARK = '<meta name="generator" content="sovsim report'
DEFAULT_ROOT = Path("runs")


class FolderError(ValueError):
    """An output path a command must not write to, or an input folder of the wrong kind."""


# --- reading a folder's kind ------------------------------------------------------------------
def read_meta(path: Path) -> dict[str, Any] | None:
    """The meta.json of a sovsim folder, or None when `path` has none of ours."""
    meta = Path(path) / META_FILE
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "sovsim_version" not in data:
        return None
    return data


def kind_of(path: Path) -> str | None:
    """The kind of a sovsim output ("run", "ensemble", "claims", "history", "report"), or None
    for anything else. Run folders written before kinds were recorded have no kind and a
    regions table: they are runs."""
    path = Path(path)
    if path.is_file():
        try:
            with path.open("rb") as f:
                head = f.read(4096)
        except OSError:
            return None
        return "report" if REPORT_MARK.encode() in head else None
    meta = read_meta(path)
    if meta is None:
        return None
    kind = meta.get("kind")
    if kind is None and any(path.glob("regions.*")):
        return "run"
    return kind if kind in KINDS else None


def is_complete(path: Path) -> bool:
    """Whether a sovsim folder was finished (an interrupted ensemble or claims is not)."""
    meta = read_meta(path)
    return meta is not None and meta.get("complete", True) is not False


def require(path: Path, *kinds: str) -> str:
    """The kind of an input folder, which must be one of `kinds` and complete; FolderError
    naming the path and what it is otherwise."""
    path = Path(path)
    if not path.exists():
        raise FolderError(f"{path}: no such folder")
    if not path.is_dir():
        raise FolderError(f"{path}: a file, not a folder; give a sovsim {' or '.join(kinds)} "
                          "folder")
    kind = kind_of(path)
    if kind is None:
        raise FolderError(f"{path}: not a sovsim folder (no meta.json of sovsim's); give a "
                          f"{' or '.join(kinds)} folder")
    if kind not in kinds:
        raise FolderError(f"{path}: a sovsim {kind} folder; give a {' or '.join(kinds)} folder")
    if not is_complete(path):
        raise FolderError(f"{path}: an interrupted {kind} that never finished; complete it with "
                          f"`sovsim {kind} ... --resume --out {path}`")
    return kind


# --- checking an output path before any work ---------------------------------------------------
def check_out(out: Path, kind: str, *, force: bool = False, resume: bool = False) -> str:
    """Check that `kind` output may go to `out`, before any work starts. Returns "new" (nothing
    there, or an empty folder), "replace" (an earlier output of this kind, with `force`) or
    "resume" (an unfinished folder of this kind, with `resume`). FolderError otherwise, and
    nothing is touched."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid: {', '.join(KINDS)}")
    out = Path(out)
    check_parent(out)
    if not out.exists() and not out.is_symlink():
        if resume:
            raise FolderError(f"{out}: nothing to resume there (no such folder)")
        return "new"
    if kind == "report":
        if out.is_dir():
            raise FolderError(f"{out}: a folder; --out takes the HTML file to write, e.g. "
                              f"{out / 'report.html'}")
        if kind_of(out) != "report":
            raise FolderError(f"{out}: exists and is not a sovsim report; not replaced, choose "
                              "another --out")
        if not force:
            raise FolderError(f"{out}: a sovsim report is already there; add --force to "
                              "replace it")
        return "replace"
    if not out.is_dir():
        raise FolderError(f"{out}: exists and is a file, not a folder; choose another --out")
    if not any(out.iterdir()):
        if resume:
            raise FolderError(f"{out}: nothing to resume there (an empty folder)")
        return "new"
    found = kind_of(out)
    if found is None:
        raise FolderError(f"{out}: exists and is not a sovsim folder; not replaced, choose "
                          "another --out")
    if found != kind:
        raise FolderError(f"{out}: a sovsim {found} folder; `sovsim {kind}` does not replace "
                          "it, choose another --out")
    if resume:
        if is_complete(out):
            raise FolderError(f"{out}: this {kind} is complete; nothing to resume")
        return "resume"
    if not force:
        what = "an unfinished" if not is_complete(out) else "an earlier"
        hint = " or --resume to complete it" if not is_complete(out) else ""
        raise FolderError(f"{out}: {what} sovsim {kind} folder is there; add --force to replace "
                          f"it{hint}")
    if Path.cwd().resolve().is_relative_to(out.resolve()):
        raise FolderError(f"{out}: the current folder is inside it; run from elsewhere to "
                          "replace it")
    return "replace"


def check_file_out(out: Path, *, force: bool = False) -> None:
    """Check a single output file (a scenario written by `sovsim calibrate`) before any work:
    never a folder, an existing file only with `force`."""
    out = Path(out)
    check_parent(out)
    if out.is_dir():
        raise FolderError(f"{out}: a folder; --out takes the file to write")
    if out.exists() and not force:
        raise FolderError(f"{out}: exists; add --force to replace it")


def check_parent(out: Path) -> None:
    # The first existing ancestor must be a folder we may write in: checked here so that an
    # unwritable --out fails in a second, not after the simulation.
    parent = out.absolute().parent
    while not parent.exists():
        if parent.is_symlink():
            raise FolderError(f"{out}: {parent} is a broken link")
        parent = parent.parent
    if not parent.is_dir():
        raise FolderError(f"{out}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FolderError(f"{out}: cannot write in {parent} (permission denied)")


# --- names --------------------------------------------------------------------------------------
def default_out(kind: str, *parts: str | int, root: Path = DEFAULT_ROOT) -> Path:
    """A unique default path: runs/<kind>-<parts>-<UTC time to the microsecond>-<random>.
    A run's kind is left out of its name (runs/<scenario>-s<seed>-<theory>-...)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    words = [] if kind == "run" else [kind]
    words += [str(p) for p in parts if p != ""]
    return root / "-".join([*words, stamp, secrets.token_hex(2)])


# --- writing ------------------------------------------------------------------------------------
def stamp(meta: dict[str, Any], kind: str) -> dict[str, Any]:
    """meta with its kind, the package version and the command line that wrote it."""
    out = dict(meta)
    out["kind"] = kind
    out.setdefault("sovsim_version", __version__)
    out.setdefault("command", command_line())
    return out


_INVOKED: list[list[str]] = []


def set_command_line(args: list[str]) -> None:
    """Record the arguments the `sovsim` command was given (the CLI calls this first)."""
    _INVOKED[:] = [["sovsim", *map(str, args)]]


def command_line() -> str:
    """The command line that wrote an output, as a shell would take it back: the `sovsim`
    command's arguments, or this process's when sovsim is used as a library."""
    import shlex

    return shlex.join(_INVOKED[0] if _INVOKED else sys.argv)


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    """meta.json of a sovsim folder, sorted and indented, written atomically."""
    write_text(Path(folder) / META_FILE, json.dumps(meta, indent=2, sort_keys=True) + "\n")


def write_text(path: Path, text: str) -> None:
    """A text file written whole or not at all (temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(3)}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def temporary_beside(target: Path) -> Path:
    """A new temporary folder beside `target`, named so that a later command knows it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(3)}"
    tmp.mkdir()
    return tmp


def move_into_place(built: Path, target: Path) -> None:
    """Put the finished folder `built` at `target`. An existing target is renamed aside first
    and removed only once `built` has taken its place: at every instant one of them is whole."""
    target = Path(target)
    old = None
    if target.exists():
        old = target.parent / f".{target.name}{OLD_MARK}{os.getpid()}-{secrets.token_hex(3)}"
        target.rename(old)
    try:
        Path(built).rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def create(kind: str, out: Path, *, force: bool = False,
           meta: dict[str, Any] | None = None) -> Iterator[Path]:
    """Write a folder of `kind` at `out` whole or not at all.

        with folders.create("history", out, force=force, meta={...}) as tmp:
            write files into tmp

    `out` is checked first (`check_out`): FolderError before anything is written. The block
    writes into a temporary folder beside `out`; when it ends without error, meta.json (`meta`
    stamped with kind, sovsim_version and the command line, or the meta.json the block wrote,
    stamped) is written and the folder moved into place. If the block fails, the temporary
    folder is removed and `out` is left as it was.
    """
    check_out(out, kind, force=force)
    clean_leftovers(Path(out).parent)
    tmp = temporary_beside(out)
    try:
        yield tmp
        written = read_meta(tmp) or {}
        if meta is None and not (tmp / META_FILE).exists():
            raise RuntimeError(f"{kind} folder written without meta.json")
        write_meta(tmp, stamp({**(meta or {}), **written}, kind))
        move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# --- leftovers of crashed commands --------------------------------------------------------------
def _pid_of(name: str, mark: str) -> int | None:
    try:
        return int(name.split(mark, 1)[1].split("-", 1)[0])
    except (IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leftovers(where: Path) -> list[Path]:
    """Temporary files and folders beside which a sovsim command died: their writer's process is
    gone."""
    where = Path(where)
    if not where.is_dir():
        return []
    found = []
    for p in where.iterdir():
        for mark in (TMP_MARK, OLD_MARK):
            if p.name.startswith(".") and mark in p.name:
                pid = _pid_of(p.name, mark)
                if pid is not None and not _alive(pid):
                    found.append(p)
    return sorted(found)


def clean_leftovers(where: Path, say: Any = None) -> list[Path]:
    """Remove the leftovers of dead commands in `where`; report each through `say(text)` (or on
    stderr). A set-aside old result (`.sovsim-old-`) whose target is missing is put back rather
    than removed."""
    removed = []
    for p in leftovers(where):
        target = p.parent / p.name[1:].split(OLD_MARK, 1)[0]
        if OLD_MARK in p.name and not target.exists():
            p.rename(target)
            text = f"note: restored {target} (set aside by a command that died)"
        else:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            text = f"note: removed {p.name}, left in {where} by a sovsim command that died"
            removed.append(p)
        (say or _stderr)(text)
    return removed


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


# --- folders built in place, which an interrupted command resumes ---------------------------------
PARTS = "parts"


@dataclass
class Build:
    """A folder being built: `path` (the target itself, or a temporary folder beside it when an
    earlier result is being replaced), `parts` (where finished runs are kept until the end) and
    whether it `resumed` an interrupted one."""

    kind: str
    target: Path
    path: Path
    meta: dict[str, Any]
    resumed: bool

    @property
    def parts(self) -> Path:
        return self.path / PARTS

    def stopped(self, done: int, total: int) -> str:
        """What an interrupted command kept, and how to complete it."""
        if self.path != self.target:
            return f"interrupted; {self.target} was left as it was"
        return (f"interrupted after {done} of {total} runs; they are kept in {self.target}: the "
                f"same command with --resume --out {self.target} completes it")

    def finish(self, meta: dict[str, Any]) -> None:
        """The last step: meta.json marked complete, the kept parts removed, and the folder
        moved into place if it was built beside its target."""
        write_meta(self.path, stamp({**self.meta, **meta, "complete": True}, self.kind))
        shutil.rmtree(self.parts, ignore_errors=True)
        if self.path != self.target:
            move_into_place(self.path, self.target)


@contextmanager
def build(kind: str, out: Path, *, settings: dict[str, Any], force: bool = False,
          resume: bool = False) -> Iterator[Build]:
    """A folder of `kind` built in place so that it can be resumed: its meta.json says
    `"complete": false` and its `settings` until `Build.finish`. With `resume`, `out` must be an
    unfinished folder of this kind with the same settings (FolderError naming the first that
    differs). Replacing an earlier result (`force`) builds beside it and swaps at the end; if
    that is interrupted the earlier result stays and the partial folder is removed."""
    state = check_out(out, kind, force=force, resume=resume)
    out = Path(out)
    clean_leftovers(out.parent)
    if state == "resume":
        meta = read_meta(out) or {}
        before = meta.get("settings", {})
        for key, value in settings.items():
            if before.get(key) != value:
                raise FolderError(f"{out}: it was started with {key} = {before.get(key)!r}, "
                                  f"not {value!r}; resume with the same options")
        clean_leftovers(out)
        clean_leftovers(out / PARTS)
        yield_to = Build(kind, out, out, meta, True)
    else:
        meta = stamp({**settings, "settings": settings, "complete": False}, kind)
        path = out if state == "new" else temporary_beside(out)
        path.mkdir(parents=True, exist_ok=True)
        write_meta(path, meta)
        yield_to = Build(kind, out, path, meta, False)
    try:
        yield yield_to
    except BaseException:
        if yield_to.path != out:
            shutil.rmtree(yield_to.path, ignore_errors=True)
        raise
