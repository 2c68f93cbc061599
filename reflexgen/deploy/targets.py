"""Which target a deploy goes to: the `[deploy.NAME]` table chosen on the command line (the
first one by default), opened as the implementation of its type."""

from __future__ import annotations

from reflexgen.config import SiteConfig
from reflexgen.config.deploy import DeployTarget, choose_target
from reflexgen.deploy.base import Target


def choose(config: SiteConfig, name: str | None) -> DeployTarget:
    """The target named `name`, or the first one written."""
    return choose_target(config.deploy, name, config.root / "site.toml")


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
