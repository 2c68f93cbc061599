"""`reflexgen deploy` on the command line: which target, and the exit codes."""

from __future__ import annotations

import pytest

from conftest import add_target, cli


def test_no_target_or_an_unknown_one(blog):
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "no deploy target" in run.stderr
    assert "[deploy.production]" in run.stderr and 'type = "rsync"' in run.stderr
    add_target(blog, '[deploy.copy]\ntype = "rsync"\ndestination = "../www"')
    run = cli("deploy", "copi", "--site", str(blog))
    assert run.code == 1 and "no deploy target named 'copi'" in run.stderr
    assert "did you mean 'copy'?" in run.stderr


def test_the_first_table_is_the_default(blog, tmp_path):
    add_target(blog, '[deploy.one]\ntype = "rsync"\ndestination = "../one"\n\n'
                     '[deploy.two]\ntype = "rsync"\ndestination = "../two"')
    assert cli("deploy", "--site", str(blog), "-q").code == 0
    assert (tmp_path / "one/index.html").exists() and not (tmp_path / "two").exists()
    run = cli("deploy", "two", "--site", str(blog), "-q")
    assert run.code == 0 and run.stderr == ""  # -q: errors only
    assert (tmp_path / "two/index.html").exists()


def test_a_settings_error_names_site_toml_and_its_line(blog):
    add_target(blog, '[deploy.copy]\ntype = "rsyn"\ndestination = "../www"')
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1
    line = (blog / "site.toml").read_text().splitlines().index('type = "rsyn"') + 1
    assert f"site.toml:{line}: [deploy.copy]: unknown type 'rsyn'" in run.stderr
    assert "did you mean 'rsync'?" in run.stderr


def test_a_bad_command_line_is_exit_code_2(blog):
    with pytest.raises(SystemExit) as info:
        cli("deploy", "--site", str(blog), "--bogus")
    assert info.value.code == 2
