"""Full text for feed entries (``--full-text``): the page behind each entry, served with its
feed from 127.0.0.1, completes the entry; a page that fails keeps the entry's teaser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.testing import run_cli
from tests.servers import Reply, Server, serve

NO_DELAY = ("--set", "http.host_delay=0")


def _page(title: str, author: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} - The Harbour Gazette</title>"
        f"<meta name='author' content='{author}'>"
        "<meta property='article:modified_time' content='2026-11-30T09:15:00+01:00'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>Copyright The Harbour Gazette. All rights reserved.</footer></body></html>"
    ).encode()


FERRY = [
    "The harbour ferry resumed its morning crossings on Monday after a three-week pause.",
    "Engineers replaced the worn propeller shaft that had forced the vessel out of service.",
    "Commuters queued from six o'clock, and the first crossing left the quay on time.",
    "The operator said the timetable would return to its summer frequency next month.",
]
MARKET = [
    "The covered market on Quay Street opens a second hall for local growers this winter.",
    "Stallholders voted for the extension after two years of waiting lists for a pitch.",
    "The council expects the new hall to bring forty more traders into the town centre.",
]


def _feed(server_base: str, teaser_suffix: str = "") -> bytes:
    items = [
        ("ferry", "Ferry crossings resume", "The ferry is back." + teaser_suffix),
        ("market", "Market gains a hall", "A second hall opens."),
        ("gone", "A story that was removed", "Only this teaser is left."),
    ]
    entries = "".join(
        f"<item><title>{title}</title><link>{server_base}/news/{slug}</link>"
        f"<guid>{server_base}/news/{slug}</guid><description>{teaser}</description></item>"
        for slug, title, teaser in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>The Harbour Gazette</title><link>{server_base}/</link>{entries}</channel></rss>"
    ).encode()


#: What the ferry entry's teaser ends with: a test changes it between runs.
TEASER_END: dict[str, str] = {}


@pytest.fixture
def site() -> Iterator[Server]:
    """A feed whose entries link to two pages and one missing page."""
    state = TEASER_END
    state["suffix"] = ""
    with serve({}) as server:
        base = server.base
        server.routes.update(
            {
                "/feed.xml": lambda _: Reply(
                    200, _feed(base, state["suffix"]), {"Content-Type": "application/rss+xml"}
                ),
                "/news/ferry": lambda _: Reply(
                    200,
                    _page("Ferry crossings resume", "Ada Lovelace", FERRY),
                    {"Content-Type": "text/html; charset=utf-8"},
                ),
                "/news/market": lambda _: Reply(
                    200,
                    _page("Market gains a hall", "Grace Hopper", MARKET),
                    {"Content-Type": "text/html; charset=utf-8"},
                ),
                "/robots.txt": lambda _: Reply(200, b"User-agent: *\nAllow: /\n"),
            }
        )
        yield server


def _by_title(stdout: str) -> dict[str, dict[str, Any]]:
    records = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return {str(r["title"]): r for r in records}


def _page_requests(server: Server) -> list[str]:
    return [path for path, _ in server.requests if path.startswith("/news/")]


def test_full_text_fills_entries_from_their_pages(site: Server) -> None:
    result = run_cli(["run", "--full-text", site.url("/feed.xml"), *NO_DELAY])
    assert result.exit_code == 0, result.stderr
    articles = _by_title(result.stdout)
    assert set(articles) == {
        "Ferry crossings resume",
        "Market gains a hall",
        "A story that was removed",
    }
    ferry = articles["Ferry crossings resume"]
    assert ferry["text"] == "\n\n".join(FERRY)  # the page's body, without its nav and footer
    assert ferry["summary"] == "The ferry is back."  # the feed's teaser, kept
    assert [a["name"] for a in ferry["authors"]] == ["Ada Lovelace"]  # the feed had none
    assert ferry["updated"] == "2026-11-30T08:15:00Z"  # the page's, in UTC
    provenance = ferry["provenance"]
    assert provenance["enrich"] == ["html"]
    assert provenance["fields"]["text"] == "page"
    assert provenance["fields"]["authors"].startswith("page:")
    gone = articles["A story that was removed"]
    assert gone["text"] == "Only this teaser is left."  # never dropped
    assert any("full text" in w and "404" in w for w in gone["warnings"]), gone["warnings"]
    assert "enrich" not in gone["provenance"]
    assert result.error_lines == []


def test_without_full_text_no_page_is_fetched(site: Server) -> None:
    result = run_cli(["run", site.url("/feed.xml"), *NO_DELAY])
    assert result.exit_code == 0, result.stderr
    assert _by_title(result.stdout)["Ferry crossings resume"]["text"] == "The ferry is back."
    assert _page_requests(site) == []


def test_runs_on_state_fetch_a_page_only_for_a_new_or_changed_entry(
    site: Server, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    args = ["run", "--full-text", site.url("/feed.xml"), *NO_DELAY, "--force"]
    args += ["--state", str(tmp_path / "s.sqlite"), "-o", str(out)]
    first = run_cli(args)
    assert first.exit_code == 0, first.stderr
    assert sorted(_page_requests(site)) == ["/news/ferry", "/news/gone", "/news/market"]
    assert len(out.read_text().splitlines()) == 3

    site.requests.clear()
    again = run_cli(args)
    assert again.exit_code == 0, again.stderr
    assert _page_requests(site) == []  # every entry as the feed stated it before: no fetch
    assert len(out.read_text().splitlines()) == 3

    TEASER_END["suffix"] = " Now with a timetable."
    changed = run_cli(args)
    assert changed.exit_code == 0, changed.stderr
    assert _page_requests(site) == ["/news/ferry"]  # only the changed entry's page
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 4
    assert lines[-1]["version"] == 2
    assert lines[-1]["text"] == "\n\n".join(FERRY)
