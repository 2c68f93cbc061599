"""`reflexgen new site|post|page|author`, run as a person runs them: the real command in
its own process (on a pseudo-terminal when it asks questions), then a real build."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from conftest import SITE_TOML, Site, article

ENV = {key: value for key, value in os.environ.items() if key not in ("VISUAL", "EDITOR")}


def reflexgen(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """The real command, without a terminal (stdin from /dev/null, output in pipes)."""
    return subprocess.run([sys.executable, "-m", "reflexgen", *args], cwd=cwd,
                          env={**ENV, **env}, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120)


def front(path: Path) -> tuple[dict, str]:
    _, header, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(header), body


def built(root: Path, *args: str) -> None:
    result = reflexgen("build", *args, cwd=root)
    assert result.returncode == 0, result.stderr


def files_in(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# --- new site ---------------------------------------------------------------------------


def test_new_site_without_a_terminal_takes_the_defaults_and_builds(tmp_path):
    result = reflexgen("new", "site", "monblog", cwd=tmp_path, USER="zoe",
                       TZ="America/Montreal")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "cd monblog\n  reflexgen new post \"Mon premier billet\"\n  reflexgen serve" \
        in result.stderr
    root = tmp_path / "monblog"
    assert tomllib.loads((root / "site.toml").read_text()) == {
        "title": "Mon blog", "base_url": "https://example.org", "language": "fr",
        "timezone": "America/Montreal", "description": "Un blog d’opinion, publié avec reflexgen.",
        "default_author": "zoe"}
    (post,) = (root / "content/posts").glob("*/bienvenue.md")
    assert files_in(root) == sorted([".gitignore", "site.toml", "content/authors/zoe.md",
                                     "content/pages/a-propos.md",
                                     post.relative_to(root).as_posix()])
    ignored = [line for line in (root / ".gitignore").read_text().splitlines()
               if not line.startswith("#")]
    assert ignored == ["output/", ".reflexgen-cache/", "comments.sqlite3", "comments.sqlite3-wal",
                       "comments.sqlite3-shm", "comments.sqlite3-lock"]
    meta, body = front(post)
    assert meta["title"] == "Bienvenue" and meta["author"] == "zoe"
    assert 'reflexgen new post "Le titre de mon billet"' in body and "reflexgen serve" in body

    built(root)
    date = datetime.fromisoformat(meta["date"])
    page = (root / f"output/{date:%Y/%m}/bienvenue/index.html").read_text()
    assert "Bienvenue" in page and "reflexgen new post" in page and 'lang="fr"' in page
    assert "À propos" in (root / "output/a-propos/index.html").read_text()
    assert (root / "output/authors/zoe/index.html").exists()


def test_new_site_with_every_option_in_english(tmp_path):
    result = reflexgen("new", "site", str(tmp_path / "notes"), "--language", "en", "--title",
                       "Field notes", "--url", "https://notes.example/blog/", "--author",
                       "Zoé Durand", "--timezone", "Asia/Tokyo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "notes"
    settings = tomllib.loads((root / "site.toml").read_text())
    assert (settings["title"], settings["base_url"], settings["language"],
            settings["timezone"], settings["default_author"]) == (
        "Field notes", "https://notes.example/blog/", "en", "Asia/Tokyo", "zoe-durand")
    assert front(root / "content/authors/zoe-durand.md")[0] == {"name": "Zoé Durand"}
    (post,) = (root / "content/posts").glob("*/welcome.md")
    assert "The title of my post" in post.read_text()
    assert front(root / "content/pages/about.md")[0] == {"title": "About"}
    built(root)
    assert "Zoé Durand" in (root / "output/authors/zoe-durand/index.html").read_text()
    assert (root / "output/about/index.html").exists()


class Terminal:
    """A command on a pseudo-terminal: what it writes is read, answers are typed."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        self.process = subprocess.Popen(args, cwd=cwd, env=env, stdin=slave, stdout=slave,
                                        stderr=slave, start_new_session=True)
        os.close(slave)
        self.screen = ""

    def expect(self, text: str, timeout: float = 60) -> None:
        """Wait until `text` is on the screen after what was expected before."""
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            ready, _, _ = select.select([self.master], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"{text!r} never came; the screen:\n{self.screen}")
            try:
                data = os.read(self.master, 4096)
            except OSError:  # the command ended
                data = b""
            if not data:
                raise AssertionError(f"{text!r} never came; the screen:\n{self.screen}")
            self.screen += data.decode("utf-8", "replace").replace("\r\n", "\n")
        self.screen = self.screen[self.screen.index(text) + len(text):]

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def close(self) -> int:
        try:
            code = self.process.wait(timeout=60)
        finally:
            os.close(self.master)
        return code


