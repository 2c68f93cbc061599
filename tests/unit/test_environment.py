"""The Jinja environment of a build: plain-dict globals and helpers Jinja calls cheaply, with
the same output as Jinja's defaults."""

from __future__ import annotations

from functools import partial

from jinja2 import DictLoader, Environment

from reflexgen.render.templates import SiteEnvironment, callable_quickly

TEMPLATES = {
    "_macros.html": "{% macro shout(x) %}{{ x | upper }}{{ suffix }}{% endmacro %}",
    "page.html": '{% from "_macros.html" import shout %}{{ shout(greet("<b>")) }}',
}


class Greeter:
    def greet(self, name: str) -> str:
        return f"hello {name}"


def render(environment: type[Environment], greet) -> str:
    env = environment(loader=DictLoader(TEMPLATES), autoescape=True)
    env.globals.update(greet=greet, suffix="!")
    return env.get_template("page.html").render()


def test_plain_dict_globals_render_as_jinja_does():
    greeter = Greeter()
    expected = render(Environment, greeter.greet)
    assert expected == "HELLO &lt;B&gt;!"
    assert render(SiteEnvironment, callable_quickly(greeter.greet)) == expected


def test_template_globals_are_a_dict_over_the_environment_ones():
    env = SiteEnvironment(loader=DictLoader(TEMPLATES))
    env.globals["suffix"] = "?"
    template = env.get_template("page.html", globals={"extra": 1})
    assert type(template.globals) is dict
    assert template.globals["suffix"] == "?" and template.globals["extra"] == 1


def test_a_bound_method_becomes_a_partial_anything_else_stays():
    greeter = Greeter()
    quick = callable_quickly(greeter.greet)
    assert isinstance(quick, partial) and quick("x") == "hello x"
    assert callable_quickly("1.0") == "1.0"
    assert callable_quickly(len) is len
