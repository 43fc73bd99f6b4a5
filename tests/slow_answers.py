"""A slowed-down ``understanding.respond`` for the support desk's restart tests: batch jobs run
in a spawned process, so the function must be importable by name (not a closure)."""
import time

from understanding import respond


def slow_respond(text, **kwargs):
    time.sleep(0.002)
    return respond(text, **kwargs)
