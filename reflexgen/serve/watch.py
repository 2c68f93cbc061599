"""Watch a site's sources and turn bursts of file events into single rebuilds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from reflexgen.content.discover import is_ignored

WATCHED = ("content", "themes")
# Files editors write beside the real one while saving: vim's write test, JetBrains' safe write.
EDITOR_FILES = ("4913",)
EDITOR_MARKERS = ("___jb_tmp___", "___jb_old___")


def relevant(path: str, root: Path) -> bool:
    """Whether a change at `path` can change the site: site.toml, or a file under content/ or
    themes/ that the build reads, never an editor's swap, backup, lock or temporary file."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return False
    if parts == ("site.toml",) or (len(parts) == 1 and parts[0] in WATCHED):
        return True  # a source folder that appears (or goes) whole: its files may not be seen
    if len(parts) < 2 or parts[0] not in WATCHED:
        return False
    name = parts[-1]
    return not (is_ignored(name) or name in EDITOR_FILES
                or any(marker in name for marker in EDITOR_MARKERS)
                or any(part.startswith(".") for part in parts[1:-1]))


class Debouncer:
    """Runs `action(paths)` once events have been quiet for `quiet` seconds. Events that come
    while it runs are gathered for exactly one more run."""

    def __init__(self, action: Callable[[set[str]], None], quiet: float = 0.01) -> None:
        self.action = action
        self.quiet = quiet
        self._changed: set[str] = set()
        self._last = 0.0
        self._stopped = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="reflexgen-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self, paths: set[str]) -> None:
        with self._condition:
            self._changed |= paths
            self._last = time.monotonic()
            self._condition.notify()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._changed and not self._stopped:
                    self._condition.wait()
                while not self._stopped:
                    remaining = self._last + self.quiet - time.monotonic()
                    if remaining <= 0:
                        break
                    self._condition.wait(remaining)
                if self._stopped:
                    return
                changed, self._changed = self._changed, set()
            self.action(changed)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or \
                (event.is_directory and event.event_type == "modified"):
            return  # reads, and folders whose files changed (their own events follow)
        paths = {str(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p}
        found = {p for p in paths if relevant(p, self.watcher.root)}
        if event.is_directory and event.event_type == "created":
            self.watcher.follow(Path(str(event.src_path)))
        if found:
            self.watcher.on_change(found)


class Watcher:
    """Watches content/, themes/ and site.toml under `root` (inotify, or polling with `poll`)."""

    def __init__(self, root: Path, on_change: Callable[[set[str]], None],
                 poll: bool = False) -> None:
        self.root = root
        self.on_change = on_change
        self.observer: BaseObserver = PollingObserver(timeout=0.25) if poll else Observer()
        self._handler = _Handler(self)
        self._followed: set[str] = set()
        self.observer.schedule(self._handler, str(root), recursive=False)  # site.toml, new folders
        for name in WATCHED:
            self.follow(root / name)

    def follow(self, folder: Path) -> None:
        """Watch a top-level source folder, also when it appears after the server started."""
        if folder.parent == self.root and folder.name in WATCHED and folder.is_dir() \
                and str(folder) not in self._followed:
            self._followed.add(str(folder))
            self.observer.schedule(self._handler, str(folder), recursive=True)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join()
