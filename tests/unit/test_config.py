import pytest

from reflexgen.config import load_config
from reflexgen.errors import BuildError


def write(tmp_path, text):
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults(tmp_path):
    config, warnings = load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org/"\n'))
    assert (config.language, config.timezone, config.paginate) == ("en", "UTC", 10)
    assert config.permalink == "/{year}/{month}/{slug}/"
    assert config.base_url == "https://x.org"
    assert warnings == []


def test_unknown_key_warns_with_suggestion(tmp_path):
    _, warnings = load_config(write(tmp_path, 'title = "T"\nbase_url = "u"\npaginte = 5\n'))
    assert "paginte" in warnings[0].message and "paginate" in warnings[0].hint


@pytest.mark.parametrize("text, message", [
    ('base_url = "u"\n', "missing required setting 'title'"),
    ('title = "T"\nbase_url = "u"\nlanguage = "de"\n', "not supported"),
    ('title = "T"\nbase_url = "u"\ntimezone = "Mars/Olympus"\n', "unknown timezone"),
    ('title = "T"\nbase_url = "u"\npaginate = 0\n', "paginate"),
    ('title = "T"\nbase_url = "u"\npermalink = "/{year}/{titre}/"\n', "unknown permalink"),
    ('title = "T"\nbase_url = "u"\npermalink = "/{year}/"\n', "must contain {slug}"),
    ('title = "T\n', "invalid TOML"),
])
def test_invalid_settings(tmp_path, text, message):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, text))
    assert message in str(info.value)
    assert "site.toml" in str(info.value)


def test_missing_site_toml(tmp_path):
    with pytest.raises(BuildError, match="no site.toml"):
        load_config(tmp_path)