def test_new_site_asks_on_a_terminal_for_what_is_missing(tmp_path):
    terminal = Terminal([sys.executable, "-m", "reflexgen", "new", "site", "carnet",
                         "--language", "fr"], tmp_path, {**ENV, "TZ": "Asia/Tokyo"})
    terminal.expect("Titre du blog / Blog title [Mon blog]: ")  # the language was given
    terminal.type("Le Carnet")
    terminal.expect("Votre nom / Your name [")
    terminal.type("Zoé Durand")
    terminal.expect("[https://example.org]: ")
    terminal.type("carnet.example.org")
    terminal.expect("has no scheme")  # said, then asked again
    terminal.expect("[https://example.org]: ")
    terminal.type("https://carnet.example.org")
    terminal.expect("Fuseau horaire / Timezone [Asia/Tokyo]: ")
    terminal.type("")  # Enter takes the default: this computer's zone
    terminal.expect("reflexgen serve")
    assert terminal.close() == 0
    settings = tomllib.loads((tmp_path / "carnet/site.toml").read_text())
    assert (settings["title"], settings["base_url"], settings["language"],
            settings["timezone"], settings["default_author"]) == (
        "Le Carnet", "https://carnet.example.org", "fr", "Asia/Tokyo", "zoe-durand")
    assert front(tmp_path / "carnet/content/authors/zoe-durand.md")[0]["name"] == "Zoé Durand"


def test_ctrl_d_at_a_question_writes_nothing(tmp_path):
    terminal = Terminal([sys.executable, "-m", "reflexgen", "new", "site", "carnet"],
                        tmp_path, ENV)
    terminal.expect("(fr, en) [fr]: ")
    os.write(terminal.master, b"\x04")
    terminal.expect("nothing was written")
    assert terminal.close() == 130
    assert not (tmp_path / "carnet").exists()


def test_new_site_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "monblog").mkdir()
    (tmp_path / "monblog/notes.txt").write_text("à garder")
    result = reflexgen("new", "site", "monblog", cwd=tmp_path)
    assert result.returncode == 1
    assert "monblog: the folder is not empty" in result.stderr and "--force" in result.stderr
    assert files_in(tmp_path / "monblog") == ["notes.txt"]
    (tmp_path / "un-fichier").write_text("")
    result = reflexgen("new", "site", "un-fichier", cwd=tmp_path)
    assert result.returncode == 1 and "is a file, not a folder" in result.stderr


