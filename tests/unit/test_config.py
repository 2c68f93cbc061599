import pytest

from reflexgen.config import load_config
from reflexgen.config.identity import contrast_on_white
from reflexgen.config.menu import MenuEntry
from reflexgen.config.toml import table_line
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
    _, warnings = load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org"\n'
                                              'paginte = 5\n'))
    assert "paginte" in warnings[0].message and "paginate" in warnings[0].hint


@pytest.mark.parametrize("text, message", [
    ('base_url = "https://x.org"\n', "missing required setting 'title'"),
    ('title = "T"\nbase_url = "https://x.org"\nlanguage = "de"\n', "not supported"),
    ('title = "T"\nbase_url = "https://x.org"\ntimezone = "Mars/Olympus"\n', "unknown timezone"),
    ('title = "T"\nbase_url = "https://x.org"\npaginate = 0\n', "paginate"),
    ('title = "T"\nbase_url = "https://x.org"\npermalink = "/{year}/{titre}/"\n',
     "unknown permalink field: titre"),
    ('title = "T"\nbase_url = "https://x.org"\npermalink = "/{year}/"\n', "must contain {slug}"),
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


def test_invalid_settings_name_their_line(tmp_path):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org"\n\n'
                                    'language = "de"\ntimezone = "Mars/Olympus"\n'))
    assert [p.line for p in info.value.problems] == [4, 5]


@pytest.mark.parametrize("url, message, fix", [
    ("monblog.example.org", "has no scheme", 'base_url = "https://monblog.example.org/"'),
    ("monblog.example.org/blog/", "has no scheme",
     'base_url = "https://monblog.example.org/blog/"'),
    ("//monblog.example.org", "has no scheme", 'base_url = "https://monblog.example.org/"'),
    ("localhost:8000", "has no scheme", 'base_url = "https://localhost:8000/"'),
    ("/blog", "has no scheme", 'base_url = "https://monblog.example.org/"'),
    ("ftp://monblog.example.org", "must start with https:// (or http://), not ftp://",
     'base_url = "https://monblog.example.org/"'),
    ("file:///srv/blog", "must start with https://", 'base_url = "https://monblog.example.org/"'),
    ("mailto:moi@example.org", "must start with https://",
     'base_url = "https://monblog.example.org/"'),
    ("https://", "has no host name", 'base_url = "https://monblog.example.org/"'),
    ("https:///blog", "has no host name", 'base_url = "https://monblog.example.org/"'),
    ("https://x.org:99999", "has an invalid port", 'base_url = "https://'),
    ("https://x.org/?p=1", "without '?', '#' or user@", 'base_url = "https://'),
    ("https://mon blog.org", "holds a space", 'base_url = "https://'),
])
def test_a_base_url_that_would_break_every_link_is_an_error(tmp_path, url, message, fix):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, f'# Mon blog\ntitle = "T"\nbase_url = "{url}"\n'))
    [problem] = info.value.problems
    assert problem.path == tmp_path / "site.toml" and problem.line == 3
    assert message in problem.message and repr(url) in problem.message
    assert problem.hint is not None and fix in problem.hint
    assert str(problem).startswith(f"{tmp_path / 'site.toml'}:3: base_url")


@pytest.mark.parametrize("url, kept", [
    ("https://monblog.example.org/", "https://monblog.example.org"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("https://example.org/blog/", "https://example.org/blog"),
    ("https://[::1]:8000/", "https://[::1]:8000"),
    (" https://example.org ", "https://example.org"),
])
def test_good_base_urls(tmp_path, url, kept):
    config, _ = load_config(write(tmp_path, f'title = "T"\nbase_url = "{url}"\n'))
    assert config.base_url == kept


def test_menu_tables_become_entries_in_the_order_written(tmp_path):
    config, warnings = load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org"\n'
                                                   '\n[[menu]]\nname = " Mastodon "\n'
                                                   'url = "https://mastodon.example/@moi"\n'
                                                   '\n[[menu]]\nname = "Plan"\nurl = "/plan/"\n'
                                                   'weight = -3\nwhere = "footer"\n'))
    assert config.menu == (MenuEntry("Mastodon", "https://mastodon.example/@moi"),
                           MenuEntry("Plan", "/plan/", -3, "footer"))
    assert warnings == []


def test_menu_written_inline_is_read_too(tmp_path):
    config, _ = load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org"\n'
                                            'menu = [{name = "A", url = "mailto:a@x.org"}]\n'))
    assert config.menu == (MenuEntry("A", "mailto:a@x.org"),)


