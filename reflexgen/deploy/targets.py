"""Which target a deploy goes to: the `[deploy.NAME]` table chosen on the command line (the
first one by default), opened as the implementation of its type."""

from __future__ import annotations

from reflexgen.config import SiteConfig
from reflexgen.config.checks import did_you_mean
from reflexgen.config.deploy import DeployTarget
from reflexgen.deploy.base import Target
from reflexgen.errors import BuildError, Problem

EXAMPLE = '''[deploy.production]
type = "rsync"
destination = "deploy@example.org:/var/www/blog"'''


def choose(config: SiteConfig, name: str | None) -> DeployTarget:
    """The target named `name`, or the first one written."""
    path = config.root / "site.toml"
    if not config.deploy:
        raise BuildError(Problem("no deploy target: site.toml has no [deploy.NAME] table", path,
                                 hint=f"add one, for example:\n{EXAMPLE}\n(see docs/deploy.md "
                                      "for git and S3)"))
    if name is None:
        return config.deploy[0]
    for target in config.deploy:
        if target.name == name:
            return target
    names = tuple(t.name for t in config.deploy)
    raise BuildError(Problem(f"no deploy target named {name!r}", path,
                             hint=did_you_mean(name, names, "targets")))


def open_target(target: DeployTarget, config: SiteConfig) -> Target:
    """The implementation of the target's type."""
    if target.type == "rsync":
        from reflexgen.deploy.rsync import RsyncTarget

        return RsyncTarget(target, config.root)
    if target.type == "git":
        from reflexgen.deploy.git import GitTarget

        return GitTarget(target, config.root, config.title)
    from reflexgen.deploy.s3 import S3Target  # boto3 is loaded for an s3 target only

    return S3Target(target, config.root)
