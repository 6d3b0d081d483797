"""Seeing copbot at work in production: Prometheus metrics, health endpoints, JSON logs.

* :mod:`bot.observability.metrics`: copbot's own metrics registry and the middleware that
  counts and times events;
* :mod:`bot.observability.figures`: what is read from the database at scrape time (the
  outbox, open forms, broadcasts);
* :mod:`bot.observability.server`: ``/healthz``, ``/readyz`` and ``/metrics`` on
  ``COPBOT_METRICS__LISTEN``;
* :mod:`bot.observability.logs`: ``COPBOT_LOG_FORMAT=json``, one JSON object per line.

The kernel imports nothing of this: it reports sends through the tiny observer hook of
:mod:`bot.core.delivery`, which the shell registers.
"""
