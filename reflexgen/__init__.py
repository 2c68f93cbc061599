"""reflexgen: a static site generator for opinion blogs."""

__version__ = "0.2.0"