def test_menu_that_is_not_tables_names_its_line(tmp_path):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org"\nmenu = "/a/"\n'))
    [problem] = info.value.problems
    assert (problem.message, problem.line) == ("menu must be a list of [[menu]] tables", 3)


def test_table_line_finds_the_key_inside_its_own_table():
    text = '[[menu]]\nname = "A"\n\n[[menu]]\nurl = "/b/"\n\n[[menu]]\nname = "C"\n'
    assert [table_line(text, "menu", i, "name") for i in range(3)] == [2, 4, 8]
    assert table_line(text, "menu", 1, "url") == 5
    assert table_line(text, "menu", 3) is None


@pytest.mark.parametrize("colour, ratio", [("#fff", 1.0), ("#000000", 21.0),
                                           ("#1f3a5f", 11.5), ("#b3261e", 6.5)])
def test_contrast_on_white(colour, ratio):
    assert contrast_on_white(colour) == pytest.approx(ratio, abs=0.05)


def test_images_settings_are_kept_as_written(tmp_path):
    (tmp_path / "content/images").mkdir(parents=True)
    (tmp_path / "content/images/logo.svg").write_text("<svg/>")
    (tmp_path / "content/favicon.ico").write_bytes(b"\0")
    config, _ = load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org"\n'
                                            'logo = "/images/logo.svg"\n'
                                            'favicon = "/favicon.ico"\naccent_color = "#123"\n'))
    assert (config.logo, config.favicon, config.accent_color) == \
        ("/images/logo.svg", "/favicon.ico", "#123")


# [comments]

SITE = 'title = "T"\nbase_url = "https://Monblog.example.org:443/blog/"\n'


def test_comments_defaults_take_the_origin_of_base_url(tmp_path):
    config, warnings = load_config(write(tmp_path, SITE))
    settings = config.comments
    assert settings.allowed_origins == ("https://monblog.example.org",)
    assert (settings.moderation, settings.endpoint, settings.database) == (
        "pre", "", "comments.sqlite3")
    assert warnings == []


def test_comments_table_is_read(tmp_path):
    (tmp_path / "interdits.txt").write_text("viagra\n", encoding="utf-8")
    config, warnings = load_config(write(tmp_path, SITE + """
[comments]
endpoint = "https://commentaires.example.org/comments"
allowed_origins = ["https://monblog.example.org/", "http://localhost:8000"]
moderation = "post"
require_email = true
close_after_days = 30
max_links = 0
blocklist = "interdits.txt"
trusted_proxies = ["127.0.0.1", "10.1.2.3/8", "::1"]
keep_emails = true
"""))
    settings = config.comments
    assert settings.endpoint == "https://commentaires.example.org/comments"
    assert settings.allowed_origins == ("https://monblog.example.org", "http://localhost:8000")
    assert (settings.moderation, settings.require_email, settings.close_after_days,
            settings.max_links, settings.keep_emails) == ("post", True, 30, 0, True)
    assert settings.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "::1/128")
    assert settings.blocklist == "interdits.txt" and warnings == []


@pytest.mark.parametrize("lines, line, message", [
    ('endpoint = "/comments"', 5, "must be a full http(s) address"),
    ('endpoint = "javascript:alert(1)"', 5, "must be a full http(s) address"),
    ('endpoint = "https://x.org:99999/c"', 5, "invalid port"),
    ('endpoint = 3', 5, "must be text"),
    ('moderation = "never"', 5, 'must be "pre", "post" or "trusted"'),
    ('require_email = "yes"', 5, "must be true or false"),
    ('close_after_days = -1', 5, "whole number of 0 or more"),
    ('max_links = true', 5, "whole number"),
    ('allowed_origins = "https://x.org"', 5, "must be a list of text"),
    ('allowed_origins = ["https://x.org/blog"]', 5, "is not an origin"),
    ('allowed_origins = ["*"]', 5, "is not an origin"),
    ('trusted_proxies = ["10.0.0.300"]', 5, "not an IP address or network"),
    ('trusted_proxies = ["proxy.local"]', 5, "not an IP address or network"),
    ('blocklist = "absent.txt"', 5, "no such file"),
    ('database = "content/comments.sqlite3"', 5, "inside content/"),
    ('database = ""', 5, "must not be empty"),
])
def test_wrong_comment_settings_name_file_and_line(tmp_path, lines, line, message):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, SITE + "\n[comments]\n" + lines + "\n"))
    [problem] = info.value.problems
    assert message in problem.message and "[comments]" in problem.message
    assert problem.path == tmp_path / "site.toml" and problem.line == line
    assert problem.hint


