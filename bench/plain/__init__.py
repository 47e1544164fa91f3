"""A plain Django project outside the app's stack, for bench/run.py: the yardstick every page is compared with.

Sessions and authentication middleware only, database sessions, the stock ModelBackend, persistent
database connections, and one page rendering the same 50-row table as the app's bare view
(shared/bench_views.py). Served by gunicorn as `bench.plain.wsgi` against the measured database.
"""
