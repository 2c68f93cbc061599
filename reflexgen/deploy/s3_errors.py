"""What went wrong talking to a bucket, said for a blogger: the target, the cause and the
fix, from the exceptions of boto3 and botocore."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import (
    ClientError,
    ConnectionError,
    InvalidRegionError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
)

from reflexgen.errors import Problem

if TYPE_CHECKING:
    from reflexgen.deploy.s3 import S3Target

PERMISSIONS = ("s3:ListBucket on the bucket, and s3:GetObject, s3:PutObject and "
               "s3:DeleteObject on its objects")
# Codes of the storage that mean the credentials themselves are refused.
BAD_KEY = {"InvalidAccessKeyId", "InvalidToken", "ExpiredToken", "TokenRefreshRequired",
           "InvalidClientTokenId", "UnrecognizedClientException"}
DENIED = {"AccessDenied", "AllAccessDisabled", "403", "Forbidden", "AccountProblem"}
WRONG_REGION = {"AuthorizationHeaderMalformed", "PermanentRedirect", "301", "Redirect",
                "IllegalLocationConstraintException", "InvalidRegion"}


def code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def explain(exc: Exception, target: S3Target) -> Problem:
    """The problem to show for `exc`, raised while deploying to `target`."""
    where = f"deploy {target.name} ({target.address})"
    settings = f"[deploy.{target.name}] of {target.settings.name}"
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return Problem(f"{where}: no S3 credentials found",
                       hint="export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the keys "
                            "your provider gave you), or AWS_PROFILE naming a profile of "
                            "~/.aws/credentials; credentials never go in site.toml")
    if isinstance(exc, InvalidRegionError):
        return Problem(f"{where}: {target.region!r} is not a region name", target.settings,
                       hint=f"set region in {settings} to the bucket's region, e.g. "
                            '"eu-west-3" (AWS) or "fr-par" (Scaleway)')
    if isinstance(exc, ConnectionError):
        endpoint = target.endpoint_url or "AWS S3"
        return Problem(f"{where}: cannot reach {endpoint}: {exc}", target.settings,
                       hint=f"check endpoint_url in {settings} (your provider's S3 "
                            "endpoint, e.g. https://s3.fr-par.scw.cloud) and the network")
    if isinstance(exc, ParamValidationError):
        return Problem(f"{where}: {exc}", target.settings, hint=f"check {settings}")
    if isinstance(exc, ValueError):  # boto3's "Invalid endpoint: …"
        return Problem(f"{where}: {exc}", target.settings,
                       hint=f"endpoint_url in {settings} must be a full address, e.g. "
                            "https://s3.fr-par.scw.cloud")
    if not isinstance(exc, ClientError):
        return Problem(f"{where}: {exc}", hint="run again with -v; check the target's settings")
    found = code(exc)
    message = exc.response.get("Error", {}).get("Message", "") or str(exc)
    if found == "NoSuchBucket":
        return Problem(f"{where}: the bucket {target.bucket!r} does not exist",
                       target.settings,
                       hint=f"create it at your provider, or correct bucket in {settings}")
    if found in BAD_KEY or found == "SignatureDoesNotMatch":
        what = "secret key" if found == "SignatureDoesNotMatch" else "access key"
        return Problem(f"{where}: the storage refuses the {what} ({found})",
                       hint="check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the "
                            "profile in use): a provider's keys only work at its own "
                            "endpoint_url")
    if found in DENIED:
        return Problem(f"{where}: access denied ({message})",
                       hint=f"give these credentials {PERMISSIONS}")
    if found in WRONG_REGION:
        return Problem(f"{where}: the bucket is not in region {target.region or 'us-east-1'!r} "
                       f"({found})", target.settings,
                       hint=f"set region in {settings} to the bucket's region")
    if found.isdigit():  # an HTTP status without an S3 error document
        return Problem(f"{where}: {target.endpoint_url or 'the endpoint'} answered HTTP "
                       f"{found}: it does not look like an S3 storage", target.settings,
                       hint=f"check endpoint_url and bucket in {settings}")
    return Problem(f"{where}: the storage refused ({found}: {message})",
                   hint="run again with -v; check the target's settings and permissions")
