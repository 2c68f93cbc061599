"""The `[deploy.NAME]` tables: defaults filled in, every mistake named with its line and fix."""

import pytest

from reflexgen.config import load_config
from reflexgen.config.deploy import is_remote
from reflexgen.errors import BuildError

TOP = 'title = "T"\nbase_url = "https://x.org"\n'


def load(tmp_path, text):
    (tmp_path / "site.toml").write_text(TOP + text, encoding="utf-8")
    return load_config(tmp_path)


def problems(tmp_path, text):
    with pytest.raises(BuildError) as info:
        load(tmp_path, text)
    return info.value.problems


def test_targets_in_order_with_defaults(tmp_path):
    config, warnings = load(tmp_path, """
[deploy.vps]
type = "rsync"
destination = "deploy@example.org:/var/www/blog"
port = 2222

[deploy.pages]
type = "git"
remote = "git@codeberg.org:me/pages.git"
branch = "pages"

[deploy.bucket]
type = "s3"
bucket = "mon-blog"
""")
    assert warnings == []
    assert [(t.name, t.type) for t in config.deploy] == [("vps", "rsync"), ("pages", "git"),
                                                          ("bucket", "s3")]
    vps, pages, bucket = config.deploy
    assert vps.options == {"destination": "deploy@example.org:/var/www/blog", "port": 2222,
                           "identity": "", "ssh_options": ()}
    assert pages.options == {"remote": "git@codeberg.org:me/pages.git", "branch": "pages",
                             "message": "Deploy {title}", "cname": ""}
    assert bucket.options == {"bucket": "mon-blog", "prefix": "", "region": "",
                              "endpoint_url": "", "workers": 8}


def test_no_deploy_table_is_no_target(tmp_path):
    assert load(tmp_path, "")[0].deploy == ()


def test_bare_deploy_table_shows_the_right_shape(tmp_path):
    [problem] = problems(tmp_path, '[deploy]\ntype = "rsync"\ndestination = "/srv/www"\n')
    assert "one table per target" in problem.message
    assert problem.line == 4 and "[deploy.NAME]" in problem.hint
    assert str(problem.path).endswith("site.toml")


def test_unknown_type_suggests(tmp_path):
    [problem] = problems(tmp_path, '\n[deploy.vps]\ntype = "rsyn"\n')
    assert "unknown type 'rsyn'" in problem.message and "'rsync'" in problem.hint
    assert problem.line == 5


def test_missing_type_and_required_keys(tmp_path):
    found = problems(tmp_path, '[deploy.a]\ndestination = "x"\n\n[deploy.b]\ntype = "git"\n')
    assert "[deploy.a] has no type" in found[0].message and 'type = "rsync"' in found[0].hint
    assert "[deploy.b]: missing 'remote'" in found[1].message and found[1].line == 6
    assert "remote = " in found[1].hint


def test_unknown_key_warns_with_suggestion(tmp_path):
    _, warnings = load(tmp_path, '[deploy.a]\ntype = "git"\nremote = "../x.git"\nbrnch = "p"\n')
    assert "unknown key 'brnch'" in warnings[0].message
    assert "'branch'" in warnings[0].hint and warnings[0].line == 6


@pytest.mark.parametrize("key", ["aws_access_key_id", "aws_secret_access_key", "secret",
                                 "session_token"])
def test_credentials_refused(tmp_path, key):
    [problem] = problems(tmp_path, f'[deploy.b]\ntype = "s3"\nbucket = "blog"\n{key} = "AKIA"\n')
    assert "credentials do not belong in site.toml" in problem.message
    assert "AWS_ACCESS_KEY_ID" in problem.hint and "AWS_PROFILE" in problem.hint
    assert "~/.aws/credentials" in problem.hint and problem.line == 6


@pytest.mark.parametrize("table, words", [
    ('type = "rsync"\ndestination = 42', "destination must be text"),
    ('type = "rsync"\ndestination = "-e sh"', "must not start with '-'"),
    ('type = "rsync"\ndestination = "me@host:"', "names no folder on the server"),
    ('type = "rsync"\ndestination = "me@host:~"', "names no folder on the server"),
    ('type = "rsync"\ndestination = "me@host:/."', "names no folder on the server"),
    ('type = "rsync"\ndestination = "me@host:/var/www/.."', "names no folder on the server"),
    ('type = "rsync"\ndestination = "me@host:~/../x"', "names no folder on the server"),
    ('type = "rsync"\ndestination = "."', "folder of its own"),
    ('type = "rsync"\ndestination = "rsync://host/m"', "not supported"),
    ('type = "rsync"\ndestination = "x"\nport = "22"', "port must be a whole number"),
    ('type = "rsync"\ndestination = "x"\nport = 70000', "port must be a whole number"),
    ('type = "rsync"\ndestination = "x"\nssh_options = "-o X"', "ssh_options must be a list"),
    ('type = "rsync"\ndestination = "x"\nssh_options = ["ProxyCommand"]', "ssh_options"),
    ('type = "s3"\nbucket = "s3://b"', "bucket must be a bucket name"),
    ('type = "s3"\nbucket = "blog"\nworkers = 0', "workers must be a whole number"),
    ('type = "s3"\nbucket = "blog"\nendpoint_url = "s3.fr-par.scw.cloud"', "https://"),
    ('type = "s3"\nbucket = "blog"\nprefix = "../x"', "prefix must be a folder path"),
    ('type = "s3"\nbucket = "blog"\nendpoint_url = "https://AKIA1:s3cr3t@s3.example.org"',
     "holds a key or a password"),
    ('type = "git"\nremote = "https://me:ghp_123@github.com/me/x.git"', "password or token"),
    ('type = "git"\nremote = "x"\nbranch = "gh pages"', "not a valid git branch name"),
    ('type = "git"\nremote = "x"\nbranch = "-f"', "not a valid git branch name"),
    ('type = "git"\nremote = "x"\nmessage = "{site}"', "only {title}"),
    ('type = "git"\nremote = "x"\ncname = "https://blog.example.org/"', "domain name only"),
])
def test_wrong_values(tmp_path, table, words):
    [problem] = problems(tmp_path, f"[deploy.t]\n{table}\n")
    assert words in problem.message, problem
    assert problem.hint and problem.line and problem.line >= 4


def test_name_must_be_typable(tmp_path):
    [problem] = problems(tmp_path, '[deploy."my site"]\ntype = "git"\nremote = "x"\n')
    assert "command line" in problem.message and problem.line == 3


def test_deploy_must_be_tables(tmp_path):
    [problem] = problems(tmp_path, 'deploy = "rsync"\n')
    assert "one table per target" in problem.message


@pytest.mark.parametrize("destination, remote", [
    ("deploy@example.org:/var/www", True), ("example.org:www/blog", True),
    ("me@[::1]:/srv", True), ("../public-copy", False), ("/srv/www/blog", False),
    ("./a:b", False), ("C:\\sites\\blog", False),
])
def test_remote_or_local(destination, remote):
    assert is_remote(destination) is remote
