"""Command line: `reflexgen build`, `serve`, `check`, `deploy`, `import` and `new`, with
conventional flags and exit codes.

Exit codes: 0 success (and `serve` stopped with Ctrl-C), 1 the site has errors (or `serve`
cannot listen, or a deploy failed), 2 bad command line, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from reflexgen import __version__
from reflexgen.build import BuildOptions, build, verify
from reflexgen.config.comments import INTAKE_HOST, INTAKE_PORT
from reflexgen.errors import BuildError, Problem, Reporter, counted


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    volume = common.add_mutually_exclusive_group()
    # SUPPRESS: a flag given before the command is not reset by the command's parser.
    volume.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="say more about what happens")
    volume.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="print errors only")

    main = argparse.ArgumentParser(
        prog="reflexgen", parents=[common],
        description="A static site generator for opinion blogs: articles, authors, comments.")
    main.add_argument("--version", action="version", version=f"reflexgen {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    on_site = argparse.ArgumentParser(add_help=False)
    on_site.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                         help="the site folder, holding site.toml and content/ (default: .)")

    build_cmd = commands.add_parser(
        "build", parents=[common, on_site], help="build the site into output/",
        description="Build the site in the current folder (or --site) into output/.")
    build_cmd.add_argument("-o", "--output", type=Path, metavar="DIR",
                           help="where to write the site (default: SITE/output)")
    build_cmd.add_argument("--drafts", action="store_true", help="include draft articles")
    build_cmd.add_argument("--future", action="store_true",
                           help="include articles dated in the future")
    build_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build_cmd.add_argument("-j", "--jobs", type=positive, default=0, metavar="N",
                           help="worker processes (default: one per core)")
    build_cmd.add_argument("--clean", action="store_true",
                           help="ignore the cache in .reflexgen-cache/ and rebuild everything")
    build_cmd.add_argument("--verify", action="store_true",
                           help="after building, rebuild everything from scratch elsewhere and "
                                "check that both outputs are byte for byte identical")
    build_cmd.add_argument("--profile", action="store_true",
                           help="print where the time went")

    serve_cmd = commands.add_parser(
        "serve", parents=[common, on_site],
        help="preview the site, rebuilt and reloaded as you save",
        description="Build the site, serve it on this computer, and rebuild and reload the "
                    "browser whenever a file under content/ or themes/, or site.toml, changes.")
    serve_cmd.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1, this computer only)")
    serve_cmd.add_argument("--port", type=port_number, default=8000,
                           help="port to listen on (default: 8000; 0 picks a free one)")
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a browser")
    serve_cmd.add_argument("--no-drafts", action="store_true",
                           help="hide drafts and future articles, as the published site does")
    serve_cmd.add_argument("--no-search", action="store_true",
                           help="no search index (on a large blog it takes a while after "
                                "each edit), search page or box")
    serve_cmd.add_argument("--poll", action="store_true",
                           help="look for changes by polling (network or container folders)")
    serve_cmd.add_argument("-j", "--jobs", type=positive, default=0, metavar="N",
                           help="worker processes for the first build (default: one per core)")
    check_cmd = commands.add_parser(
        "check", parents=[common, on_site],
        help="find broken links and other problems in the built site",
        description="Check the built site without the network: links and anchors inside the "
                    "site, images and assets, duplicate ids, pages without a title or a "
                    "description, feeds that are not well-formed. Exit code 1 if any is found.")
    check_cmd.add_argument("-o", "--output", type=Path, metavar="DIR",
                           help="the built site to check (default: SITE/output)")
    check_cmd.add_argument("--external", action="store_true",
                           help="also try every link to another site (needs the network)")
    check_cmd.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                           help="per external link (default: 10)")

    import_cmd = commands.add_parser(
        "import", parents=[common], help="bring in content from another blog engine",
        description="Bring in content from another blog engine.")
    sources = import_cmd.add_subparsers(dest="source", metavar="SOURCE")
    wordpress = sources.add_parser(
        "wordpress", parents=[common, on_site], help="a WordPress export (WXR file)",
        description="Write the posts, pages, authors and comments of a WordPress export "
                    "(Tools → Export → All content) into the site's content/, keeping the "
                    "old URLs working through redirects. Prints a report and writes it to "
                    "import-report.md. A folder without site.toml gets one made from the "
                    "export's title, address and language.")
    wordpress.add_argument("export", type=Path, metavar="EXPORT.xml", help="the WXR file")
    wordpress.add_argument("--uploads", type=Path, metavar="DIR",
                           help="a copy of the old site's wp-content/uploads: media the posts "
                                "use are copied into content/")
    wordpress.add_argument("--pingbacks", action="store_true",
                           help="keep pingbacks and trackbacks as comments")
    wordpress.add_argument("--dry-run", action="store_true",
                           help="show what would be imported, write nothing")
    wordpress.add_argument("--force", action="store_true",
                           help="replace files edited since the last import")
    deploy_cmd = commands.add_parser(
        "deploy", parents=[common, on_site], help="publish the built site",
        description="Send the built site to a target named in site.toml ([deploy.NAME]: "
                    "an rsync destination, an S3 bucket or a git branch): only the files that "
                    "changed, assets before pages before feeds, stale files deleted last. "
                    "Exit code 1 if it fails.")
    deploy_cmd.add_argument("target", nargs="?", metavar="TARGET",
                            help="the [deploy.TARGET] table (default: the first one)")
    deploy_cmd.add_argument("-o", "--output", type=Path, metavar="DIR",
                            help="the built site to send (default: SITE/output)")
    deploy_cmd.add_argument("--dry-run", action="store_true",
                            help="list what would be sent and deleted, change nothing")
    deploy_cmd.add_argument("--force", action="store_true",
                            help="send every file (git: replace the branch, force push)")
    deploy_cmd.add_argument("--no-delete", action="store_true",
                            help="keep the files the site no longer has on the target")
    add_new(commands, common, on_site)
    add_ci(commands, common, on_site)
    add_comments(commands, common, on_site)
    mention_cmd = commands.add_parser(
        "webmention", parents=[common], help="tell the pages your articles link to",
        description="Webmention: notify the pages that published articles link to (each "
                    "link once; run it after building and deploying).")
    mention_actions = mention_cmd.add_subparsers(dest="action", metavar="ACTION")
    send_cmd = mention_actions.add_parser(
        "send", parents=[common, on_site], help="notify the pages linked to",
        description="Find the external links of every published article, discover each "
                    "page's Webmention endpoint and notify it; what was sent is remembered "
                    "in the comment database, and not sent again.")
    send_cmd.add_argument("--dry-run", action="store_true",
                          help="discover and list, send nothing")
    send_cmd.add_argument("--json", action="store_true", help="machine-readable records")
    return main


def add_new(commands, common: argparse.ArgumentParser, on_site: argparse.ArgumentParser
            ) -> None:
    """`reflexgen new site|post|page|author`."""
    new_cmd = commands.add_parser(
        "new", parents=[common], help="start a blog, or add an article, a page or an author",
        description="Make the files of a new site, article, page or author, ready to edit. "
                    "An existing file is never replaced.")
    kinds = new_cmd.add_subparsers(dest="kind", metavar="WHAT")
    site = kinds.add_parser(
        "site", parents=[common], help="a blog that builds at once, in a new folder",
        description="Create a site in DIR: site.toml, a first article saying how to write "
                    "the next, an author, an about page and a .gitignore. On a terminal, asks "
                    "for the settings not given (Enter takes the default).")
    site.add_argument("folder", type=Path, metavar="DIR", help="the new site's folder")
    site.add_argument("--title", help='the blog\'s name (default: "Mon blog" / "My blog")')
    site.add_argument("--url", dest="base_url", metavar="URL",
                      help="its public address (default: https://example.org)")
    site.add_argument("--language", choices=("fr", "en"), help="fr or en (default: fr)")
    site.add_argument("--author", metavar="NAME", help="your name (default: your login)")
    site.add_argument("--timezone", metavar="ZONE",
                      help="an IANA name such as Europe/Paris (default: this computer's)")
    site.add_argument("--force", action="store_true",
                      help="add the starter files to a folder that is not empty, keeping every "
                           "file already there")
    site.add_argument("--ci", choices=("github", "gitlab", "forgejo"),
                      help="also write a CI workflow that builds and checks the site (see "
                           "`reflexgen ci`)")
    editing = argparse.ArgumentParser(add_help=False)
    editing.add_argument("--draft", action="store_true", help="mark it as a draft")
    editing.add_argument("--edit", action="store_true",
                         help="then open it in $VISUAL or $EDITOR")
    post = kinds.add_parser(
        "post", parents=[common, on_site, editing], help="a new article, dated now",
        description="Create content/posts/<year>/<slug>.md, dated now in the site's timezone, "
                    "and print its path.")
    post.add_argument("title", metavar="TITLE")
    post.add_argument("--author", metavar="ID", help="its author's id (default: site.toml's "
                      "default_author, or the site's only author)")
    post.add_argument("--tag", action="append", default=[], metavar="TAG",
                      help="a tag (repeat for more)")
    post.add_argument("--category", metavar="NAME", help="its category")
    page = kinds.add_parser(
        "page", parents=[common, on_site, editing], help="a new page (About, Contact…)",
        description="Create content/pages/<slug>.md and print its path.")
    page.add_argument("title", metavar="TITLE")
    author = kinds.add_parser(
        "author", parents=[common, on_site], help="a new author",
        description="Create content/authors/<id>.md and print its path.")
    author.add_argument("id", metavar="ID", help="the author's id, a slug such as claire-dumas")
    author.add_argument("--name", required=True, help="the name shown on the site")


def add_ci(commands, common: argparse.ArgumentParser, on_site: argparse.ArgumentParser
           ) -> None:
    """`reflexgen ci github|gitlab|forgejo`."""
    ci_cmd = commands.add_parser(
        "ci", parents=[common, on_site], help="write a CI workflow that builds and deploys",
        description="Write a workflow for GitHub Actions, GitLab CI or Forgejo Actions that "
                    "builds the site with --strict on every push and every hour, keeps "
                    ".reflexgen-cache/ between runs (incremental builds), runs `reflexgen check` "
                    "and deploys to a [deploy.NAME] target of site.toml. Prints the secrets "
                    "to add in the platform's settings.")
    ci_cmd.add_argument("platform", choices=("github", "gitlab", "forgejo"))
    ci_cmd.add_argument("--target", metavar="NAME",
                        help="the deploy target (default: the first [deploy.NAME] of site.toml; "
                             "none: build and check only)")
    ci_cmd.add_argument("--branch", default="main",
                        help="the branch that is published (default: main)")
    ci_cmd.add_argument("--install", default="", metavar="SPEC",
                        help="what the workflow installs with pip (default: this version of "
                             "reflexgen; e.g. \"git+https://…/reflexgen.git@v0.2.0\")")
    ci_cmd.add_argument("--force", action="store_true", help="replace an existing workflow file")


def add_comments(commands, common: argparse.ArgumentParser,
                 on_site: argparse.ArgumentParser) -> None:
    """`reflexgen comments list|show|approve|spam|delete|edit|publish|purge|export|erase|
    set-password|migrate|serve`."""
    comments_cmd = commands.add_parser(
        "comments", parents=[common], help="readers' comments: moderate, publish, serve",
        description="Moderate the comments readers sent through the intake server, publish "
                    "the approved ones into their articles' comment files, or run the intake.")
    actions = comments_cmd.add_subparsers(dest="action", metavar="ACTION")
    shown = argparse.ArgumentParser(add_help=False)
    shown.add_argument("--json", action="store_true", help="machine-readable records")
    shown.add_argument("--with-email", action="store_true",
                       help="include e-mail addresses (personal data)")
    parents = [common, on_site]
    listing = actions.add_parser("list", parents=[*parents, shown], help="comments received",
                                 description="List comments, newest first.")
    listing.add_argument("--status", choices=("pending", "approved", "spam", "all"),
                         default="pending", help="which ones (default: pending)")
    listing.add_argument("--article", metavar="PATH",
                         help="only this article's (its source, e.g. posts/2024/x.md)")
    actions.add_parser("show", parents=[*parents, shown], help="one comment in full",
                       description="Show one comment in full.").add_argument("id", metavar="ID")
    approve = actions.add_parser(
        "approve", parents=parents, help="approve comments and publish them",
        description="Approve comments, then publish them: written into their articles' "
                    "comment files, the site built and deployed.")
    approve.add_argument("ids", nargs="+", metavar="ID")
    approve.add_argument("--no-publish", action="store_true",
                         help="approve only; `reflexgen comments publish` writes them later")
    for name, text in (("spam", "mark comments as spam (purged after 30 days)"),
                       ("delete", "delete comments from the database for good")):
        actions.add_parser(name, parents=parents, help=text,
                           description=text[0].upper() + text[1:] + ".").add_argument(
            "ids", nargs="+", metavar="ID")
    actions.add_parser("edit", parents=parents, help="edit a comment's text in $EDITOR",
                       description="Open a comment's text in $VISUAL or $EDITOR; an empty or "
                                   "unchanged text changes nothing.").add_argument(
        "id", metavar="ID")
    actions.add_parser("publish", parents=parents, help="write approved comments, then build",
                       description="Write the approved comments into their articles' comment "
                                   "files, build the site and run [comments] deploy_command; "
                                   "a build or deploy that failed before is tried again.")
    actions.add_parser("purge", parents=parents, help="remove old spam and expired data",
                       description="Remove spam older than 30 days and expired rate-limit "
                                   "and form-token data.")
    for name, text in (("export", "everything kept about an e-mail address, as JSON"),
                       ("erase", "erase everything about an e-mail address (GDPR)")):
        person = actions.add_parser(name, parents=parents, help=text,
                                    description=text[0].upper() + text[1:] + ".")
        person.add_argument("--email", required=True, metavar="ADDRESS")
        if name == "erase":
            person.add_argument("--yes", action="store_true",
                                help="do not ask first (needed when not on a terminal)")
    password = actions.add_parser(
        "set-password", parents=parents, help="set the moderation page's password",
        description="Set the password of the moderation page (/admin/ on the intake), read "
                    "from the terminal, or from the first line of standard input when it is "
                    "not a terminal. Every open session ends.")
    codes = password.add_mutually_exclusive_group()
    codes.add_argument("--totp", action="store_true",
                       help="also ask for a code from an authenticator app (a new secret is "
                            "printed, to scan or type into the app)")
    codes.add_argument("--no-totp", action="store_true", help="stop asking for a code")
    migrate = actions.add_parser(
        "migrate", parents=parents, help="copy the comments into a PostgreSQL database",
        description="Copy every comment, session, message and setting of the site's SQLite "
                    "comment database into an empty PostgreSQL database, ids kept; then set "
                    "[comments] database to its address.")
    migrate.add_argument("--to", required=True, metavar="ADDRESS",
                         help="the empty database: postgresql://user@host/name (its password "
                              "from PGPASSWORD or ~/.pgpass)")
    serve_cmd = actions.add_parser(
        "serve", parents=parents, help="run the comment intake server",
        description="Receive comments from the site's forms (put it behind nginx or Caddy).")
    serve_cmd.add_argument("--host", default=INTAKE_HOST, help=f"default: {INTAKE_HOST}")
    serve_cmd.add_argument("--port", type=port_number, default=INTAKE_PORT,
                           help=f"default: {INTAKE_PORT}")
    serve_cmd.add_argument("--workers", type=positive, default=1, metavar="N",
                           help="processes answering on the port (default: 1; up to the "
                                "number of cores, `nproc`)")


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def port_number(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return value


def run() -> NoReturn:
    """The `reflexgen` program. After a build it leaves at once, as mypy does, rather than
    tearing down object by object the heap the build made (a third of a second at 10,000
    articles, seconds at 100,000): every file is written and closed by then."""
    sys.exit(main(leave=True))


def main(argv: list[str] | None = None, leave: bool = False) -> int:
    """Run the command `argv` asks for; its exit status. `leave`: exit the process right
    after a build, without the interpreter's teardown."""
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 2
    verbose, quiet = getattr(args, "verbose", False), getattr(args, "quiet", False)
    reporter = Reporter(verbosity=1 if verbose else -1 if quiet else 0)
    if args.command == "serve":
        return serve(args, reporter)
    if args.command == "import":
        return import_content(args, reporter)
    if args.command == "check":
        return check(args, reporter)
    if args.command == "new":
        return new(args, reporter)
    if args.command == "comments":
        return comments(args, reporter)
    if args.command == "ci":
        return ci(args, reporter)
    if args.command == "webmention":
        return webmention(args, reporter)
    if args.command == "deploy":
        return deploy(args, reporter)
    try:
        options = BuildOptions(site_dir=args.site, output_dir=args.output, drafts=args.drafts,
                               future=args.future, strict=args.strict, clean=args.clean,
                               jobs=args.jobs)
        result = build(options, reporter)
        if args.verify:
            differences = verify(options, reporter)
            for difference in differences:
                reporter.error(difference)
            if differences:
                reporter.info(f"verify: {counted(len(differences), 'difference')} between the "
                              "incremental and the full build")
                return 1
            reporter.info("verify: the output is identical to a full rebuild")
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        reporter.info(f"build failed: {counted(len(exc.problems), 'error')}; output left "
                      "unchanged")
        return 1
    except KeyboardInterrupt:
        return 130
    if args.profile:
        for phase, seconds in result.timings.items():
            reporter.info(f"  {phase:<10} {seconds:7.3f} s")
        for kind, seconds in result.work.items():
            reporter.info(f"  {kind + 's':<10} {seconds:7.3f} s of work, summed over workers")
    if result.up_to_date:
        reporter.info(f"{options.output} is up to date ({counted(result.files, 'file')}, "
                      f"checked in {result.seconds:.2f} s)")
    else:
        reporter.info(f"built {counted(result.pages, 'page')} and "
                      f"{counted(result.feeds, 'feed')}: {len(result.rendered)} rendered, "
                      f"{counted(len(result.written), 'file')} written, "
                      f"{len(result.removed)} removed, in {result.seconds:.2f} s → "
                      f"{options.output}")
    if leave:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0