def test_unknown_comment_key_warns_with_suggestion(tmp_path):
    _, warnings = load_config(write(tmp_path, SITE + '\n[comments]\nmoderaton = "post"\n'
                                                     'paginate = 5\n'))
    assert [w.line for w in warnings] == [5, 6]
    assert "moderaton" in warnings[0].message and "'moderation'" in warnings[0].hint
    assert "move [comments] to the end" in warnings[1].hint


def test_comments_must_be_a_table(tmp_path):
    with pytest.raises(BuildError, match="comments must be a table"):
        load_config(write(tmp_path, SITE + 'comments = "oui"\n'))


def test_comment_settings_in_dotted_keys_name_their_line(tmp_path):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, SITE + 'comments.moderation = "après"\n'))
    assert info.value.problems[0].line == 3


# [comments.mail]

def test_the_mail_table_is_read(tmp_path):
    config, warnings = load_config(write(tmp_path, SITE + """
[comments.mail]
host = "smtp.example.org"
from = "blog@monblog.example.org"
notify = "moi@monblog.example.org"
notify_every = 30
"""))
    mail = config.comments.mail
    assert (mail.host, mail.port, mail.security, mail.sender, mail.notify,
            mail.notify_every) == ("smtp.example.org", 587, "starttls",
                                   "blog@monblog.example.org", "moi@monblog.example.org", 30)
    assert mail.password({"REFLEXGEN_SMTP_PASSWORD": "s3cret"}) == "s3cret"
    assert warnings == []
    assert load_config(write(tmp_path, SITE))[0].comments.mail is None


@pytest.mark.parametrize("lines, message", [
    ('from = "blog@x.org"', "needs host"),
    ('host = "smtp.x.org"', "needs from"),
    ('host = "smtp.x.org"\nfrom = "pas une adresse"', "from is not an e-mail address"),
    ('host = "smtp.x.org"\nfrom = "a@x.org"\nsecurity = "ssl"', "security must be one of"),
    ('host = "smtp.x.org"\nfrom = "a@x.org"\nport = 70000', "port must be between"),
    ('host = "smtp.x.org"\nfrom = "a@x.org"\nport = "25"', "port must be a whole number"),
])
def test_wrong_mail_settings_name_the_table_and_line(tmp_path, lines, message):
    text = SITE + "\n[comments]\nmax_links = 2\n\n[comments.mail]\n" + lines + "\n"
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, text))
    problem = info.value.problems[0]
    assert message in problem.message and problem.line == text.splitlines().index(
        "[comments.mail]") + 1


def test_a_password_in_site_toml_is_not_taken(tmp_path):
    _, warnings = load_config(write(tmp_path, SITE + '\n[comments.mail]\nhost = "h.x.org"\n'
                                    'from = "a@x.org"\npassword = "oups"\n'))
    assert "unknown key 'password'" in warnings[0].message
    assert "password_env" in warnings[0].hint


@pytest.mark.parametrize("line, kept", [
    ("", ("email", "mastodon", "bluesky", "linkedin", "x", "copy", "device")),
    ("share = true\n", ("email", "mastodon", "bluesky", "linkedin", "x", "copy", "device")),
    ("share = false\n", ()),
    ("share = []\n", ()),
    ('share = ["copy", "email"]\n', ("copy", "email")),
])
def test_share_names_the_links_under_articles(tmp_path, line, kept):
    text = 'title = "T"\nbase_url = "https://x.org"\n' + line
    assert load_config(write(tmp_path, text))[0].share == kept


@pytest.mark.parametrize("value, message, hint", [
    ('["email", "mastodn"]', "unknown way to share 'mastodn'", "did you mean 'mastodon'?"),
    ('["email", "email"]', "share names 'email' twice", "keep one"),
    ('"email"', "share must be true, false or a list of names", 'share = ["email", '),
    ("[1]", "share must be true, false or a list of names", "share = false"),
])
def test_wrong_share_settings_name_their_line(tmp_path, value, message, hint):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, f'title = "T"\nbase_url = "https://x.org"\nshare = {value}\n'))
    [problem] = info.value.problems
    assert problem.line == 3
    assert message in problem.message and hint in problem.hint


# [images]

