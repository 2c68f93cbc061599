"""The output folder as a deploy sees it: its published files in deploy order, each with its
MD5 digest, read again only when its size or modification time changed since the last deploy.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from reflexgen.deploy.base import LocalFile
from reflexgen.errors import BuildError, Problem, Reporter
from reflexgen.hashing import digest
from reflexgen.render.writer import Staging, journal_of
from reflexgen.site.caching import SERVER_ONLY, deploy_order, kind

# A file modified this close to the listing may change again within its clock tick without
# its stamp changing (git's "racily clean" files): hashed, but its digest not kept.
RACY_NS = 2_000_000_000
Stamps = dict[str, list]  # rel → [size, mtime_ns, ctime_ns, inode, md5]


def check_output(output: Path) -> None:
    """Refuse a folder that holds no whole built site: missing, half-written by a build that
    was stopped or is running, or empty."""
    if not output.is_dir():
        raise BuildError(Problem("no built site here", output,
                                 hint="run `reflexgen build` first"))
    if journal_of(output).exists():
        raise BuildError(Problem("a build was stopped while writing this folder: it holds "
                                 "part of the old site and part of the new", output,
                                 hint="run `reflexgen build` (it finishes the job), then deploy"))
    staging = Staging(output, full=False).root.name.rsplit("-", 1)[0] + "-"
    for folder in output.parent.glob(staging + "*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and _running(int(pid)):
            raise BuildError(Problem(f"a build (process {pid}) is writing this folder now",
                                     output, hint="wait for it to finish, then deploy"))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def list_output(output: Path, cache_dir: Path, reporter: Reporter) -> list[LocalFile]:
    """The published files of `output` in deploy order (assets, pages, feeds, host files),
    leaving out the server-only configuration files and symbolic links."""
    check_output(output)
    output = output.absolute()
    store = cache_dir / f"digests-{digest(str(output.resolve()))}.json"
    known = _load(store)
    fresh: Stamps = {}
    files: list[LocalFile] = []
    started = time.time_ns()
    found = list(_walk(output, reporter))
    progress = reporter.progress("reading the output", len(found))
    for done, (rel, path, stat) in enumerate(found, 1):
        if progress:
            progress(done)
        entry = known.get(rel)
        # A file copied over another with its size and time (cp -p) has a new inode or ctime.
        stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        if isinstance(entry, list) and entry[:4] == stamp and isinstance(entry[4:] and entry[4],
                                                                          str):
            md5 = entry[4]
        else:
            try:
                with open(path, "rb") as file:
                    md5 = hashlib.file_digest(file, lambda: hashlib.md5(usedforsecurity=False)
                                              ).hexdigest()
            except OSError as exc:
                raise BuildError(Problem(f"cannot read a file to publish: {exc.strerror}", path,
                                         hint="check its permissions, or build again")) from None
        if stat.st_mtime_ns < started - RACY_NS:
            fresh[rel] = [*stamp, md5]
        files.append(LocalFile(rel, path, stat.st_size, md5, kind(rel)))
    if not files:
        raise BuildError(Problem("the output folder is empty: nothing to publish", output,
                                 hint="run `reflexgen build` first"))
    if fresh != known:
        _save(store, fresh)
    files.sort(key=lambda f: deploy_order(f.rel))
    return files


def output_of(files: list[LocalFile]) -> Path:
    """The folder the files were listed from."""
    first = files[0]
    return Path(str(first.path)[: -len(first.rel)])


def _walk(root: Path, reporter: Reporter):
    """(rel, path, stat) of every regular file under `root`."""
    pending = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if not rel.isprintable() or any(0xDC80 <= ord(c) <= 0xDCFF for c in rel):
                    reporter.warn(Problem("not published: a name that is not UTF-8 text",
                                          Path(entry.path), hint="rename it"))
                elif entry.is_symlink():
                    reporter.warn(Problem("not published: a symbolic link", Path(entry.path),
                                          hint="the build writes none: remove it"))
                elif entry.is_dir():
                    pending.append((folder / entry.name, rel + "/"))
                elif entry.is_file() and rel not in SERVER_ONLY:
                    yield rel, folder / entry.name, entry.stat()  # (cheaper than Path(str))


def _load(store: Path) -> Stamps:
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(store: Path, stamps: Stamps) -> None:
    store.parent.mkdir(parents=True, exist_ok=True)
    temporary = store.with_name(store.name + f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(stamps, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, store)
