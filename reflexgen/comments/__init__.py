"""Readers' comments coming in: the intake server, its store and spam defences, moderation,
and publication into the articles' sidecar files (then a build)."""