def test_images_table_is_read_and_defaults_otherwise(tmp_path):
    base = 'title = "T"\nbase_url = "https://x.org"\n'
    config, _ = load_config(write(tmp_path, base))
    assert (config.images.widths, config.images.formats) == ((480, 800, 1200, 1600),
                                                             ("avif", "webp"))
    config, warnings = load_config(write(tmp_path, base + '[images]\nwidths = [1000, 320]\n'
                                         'formats = ["WebP"]\nquality = 60\nenabled = false\n'))
    images = config.images
    assert (images.widths, images.formats, images.quality, images.enabled) == \
        ((320, 1000), ("webp",), 60, False)
    assert warnings == []


@pytest.mark.parametrize("lines, line, message", [
    ("widths = []", 4, "[images] widths must be a list of widths in pixels"),
    ("widths = [480, 100000]", 4, "[images] widths must be a list of widths in pixels"),
    ('formats = ["jpeg-xl"]', 4, "[images] formats must be a list of formats among avif, webp"),
    ("quality = 0", 4, "[images] quality must be a whole number from 1 to 100"),
    ('enabled = "yes"', 4, "[images] enabled must be true or false"),
    ("max_pixels = -1", 4, "[images] max_pixels must be a whole number of pixels"),
    ('sizes = "<script>"', 4, "[images] sizes must be a CSS `sizes` value"),
])
def test_wrong_image_settings_name_file_and_line(tmp_path, lines, line, message):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, f'title = "T"\nbase_url = "https://x.org"\n[images]\n{lines}\n'))
    problem = info.value.problems[0]
    assert problem.message.startswith(message) and problem.line == line and problem.hint


def test_unknown_image_key_warns_with_suggestion(tmp_path):
    _, warnings = load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org"\n'
                                              '[images]\nwidth = [800]\n'))
    assert "'width'" in warnings[0].message and "'widths'" in warnings[0].hint


def test_feeds_table_defaults_to_one_format_with_summaries(tmp_path):
    base = 'title = "T"\nbase_url = "https://x.org"\n'
    config, _ = load_config(write(tmp_path, base))
    assert (config.feeds.taxonomy_formats, config.feeds.taxonomy_content) == (("rss",), "summary")
    config, warnings = load_config(write(tmp_path, base + '[feeds]\ntaxonomy_formats = '
                                         '["atom", "rss"]\ntaxonomy_content = "full"\n'))
    assert (config.feeds.taxonomy_formats, config.feeds.taxonomy_content) == \
        (("rss", "atom"), "full")  # in a fixed order, whatever the order written
    assert warnings == []
    config, _ = load_config(write(tmp_path, base + '[feeds]\ntaxonomy_formats = []\n'))
    assert config.feeds.taxonomy_formats == ()
    config, _ = load_config(write(tmp_path, base + 'feeds = { taxonomy_formats = "atom" }\n'))
    assert config.feeds.taxonomy_formats == ("atom",)


@pytest.mark.parametrize("lines, line, message, fix", [
    ('taxonomy_formats = ["rss", "json"]', 5, "[feeds] taxonomy_formats must be a list taken "
     "from rss, atom", 'taxonomy_formats = ["rss"], ["rss", "atom"]'),
    ("taxonomy_formats = true", 5, "[feeds] taxonomy_formats must be a list", "or []"),
    ('taxonomy_content = "excerpt"', 5, '[feeds] taxonomy_content must be "summary" or "full", '
     "not 'excerpt'", 'taxonomy_content = "full"'),
    ("taxonomy_content = 1", 5, "[feeds] taxonomy_content must be", 'taxonomy_content = "full"'),
])
def test_wrong_feed_settings_name_file_line_and_fix(tmp_path, lines, line, message, fix):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, f'title = "T"\nbase_url = "https://x.org"\n# feeds\n'
                                    f'[feeds]\n{lines}\n'))
    problem = info.value.problems[0]
    assert problem.message.startswith(message), problem.message
    assert problem.path == tmp_path / "site.toml" and problem.line == line
    assert fix in problem.hint


def test_feeds_must_be_a_table_and_unknown_keys_warn(tmp_path):
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org"\nfeeds = "rss"\n'))
    assert info.value.problems[0].message == "feeds must be a table"
    assert info.value.problems[0].line == 3 and "[feeds]" in info.value.problems[0].hint
    _, warnings = load_config(write(tmp_path, 'title = "T"\nbase_url = "https://x.org"\n'
                                              '[feeds]\ntaxonomy_format = ["rss"]\n'))
    assert "'taxonomy_format'" in warnings[0].message and warnings[0].line == 4
    assert "'taxonomy_formats'" in warnings[0].hint
