"""Command line: `reflexgen build`, `serve`, `check` and `import`, with conventional flags
and exit codes.

Exit codes: 0 success (and `serve` stopped with Ctrl-C), 1 the site has errors (or `serve`
cannot listen), 2 bad command line, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from pathlib import Path

from reflexgen import __version__
from reflexgen.build import BuildOptions, build, verify
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

    build_cmd = commands.add_parser(
        "build", parents=[common], help="build the site into output/",
        description="Build the site in the current folder (or --site) into output/.")
    build_cmd.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                           help="the site folder, holding site.toml and content/ (default: .)")
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
        "serve", parents=[common], help="preview the site, rebuilt and reloaded as you save",
        description="Build the site, serve it on this computer, and rebuild and reload the "
                    "browser whenever a file under content/ or themes/, or site.toml, changes.")
    serve_cmd.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                           help="the site folder, holding site.toml and content/ (default: .)")
    serve_cmd.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1, this computer only)")
    serve_cmd.add_argument("--port", type=port_number, default=8000,
                           help="port to listen on (default: 8000; 0 picks a free one)")
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a browser")
    serve_cmd.add_argument("--no-drafts", action="store_true",
                           help="hide drafts and future articles, as the published site does")
    serve_cmd.add_argument("--poll", action="store_true",
                           help="look for changes by polling (network or container folders)")
    serve_cmd.add_argument("-j", "--jobs", type=positive, default=0, metavar="N",
                           help="worker processes for the first build (default: one per core)")
    check_cmd = commands.add_parser(
        "check", parents=[common], help="find broken links and other problems in the built site",
        description="Check the built site without the network: links and anchors inside the "
                    "site, images and assets, duplicate ids, pages without a title or a "
                    "description, feeds that are not well-formed. Exit code 1 if any is found.")
    check_cmd.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                           help="the site folder, holding site.toml (default: .)")
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
        "wordpress", parents=[common], help="a WordPress export (WXR file)",
        description="Write the posts, pages, authors and comments of a WordPress export "
                    "(Tools → Export → All content) into the site's content/, keeping the "
                    "old URLs working through redirects. Prints a report and writes it to "
                    "import-report.md.")
    wordpress.add_argument("export", type=Path, metavar="EXPORT.xml", help="the WXR file")
    wordpress.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                           help="the site folder, holding site.toml and content/ (default: .)")
    wordpress.add_argument("--uploads", type=Path, metavar="DIR",
                           help="a copy of the old site's wp-content/uploads: media the posts "
                                "use are copied into content/")
    wordpress.add_argument("--pingbacks", action="store_true",
                           help="keep pingbacks and trackbacks as comments")
    wordpress.add_argument("--dry-run", action="store_true",
                           help="show what would be imported, write nothing")
    wordpress.add_argument("--force", action="store_true",
                           help="replace files edited since the last import")
    return main


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


def main(argv: list[str] | None = None) -> int:
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
    return 0



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
    report = check_site(output, config.base_url, external=args.external, timeout=args.timeout,
                        sources=Sources(config))
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
                           drafts=not args.no_drafts, poll=args.poll, jobs=args.jobs)
    return preview(options, reporter, webbrowser.open if args.open else None)


if __name__ == "__main__":
    sys.exit(main())