def deploy(args: argparse.Namespace, reporter: Reporter) -> int:
    from reflexgen.build import CACHE_DIR
    from reflexgen.config import load_config
    from reflexgen.deploy.base import DeployOptions
    from reflexgen.deploy.listing import list_output
    from reflexgen.deploy.targets import choose, open_target

    options = DeployOptions(dry_run=args.dry_run, force=args.force, delete=not args.no_delete)
    try:
        config, warnings = load_config(args.site)
        for warning in warnings:
            reporter.warn(warning)
        target = choose(config, args.target)
        output = args.output if args.output is not None else config.root / "output"
        files = list_output(output, config.root / CACHE_DIR / "deploy", reporter)
        summary = open_target(target, config).deploy(files, options, reporter)
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    except KeyboardInterrupt:
        reporter.info("deploy interrupted: run it again to finish the job")
        return 130
    listed = [f"send    {size_text(c.size):>9}  {c.rel}" for c in summary.sent] + \
        [f"delete  {'':>9}  {c.rel}" for c in summary.deleted]
    for line in listed:
        if args.dry_run:
            print(line, flush=True)  # the list asked for, on standard output
        else:
            reporter.debug(line)
    counts = (f"{counted(len(summary.sent), 'file')} ({size_text(summary.bytes)}), "
              f"{len(summary.deleted)} deleted, {summary.unchanged} unchanged, "
              f"in {summary.seconds:.2f} s")
    if summary.dry_run:
        reporter.info(f"dry run, nothing changed: {target.name} would get {counts}")
    elif not summary.sent and not summary.deleted:
        reporter.info(f"{target.name} is up to date: nothing to deploy "
                      f"({counted(summary.unchanged, 'file')} checked in "
                      f"{summary.seconds:.2f} s)")
    else:
        reporter.info(f"deployed to {target.name}: {counts}")
    return 0


