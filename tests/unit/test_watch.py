import threading
import time
from pathlib import Path

import pytest

from reflexgen.serve.watch import Debouncer, relevant

ROOT = Path("/site")


@pytest.mark.parametrize(("path", "expected"), [
    ("/site/site.toml", True),
    ("/site/content/posts/a.md", True),
    ("/site/content/posts/a.comments.yaml", True),
    ("/site/content/posts/a.markdown", True),
    ("/site/content/posts/a.MD", True),
    ("/site/content/posts/a.comments.yml", True),
    ("/site/content/images/photo.jpg", True),
    ("/site/themes/default/templates/article.html", True),
    ("/site/themes/default/static/style.css", True),
    ("/site/themes", True),  # created whole: its files' own events may come too early
    ("/site/content", True),
    ("/site/output", False),
    ("/site/content/posts/.a.md.swp", False),        # vim swap
    ("/site/content/posts/a.md~", False),            # backup
    ("/site/content/posts/4913", False),             # vim's write test
    ("/site/content/posts/.#a.md", False),           # emacs lock
    ("/site/content/posts/#a.md#", False),           # emacs autosave
    ("/site/content/posts/a.md___jb_tmp___", False),  # JetBrains safe write
    ("/site/content/posts/a.md___jb_old___", False),
    ("/site/content/.git/index", False),
    ("/site/output/index.html", False),
    ("/site/.reflexgen-cache/serve/site/index.html", False),
    ("/site/README.md", False),
    ("/elsewhere/content/a.md", False),
])
def test_relevant(path, expected):
    assert relevant(path, ROOT) is expected


def test_a_burst_of_events_gives_one_action():
    calls: list[set[str]] = []
    debouncer = Debouncer(calls.append, quiet=0.05)
    debouncer.start()
    try:
        for i in range(50):
            debouncer.poke({f"/site/content/posts/{i % 3}.md"})
            time.sleep(0.002)
        time.sleep(0.3)
    finally:
        debouncer.stop()
    assert calls == [{f"/site/content/posts/{i}.md" for i in range(3)}]


def test_events_during_an_action_give_exactly_one_more():
    calls: list[set[str]] = []
    started, release = threading.Event(), threading.Event()

    def action(paths: set[str]) -> None:
        calls.append(paths)
        if len(calls) == 1:
            started.set()
            release.wait(5)

    debouncer = Debouncer(action, quiet=0.02)
    debouncer.start()
    try:
        debouncer.poke({"a"})
        assert started.wait(5)
        for name in ("b", "c", "d"):
            debouncer.poke({name})
        release.set()
        time.sleep(0.3)
    finally:
        debouncer.stop()
    assert calls == [{"a"}, {"b", "c", "d"}]
