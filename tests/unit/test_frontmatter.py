import pytest

from reflexgen.content.frontmatter import decode, split
from reflexgen.errors import BuildError


def test_yaml_front_matter_and_body_line():
    source = split("---\ntitle: Bonjour\ntags: [a, b]\n---\n# Corps\n", "a.md")
    assert source.meta == {"title": "Bonjour", "tags": ["a", "b"]}
    assert source.body == "# Corps\n"
    assert source.body_line == 5


def test_toml_front_matter():
    source = split('+++\ntitle = "Bonjour"\ndate = 2024-03-12\n+++\nCorps', "a.md")
    assert source.meta["title"] == "Bonjour"
    assert str(source.meta["date"]) == "2024-03-12"


def test_no_front_matter_is_all_body():
    assert split("Juste du texte", "a.md").meta == {}


def test_trailing_spaces_after_fence_are_tolerated():
    assert split("--- \ntitle: x\n---  \nbody", "a.md").meta == {"title": "x"}


def test_yaml_error_names_file_and_line():
    with pytest.raises(BuildError) as info:
        split("---\ntitle: ok\ntags: [a, b\nauthor: x\n---\n", "posts/a.md")
    problem = info.value.problems[0]
    assert problem.path == "posts/a.md"
    assert problem.line in (4, 5)
    assert "invalid YAML" in problem.message


def test_toml_error_names_line_in_file():
    with pytest.raises(BuildError) as info:
        split('+++\ntitle = "ok"\ndate = = 3\n+++\n', "a.md")
    assert info.value.problems[0].line == 3


def test_unclosed_front_matter():
    with pytest.raises(BuildError, match="never closed"):
        split("---\ntitle: x\n", "a.md")


def test_front_matter_must_be_a_mapping():
    with pytest.raises(BuildError, match="mapping"):
        split("---\n- a\n- b\n---\n", "a.md")


def test_python_objects_are_refused():
    with pytest.raises(BuildError):
        split("---\nx: !!python/object/apply:os.system ['true']\n---\n", "a.md")


def test_decode_strips_bom_and_crlf():
    assert decode("\ufefftitle\r\nnext\r\n".encode(), "a.md") == "title\nnext\n"


@pytest.mark.parametrize("raw", ["caf\xe9".encode("latin-1"), "texte".encode("utf-16")])
def test_decode_refuses_other_encodings(raw):
    with pytest.raises(BuildError) as info:
        decode(raw, "a.md")
    assert "UTF-8" in str(info.value)


def test_an_impossible_yaml_date_stays_text_as_written():
    """PyYAML raises a bare ValueError for these; the date fields explain them instead."""
    source = split("---\ndate: 2023-02-29\nupdated: 2024-13-01\nat: 2024-02-30T10:00:00\n"
                   "real: 2024-02-29\n---\n", "a.md")
    assert source.meta["date"] == "2023-02-29" and source.meta["updated"] == "2024-13-01"
    assert source.meta["at"] == "2024-02-30T10:00:00"
    assert str(source.meta["real"]) == "2024-02-29"  # a real date is still a date


def test_an_impossible_toml_date_says_why():
    with pytest.raises(BuildError) as info:
        split('+++\ntitle = "x"\ndate = 2023-02-29  # oups\n+++\n', "a.md")
    problem = info.value.problems[0]
    assert problem.line == 3 and problem.hint == "February 2023 has 28 days"