def size_text(size: int) -> str:
    """A byte count as people read it: 512 B, 12.3 kB, 4.5 MB."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def webmention(args: argparse.Namespace, reporter: Reporter) -> int:
    import json
    from dataclasses import asdict
    from datetime import UTC, datetime

    from reflexgen.build import CACHE_DIR, read_site
    from reflexgen.comments.mentions import LOOPBACK
    from reflexgen.comments.store import open_store
    from reflexgen.comments.webmention import send_all
    from reflexgen.incremental.cache import Cache

    if args.action is None:
        parser().parse_args(["webmention", "--help"])
    try:
        config, blueprint = read_site(BuildOptions(site_dir=args.site, now=datetime.now(UTC)),
                                      Cache(args.site.absolute() / CACHE_DIR))
        store = open_store(config.comments.database, config.root)
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    try:
        sent, failed = send_all(blueprint.site, store, os.environ.get(LOOPBACK) == "1",
                                args.dry_run)
    finally:
        store.close()
    if args.json:
        print(json.dumps([asdict(s) for s in sent], ensure_ascii=False, indent=2), flush=True)
    else:
        for item in sent:
            told = f"→ {item.endpoint}" if item.endpoint else "(no endpoint)"
            print(f"{item.source} → {item.target} {told}", flush=True)
    for source, target, why in failed:
        reporter.error(Problem(f"{target}: not notified of {source}: {why}",
                               hint="tried again at the next `reflexgen webmention send`"))
    verb = "would notify" if args.dry_run else "notified"
    reporter.info(f"{verb} {counted(sum(1 for s in sent if s.endpoint), 'page')}; "
                  f"{counted(sum(1 for s in sent if not s.endpoint), 'link')} without endpoint")
    return 1 if failed else 0


def check(args: argparse.Namespace, reporter: Reporter) -> int:
    from reflexgen.check.links import check_site
    from reflexgen.check.sources import Sources
    from reflexgen.config import load_config

    try:
        config, _ = load_config(args.site)
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    output = args.output if args.output is not None else config.root / "output"
    if not output.is_dir():
        reporter.error(Problem("no built site here", output, hint="run reflexgen build first"))
        return 1
    endpoint = config.comments.endpoint
    report = check_site(output, config.base_url, external=args.external, timeout=args.timeout,
                        sources=Sources(config), served=(endpoint,) if endpoint else ())
    for problem in report.problems:
        reporter.error(problem)
    checked = f"checked {counted(report.pages, 'page')} and {counted(report.links, 'link')}"
    if args.external:
        checked += f" ({report.external} to other sites)"
    reporter.info(f"{checked}: {counted(len(report.problems), 'problem')}")
    return 1 if report.problems else 0


def import_content(args: argparse.Namespace, reporter: Reporter) -> int:
    from reflexgen.importers.wordpress.importer import ImportOptions, import_wordpress

    if args.source is None:
        parser().parse_args(["import", "--help"])
    options = ImportOptions(export=args.export, site_dir=args.site, uploads=args.uploads,
                            pingbacks=args.pingbacks, dry_run=args.dry_run, force=args.force)
    try:
        report = import_wordpress(options, reporter)
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        reporter.info("import failed: nothing was written")
        return 1
    except OSError as exc:  # the site's disk, not the export: full, read-only…
        reporter.error(Problem(f"cannot write the imported files: {exc.strerror or exc}",
                               exc.filename or options.site_dir))
        return 1
    except KeyboardInterrupt:
        reporter.info("import interrupted: nothing was written")
        return 130
    reporter.info(report.markdown(options))
    if options.dry_run:
        reporter.info("dry run: nothing was written")
    else:
        reporter.info(f"report written to {options.site_dir / 'import-report.md'}; "
                      "next: reflexgen build")
    return 0


def new(args: argparse.Namespace, reporter: Reporter) -> int:
    if args.kind is None:
        parser().parse_args(["new", "--help"])
    try:
        return new_site(args, reporter) if args.kind == "site" else new_entry(args, reporter)
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    except OSError as exc:
        reporter.error(Problem(f"cannot write: {exc.strerror or exc}", exc.filename))
        return 1
    except (KeyboardInterrupt, EOFError):
        reporter.info("\nstopped: nothing was written")
        return 130


def new_site(args: argparse.Namespace, reporter: Reporter) -> int:
    from reflexgen.scaffold import prompts, site

    given = {key: getattr(args, key) for key in site.ASKED}
    wrong = site.check_given(given)
    for problem in wrong:
        reporter.error(problem)
    if wrong:
        return 2
    site.check_folder(args.folder, args.force)  # before any question
    settings = (prompts.ask_missing(given, os.environ)
                if sys.stdin.isatty() and sys.stdout.isatty()
                else site.with_defaults(given, os.environ))
    made = site.create_site(args.folder, settings, args.force, datetime.now(UTC))
    if args.ci:
        from reflexgen.scaffold.ci import PLATFORMS, write_workflow

        try:
            made.created.append(write_workflow(args.folder, args.ci, None, "main").path)
        except FileExistsError:
            made.kept.append(PLATFORMS[args.ci])
    reporter.info(f"created in {args.folder}: {', '.join(made.created) or 'nothing'}")
    if made.kept:
        reporter.info(f"kept as they were: {', '.join(made.kept)}")
    steps = site.next_steps(args.folder, settings.language)
    reporter.info("next:\n" + "\n".join(f"  {step}" for step in steps))
    return 0


def ci(args: argparse.Namespace, reporter: Reporter) -> int:
    from reflexgen.scaffold.ci import write_workflow

    try:
        made = write_workflow(args.site, args.platform, args.target, args.branch, args.force,
                              args.install)
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    except FileExistsError as exc:
        reporter.error(Problem("a workflow is already there", Path(exc.filename or ""),
                               hint="pass --force to replace it"))
        return 1
    reporter.info(f"wrote {args.site / made.path}")
    needed = [s for s in made.secrets if s != "GITHUB_TOKEN"]
    if needed:
        reporter.info("add these secrets in the platform's settings: " + ", ".join(needed))
    return 0


def new_entry(args: argparse.Namespace, reporter: Reporter) -> int:
    """`new post`, `page` or `author`: the new file's path alone on stdout, for scripts."""
    from reflexgen.config import load_config
    from reflexgen.scaffold import editor, entries

    config, warnings = load_config(args.site)
    for warning in warnings:
        reporter.warn(warning)
    if args.kind == "post":
        request = entries.PostRequest(args.title, args.author, tuple(args.tag), args.category,
                                      args.draft)
        created = entries.new_post(config, request, datetime.now(UTC))
    elif args.kind == "page":
        created = entries.new_page(config, args.title, args.draft)
    else:
        created = entries.new_author(config, args.id, args.name)
    for note in created.notes:
        reporter.info(note)
    print(created.path, flush=True)
    if not getattr(args, "edit", False):
        return 0
    command = editor.command(os.environ)
    if command is None:
        reporter.warn(Problem("not opened: neither $VISUAL nor $EDITOR is set", created.path,
                              hint="set one (export EDITOR=nano), or open the file yourself"))
        return 0
    trouble = editor.edit(created.path, command)
    if trouble is not None:
        reporter.error(trouble)
    return 0 if trouble is None else 1


def serve(args: argparse.Namespace, reporter: Reporter) -> int:
    from reflexgen.config import load_config
    from reflexgen.serve.server import ServeOptions, preview

    try:  # not a site at all: nothing to serve (any other error is shown in the browser)
        load_config(args.site)
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    options = ServeOptions(site_dir=args.site, host=args.host, port=args.port,
                           drafts=not args.no_drafts, poll=args.poll, jobs=args.jobs,
                           search=not args.no_search)
    if not args.open:
        return preview(options, reporter, None)
    import webbrowser  # a build need not load it

    return preview(options, reporter, webbrowser.open)


def comments(args: argparse.Namespace, reporter: Reporter) -> int:
    from reflexgen.comments.moderate import run
    from reflexgen.scaffold import editor

    if args.action is None:
        parser().parse_args(["comments", "--help"])

    def run_editor(path: Path) -> Problem | None:
        command = editor.command(os.environ)
        if command is None:
            return Problem("neither $VISUAL nor $EDITOR is set", hint="export EDITOR=nano")
        return editor.edit(path, command)

    return run(args, reporter, run_editor)


if __name__ == "__main__":
    sys.exit(main())
