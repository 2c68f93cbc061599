"""`type = "rsync"`: the output folder copied by the system `rsync` to a local folder or to
`user@host:path` over SSH, files compared by checksum.

Sent in passes, so the site is whole at every moment: assets first (a page never names a
stylesheet or photo not there yet), then pages, then feeds, the sitemap and host files (they
link to the pages), and the deletions last. Each file is written beside its place and renamed
into it by rsync: a deploy stopped halfway leaves whole files, and running it again finishes
the job. The deletion pass never deletes the server-only configuration files (which the
deploy does not send; a server may include them from there) nor ACME challenges (certbot's
`--webroot`).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reflexgen.config.deploy import DeployTarget, is_remote
from reflexgen.deploy.base import Change, DeployOptions, LocalFile, Summary, deploy_error
from reflexgen.deploy.listing import output_of
from reflexgen.errors import BuildError, Reporter
from reflexgen.site.caching import SERVER_ONLY, Kind

PASSES = (("assets", (Kind.IMMUTABLE, Kind.ASSET)), ("pages", (Kind.PAGE,)),
          ("feeds", (Kind.FEED, Kind.HOST)))
# Folders of the site a local destination must stay out of (besides the output).
SITE_FOLDERS = ("content", "themes", ".reflexgen-cache", ".git")
PROTECTED = (*(f"/{name}" for name in SERVER_ONLY), "/.well-known/acme-challenge/")
FORMAT = "%i %l %n"  # what was done, the file's size, its path
# rsync's own settings: modification times kept, files readable by the web server, and a
# folder the site replaced by a file of the same name removed to make way (`--force`).
COMMON = ("--times", "--perms", "--chmod=D755,F644", "--force", "-ii", f"--out-format={FORMAT}")


class RsyncTarget:
    def __init__(self, target: DeployTarget, site_root: Path) -> None:
        self.name = target.name
        self.options = target.options
        destination: str = target.options["destination"]
        self.remote = is_remote(destination)
        self.site_root = site_root.absolute()
        if self.remote:
            self.destination = destination.rstrip("/") + "/"
        else:
            folder = Path(destination).expanduser()
            self.folder = folder if folder.is_absolute() else self.site_root / folder
            self.destination = str(self.folder) + "/"

    def deploy(self, files: list[LocalFile], options: DeployOptions,
               reporter: Reporter) -> Summary:
        start = time.perf_counter()
        if shutil.which("rsync") is None:
            raise self.error("rsync is not installed on this computer",
                             "install it (Debian, Ubuntu: sudo apt install rsync; macOS: "
                             "brew install rsync)")
        source = output_of(files)
        if not self.remote:
            self.check_folder(source, options)
        progress = reporter.progress(f"deploy {self.name}", len(files))
        sent: list[Change] = []
        deleted: list[Change] = []
        unchanged = 0
        seen = 0

        def line(itemized: str, size: int, rel: str) -> None:
            nonlocal unchanged, seen
            if itemized.startswith("*deleting"):
                deleted.append(Change(rel.rstrip("/"), 0, deleted=True))
            elif itemized[1:2] == "f":
                if itemized[0] in "<>":
                    sent.append(Change(rel, size))
                else:
                    unchanged += 1
                seen += 1
                if progress:
                    progress(seen)

        def deletion(itemized: str, size: int, rel: str) -> None:
            if itemized.startswith("*deleting"):  # not the files it only looked at
                line(itemized, size, rel)

        with tempfile.TemporaryDirectory(prefix="reflexgen-rsync-") as temp:
            for label, kinds in PASSES:
                group = [f.rel for f in files if f.kind in kinds]
                if not group:
                    continue
                listing = Path(temp) / label
                listing.write_bytes(b"".join(rel.encode() + b"\0" for rel in group))
                reporter.debug(f"deploy {self.name}: {label}, {len(group)} files")
                self.run([*self.flags(options), f"--files-from={listing}", "--from0"],
                         source, line)
            if options.delete:
                reporter.debug(f"deploy {self.name}: deleting what the site no longer has")
                protect = [f"--filter=P {path}" for path in PROTECTED]
                self.run(["--recursive", "--delete", "--existing", "--ignore-existing",
                          *protect, *COMMON, *(["--dry-run"] if options.dry_run else []),
                          *self.ssh()], source, deletion)
        if progress and seen < len(files):
            progress(len(files))
        return Summary(self.name, sent, deleted, unchanged, time.perf_counter() - start,
                       options.dry_run)

    def flags(self, options: DeployOptions) -> list[str]:
        return ["--ignore-times" if options.force else "--checksum", *COMMON,
                *(["--dry-run"] if options.dry_run else []), *self.ssh()]

    def ssh(self) -> list[str]:
        """rsync's `-e`: ssh that never asks a question (BatchMode), with the table's port,
        key and options."""
        if not self.remote:
            return []
        command = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=20"]
        if self.options.get("port"):
            command += ["-p", str(self.options["port"])]
        if self.options.get("identity"):
            key = Path(self.options["identity"]).expanduser()
            key = key if key.is_absolute() else self.site_root / key
            if not key.is_file():
                raise self.error(f"the SSH key {key} does not exist",
                                 f"fix identity in [deploy.{self.name}] of site.toml")
            command += ["-i", str(key), "-o", "IdentitiesOnly=yes"]
        for option in self.options.get("ssh_options", ()):
            command += ["-o", option]
        return ["-e", shlex.join(command)]

    def check_folder(self, source: Path, options: DeployOptions) -> None:
        """A local destination must be a folder of its own: deleting what the site does not
        have must never reach the site's sources or the output."""
        folder, root = self.folder.resolve(), self.site_root.resolve()
        kept = (source.resolve(), *(root / name for name in SITE_FOLDERS))
        if root.is_relative_to(folder) or source.resolve().is_relative_to(folder) or any(
                folder.is_relative_to(inside) for inside in kept):
            inside = next((k for k in kept if folder.is_relative_to(k)), root)
            raise self.error(f"the destination {folder} holds or is inside {inside}: a "
                             "deploy there would delete the site's own files",
                             f"set destination in [deploy.{self.name}] of site.toml to a "
                             "folder of its own")
        if folder.exists() and not folder.is_dir():
            raise self.error(f"the destination {folder} is not a folder",
                             f"fix destination in [deploy.{self.name}] of site.toml")
        if not options.dry_run:
            folder.mkdir(parents=True, exist_ok=True)

    def run(self, arguments: list[str], source: Path,
            line: Callable[[str, int, str], None]) -> None:
        command = ["rsync", *arguments, str(source) + "/", self.destination]
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors,
                                       stdin=subprocess.DEVNULL, text=True,
                                       errors="backslashreplace")
            assert process.stdout is not None
            for text in process.stdout:
                itemized, _, rest = text.rstrip("\n").partition(" ")
                if itemized.startswith("*deleting"):
                    rest = rest.lstrip()
                size, _, rel = rest.lstrip().partition(" ")
                line(itemized, int(size) if size.isdigit() else 0, rel)
            code = process.wait()
            errors.seek(0)
            stderr = errors.read().decode(errors="replace")
        if code != 0:
            raise self.failure(code, stderr)

    def failure(self, code: int, stderr: str) -> BuildError:
        """One clear message for what went wrong, from rsync's and ssh's words."""
        login = self.destination.split(":", 1)[0]
        host = login.rsplit("@", 1)[-1]
        port = f" on port {self.options['port']}" if self.options.get("port") else ""
        table = f"[deploy.{self.name}] of site.toml"
        said = stderr.lower()
        known = (
            ("connection refused", f"{host} refused the SSH connection{port} (nothing "
                                   "listens there)",
             f"check that the server runs sshd, and the port in {table}"),
            ("could not resolve hostname", f"the host name {host} is unknown",
             f"fix destination in {table}"),
            ("host key verification failed", f"ssh does not know {host}'s host key",
             f"run `ssh {host}` once to check and accept it, or add ssh_options = "
             f'["StrictHostKeyChecking=accept-new"] to {table}'),
            ("permission denied (13)", f"cannot write into {self.destination}",
             "give the deploying user write access to that folder, or change destination in "
             f"{table}"),
            ("permission denied (", f"{host} refused the SSH login of {login}",
             f"check the user and the key (identity in {table}; `ssh-copy-id` installs it)"),
            ("connection timed out", f"{host} did not answer", "check the address and the "
                                                               "network, then try again"),
            ("no route to host", f"{host} cannot be reached", "check the address and the "
                                                              "network, then try again"),
            ("network is unreachable", f"{host} cannot be reached", "check the network"),
            ("rsync: command not found", f"rsync is not installed on {host}",
             "install it there (Debian, Ubuntu: sudo apt install rsync)"),
            ("rsync: not found", f"rsync is not installed on {host}",
             "install it there (Debian, Ubuntu: sudo apt install rsync)"),
            ("no such file or directory (2)", f"the folder above {self.destination} does not "
                                              "exist", "create it first, or change destination"
                                                       f" in {table}"),
        )
        for words, what, fix in known:
            if words in said:
                return self.error(what, fix)
        last = [line for line in stderr.strip().splitlines() if line.strip()][-3:]
        return self.error(f"rsync failed (exit code {code}): " + " / ".join(last),
                          "run again with -v to see each pass; nothing was deleted before "
                          "every file was sent")

    def error(self, what: str, fix: str) -> BuildError:
        return deploy_error(self.name, what, fix)
