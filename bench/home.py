"""Home page: server run time and browser load time, each as a ratio to a bare Streamlit page.

Run: .venv/bin/python bench/home.py   (prints medians of several runs; no pass/fail)
"""

from __future__ import annotations

from common import REPO, bench_env, browser_load, chromium, median_seconds, report, served
from streamlit.testing.v1 import AppTest

BARE = str(REPO / "bench" / "baselines" / "bare.py")


def server_times(env: dict[str, str]) -> tuple[float, float]:
    import os

    os.environ.update(env)
    bare = AppTest.from_file(BARE, default_timeout=60)
    home = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    home.run()  # first run seeds the demo database; not timed
    return median_seconds(bare.run), median_seconds(home.run)


def main() -> None:
    bare_s, home_s = server_times(bench_env())  # AppTest holds its DuckDB file: the server gets its own
    print("Server script run (AppTest, warm caches), median of 7:")
    report("bare Streamlit page", bare_s, "bare", bare_s)
    report("home page", home_s, "bare", bare_s)
    env = bench_env()
    with served(BARE, env) as bare_url, served("app.py", env) as app_url, chromium() as browser:
        load_bare = median_seconds(browser_load(browser, bare_url, "text=Hello, Baltic Sea Region"), runs=5)
        load_home = median_seconds(browser_load(browser, app_url, "[data-testid='stMetricValue']"), runs=5)
    print("Browser load in headless Chromium (new context, until the script is idle), median of 5:")
    report("bare Streamlit page", load_bare, "bare", load_bare)
    report("home page", load_home, "bare", load_bare)


if __name__ == "__main__":
    main()