def test_force_adds_the_missing_files_and_keeps_the_others(tmp_path):
    root = tmp_path / "monblog"
    mine = {"site.toml": SITE_TOML, "content/pages/a-propos.md": "---\ntitle: Moi\n---\nMoi.\n",
            "notes.txt": "à garder"}
    Site(root).write(mine)
    result = reflexgen("new", "site", str(root), "--author", "Claire", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "kept as they were: site.toml, content/pages/a-propos.md" in result.stderr
    for rel, text in mine.items():
        assert (root / rel).read_text() == text
    assert (root / "content/authors/claire.md").exists() and (root / ".gitignore").exists()
    again = reflexgen("new", "site", str(root), "--author", "Claire", "--force", cwd=tmp_path)
    assert again.returncode == 0 and "created in" in again.stderr and ": nothing" in again.stderr


@pytest.mark.parametrize("option, value, message", [
    ("--url", "monblog.example.org", "--url: base_url 'monblog.example.org' has no scheme"),
    ("--url", "ftp://x.org", "must start with https://"),
    ("--timezone", "Mars/Olympus", "--timezone: unknown timezone 'Mars/Olympus'"),
    ("--author", "!!!", "--author: the name '!!!' needs a letter or a digit"),
    ("--language", "de", "invalid choice: 'de'"),
])
def test_wrong_options_are_a_bad_command_line(tmp_path, option, value, message):
    result = reflexgen("new", "site", "monblog", option, value, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "monblog").exists()


# --- new post, page, author -------------------------------------------------------------


CLAIRE = '---\nname: "Claire Dumas"\n---\nElle écrit.\n'
KARIM = '---\nname: "Karim Ouahbi"\n---\nIl écrit.\n'


def new(site: Site, *args: str, **env: str) -> subprocess.CompletedProcess:
    return reflexgen("new", *args, cwd=site.root, **env)


def created(result: subprocess.CompletedProcess, site: Site) -> Path:
    """The file a `new` command made: its path is all it prints on stdout."""
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    path = site.root / result.stdout.strip()
    assert path.is_file()
    return path


def test_new_post_in_a_site_with_one_author(site):
    site.write({"content/authors/claire.md": CLAIRE})
    result = new(site, "post", "Réseaux sociaux : être ou ne pas être ?")
    path = created(result, site)
    year = datetime.now(ZoneInfo("Europe/Paris")).year
    assert result.stdout == f"content/posts/{year}/reseaux-sociaux-etre-ou-ne-pas-etre.md\n"
    meta, body = front(path)
    assert meta["title"] == "Réseaux sociaux : être ou ne pas être ?" and meta["author"] == "claire"
    assert "slug" not in meta and body == ""
    path.write_text(path.read_text() + "Mon avis.\n")
    built(site.root)
    date = datetime.fromisoformat(meta["date"])
    page = site.read(f"{date:%Y/%m}/reseaux-sociaux-etre-ou-ne-pas-etre/index.html")
    assert "Mon avis." in page and "Claire Dumas" in page


def test_several_authors_default_author_and_author_option(site):
    site.write({"content/authors/claire.md": CLAIRE, "content/authors/karim.md": KARIM,
                "site.toml": SITE_TOML + 'default_author = "karim"\n'})
    assert front(created(new(site, "post", "Un"), site))[0]["author"] == "karim"
    assert front(created(new(site, "post", "Deux", "--author", "claire"), site))[0]["author"] \
        == "claire"
    unknown = new(site, "post", "Trois", "--author", "lea")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert "no author 'lea'" in unknown.stderr and "known authors: claire, karim" \
        in unknown.stderr


def test_several_authors_and_no_default_is_an_error_listing_them(site):
    site.write({"content/authors/claire.md": CLAIRE, "content/authors/karim.md": KARIM})
    result = new(site, "post", "Un billet")
    assert result.returncode == 1 and result.stdout == ""
    assert "2 authors and no default_author" in result.stderr
    assert "known authors: claire, karim" in result.stderr and "--author" in result.stderr
    assert not (site.root / "content/posts").exists()


def test_a_default_author_without_a_file_names_the_line_of_site_toml(site):
    site.write({"content/authors/claire.md": CLAIRE,
                "site.toml": SITE_TOML + 'default_author = "clair"\n'})
    result = new(site, "post", "Un billet")
    assert result.returncode == 1
    assert "site.toml:5: default_author 'clair' has no file in content/authors/" in result.stderr
    assert "known authors: claire" in result.stderr


def test_a_site_without_authors_gets_a_post_without_author(site):
    result = new(site, "post", "Anonyme")
    assert "author" not in front(created(result, site))[0]
    assert "no author" in result.stderr and "reflexgen new author" in result.stderr


def test_a_taken_slug_gives_the_next_free_name(site):
    year = datetime.now(ZoneInfo("Europe/Paris")).year
    site.write({
        "content/authors/claire.md": CLAIRE,
        # The same slug by its file name (the date prefix is not part of it), by its front
        # matter, and by a file already at the very path.
        "content/posts/2019/2019-05-01-meme-titre.md": article("Vieux", "2019-05-01"),
        "content/posts/2020/autre.md": article("Autre", "2020-01-01", slug="deja-pris"),
        f"content/posts/{year}/troisieme.md": article("T", "2021-01-01"),
    })
    first = new(site, "post", "Même titre")
    assert first.stdout == f"content/posts/{year}/meme-titre-2.md\n"
    assert "'meme-titre' is taken by content/posts/2019/2019-05-01-meme-titre.md: named this " \
           "one meme-titre-2" in first.stderr
    assert new(site, "post", "Même titre").stdout == f"content/posts/{year}/meme-titre-3.md\n"
    assert new(site, "post", "Déjà pris !").stdout == f"content/posts/{year}/deja-pris-2.md\n"
    assert new(site, "post", "Troisième").stdout == f"content/posts/{year}/troisieme-2.md\n"
    assert front(site.root / f"content/posts/{year}/meme-titre-3.md")[0]["title"] == "Même titre"
    built(site.root)  # no two articles at one address
    month = f"{datetime.now(ZoneInfo('Europe/Paris')):%m}"
    for slug in ("meme-titre-2", "meme-titre-3", "deja-pris-2", "troisieme-2"):
        assert site.exists(f"{year}/{month}/{slug}/index.html")


def test_tags_category_and_draft(site):
    site.write({"content/authors/claire.md": CLAIRE})
    path = created(new(site, "post", "Brouillon", "--tag", "médias sociaux", "--tag", "SEO",
                       "--tag", "médias sociaux", "--category", "Marketing", "--draft"), site)
    meta, _ = front(path)
    assert meta["tags"] == ["médias sociaux", "SEO"] and meta["category"] == "Marketing"
    assert meta["draft"] is True
    built(site.root)
    assert not site.exists("tags/medias-sociaux/index.html")
    built(site.root, "--drafts")
    assert "Brouillon" in site.read("tags/medias-sociaux/index.html")
    assert "Brouillon" in site.read("categories/marketing/index.html")


def test_the_date_is_now_in_the_site_timezone(site):
    site.write({"site.toml": SITE_TOML.replace("Europe/Paris", "Pacific/Kiritimati")})
    # The computer is far away (UTC-8 or -7): the site's day is often another one.
    path = created(new(site, "post", "Ici", TZ="America/Los_Angeles"), site)
    meta, _ = front(path)
    kiritimati = ZoneInfo("Pacific/Kiritimati")
    written = datetime.strptime(meta["date"], "%Y-%m-%d %H:%M").replace(tzinfo=kiritimati)
    now = datetime.now(kiritimati)
    assert timedelta(0) <= now - written < timedelta(minutes=2)
    assert path.parent.name == str(written.year)
    built(site.root)  # dated now, so not left out as a future article
    assert site.exists(f"{written:%Y/%m}/ici/index.html")


EDITOR = """\
printf '%s\\n' "$@" > "$(dirname "$0")/args.txt"
printf 'Texte écrit dans l’éditeur.\\n' >> "$2"
"""


def test_edit_opens_visual_or_editor_on_the_new_file(site, tmp_path):
    script = tmp_path / "mon editeur.sh"
    script.write_text(EDITOR)
    result = new(site, "post", "Édité", "--edit", VISUAL=f"sh '{script}' --wait",
                 EDITOR="false")
    path = created(result, site)
    assert "Texte écrit dans l’éditeur." in path.read_text()
    assert (tmp_path / "args.txt").read_text().splitlines() == ["--wait", result.stdout.strip()]
    page = created(new(site, "page", "Contact", "--edit", EDITOR=f"sh '{script}' -n"), site)
    assert page.read_text().endswith("Texte écrit dans l’éditeur.\n")
    built(site.root)
    assert "Texte écrit dans l’éditeur." in site.read("contact/index.html")


def test_edit_without_an_editor_says_so_and_an_editor_that_fails_is_an_error(site):
    quiet = created(new(site, "post", "Sans éditeur", "--edit"), site)
    result = new(site, "post", "Sans éditeur bis", "--edit")
    assert result.returncode == 0 and "neither $VISUAL nor $EDITOR is set" in result.stderr
    failing = new(site, "post", "Éditeur en échec", "--edit", EDITOR="false")
    assert failing.returncode == 1 and "the editor 'false' stopped with exit code 1" \
        in failing.stderr
    assert (site.root / failing.stdout.strip()).is_file() and quiet.is_file()


def test_new_page_and_new_author(site):
    page = created(new(site, "page", "Mentions légales"), site)
    assert page == site.root / "content/pages/mentions-legales.md"
    assert front(page)[0] == {"title": "Mentions légales"}
    again = created(new(site, "page", "Mentions légales", "--draft"), site)
    assert again.name == "mentions-legales-2.md" and front(again)[0]["draft"] is True
    archives = new(site, "page", "Archives")  # /archives/ is reflexgen's own listing
    assert Path(archives.stdout.strip()).name == "archives-2.md"
    assert "'archives' is taken by reflexgen's own pages" in archives.stderr

    author = created(new(site, "author", "lea", "--name", "Léa Rousseau"), site)
    assert author == site.root / "content/authors/lea.md"
    assert front(author)[0] == {"name": "Léa Rousseau"}
    taken = new(site, "author", "lea", "--name", "Léa Autre")
    assert taken.returncode == 1 and "author 'lea' exists already" in taken.stderr
    assert front(author)[0] == {"name": "Léa Rousseau"}
    bad = new(site, "author", "Léa R", "--name", "Léa")
    assert bad.returncode == 1 and "must be a slug" in bad.stderr and "lea-r" in bad.stderr
    assert new(site, "author", "lea2").returncode == 2  # --name is required

    post = created(new(site, "post", "Par Léa"), site)  # the only author
    assert front(post)[0]["author"] == "lea"
    built(site.root)
    assert "Léa Rousseau" in site.read("authors/lea/index.html")
    assert site.exists("mentions-legales/index.html")
    assert not site.exists("mentions-legales-2/index.html")  # a draft


def test_new_post_outside_a_site_and_quiet_output(tmp_path, site):
    result = reflexgen("new", "post", "Perdu", cwd=tmp_path)
    assert result.returncode == 1 and "no site.toml here" in result.stderr
    result = reflexgen("-q", "new", "post", "Tranquille", "--site", str(site.root),
                       cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""  # not even the missing author
    assert re.fullmatch(rf"{re.escape(str(site.root))}/content/posts/\d{{4}}/tranquille\.md\n",
                        result.stdout)
    empty = reflexgen("new", "post", "?!", "--site", str(site.root), cwd=tmp_path)
    assert empty.returncode == 1 and "no letter or digit" in empty.stderr
