"""Feeds: the samples field by field, the whole shared corpus in one run, hostile input,
and feeds served over real HTTP (the corpus file by file against feedparser and
fastfeedparser is tests/plugins/test_feeds_corpus.py)."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest

from ingest.schema import article_errors
from ingest.testing import CliResult, run_cli
from tests.conftest import SAMPLES
from tests.servers import Reply, dribble, gzip_bomb, serve

FEEDS = SAMPLES / "feeds"


def by_title(result: CliResult) -> dict[str, dict[str, Any]]:
    assert all(article_errors(a) == [] for a in result.articles)
    return {a["title"]: a for a in result.articles}


def test_rss2_sample() -> None:
    result = run_cli(["run", str(FEEDS / "harbour-news.rss")])
    assert result.exit_code == 0, result.stderr
    articles = by_title(result)
    ferry = articles["Ferry timetable changes from Monday"]
    assert ferry["url"] == "https://news.example.org/2024/03/ferry-timetable"
    assert ferry["source"]["name"] == "Eastport Harbour News"
    assert ferry["source"]["origin_id"] == "https://news.example.org/#eastport-2024-0311"
    assert ferry["published"] == "2024-03-11T07:30:00Z"
    assert ferry["authors"] == [{"name": "Ana Lindqvist", "handle": None, "url": None}]
    assert [t["value"] for t in ferry["tags"] if t["kind"] == "category"] == [
        "Transport",
        "Eastport",
    ]
    assert ferry["language"] == "en-GB"
    assert ferry["text"].startswith("The harbour ferry will run every twenty minutes from Monday")
    assert "trackReader" not in ferry["text"]
    assert ferry["summary"] == "The harbour ferry will run every twenty minutes."
    assert "https://news.example.org/timetables/ferry.pdf" in ferry["links"]
    assert [(m["url"], m["caption"]) for m in ferry["media"]] == [
        ("https://news.example.org/img/ferry.jpg", "The morning ferry leaving Eastport.")
    ]
    rail = articles["Minister backs rail link – “a generational project”"]
    assert rail["published"] == "2024-03-14T17:05:00Z"
    assert rail["authors"][0]["name"] == "Tomas Berg"
    (embed,) = rail["embeds"]
    assert embed["author"]["handle"] == "elena_marchetti"
    assert embed["url"] == "https://twitter.com/elena_marchetti/status/1768312345678901234"
    assert embed["published"] == "2024-03-14"
    assert "feasibility study of the North" not in rail["text"]
    storm = articles["Storm warning lifted"]
    assert storm["text"] == "The coastguard lifted the storm warning for the Eastport coast."
    assert storm["published"] is None
    assert "entry has no date" in storm["warnings"]
    assert storm["media"][0]["kind"] == "audio"


def test_atom_sample_resolves_xml_base() -> None:
    articles = by_title(run_cli(["run", str(FEEDS / "city-council.atom")]))
    budget = articles["Budget approved & library delayed"]
    assert budget["url"] == "https://council.example.net/news/2024/budget-approved"
    assert budget["published"] == "2024-11-05T07:00:00Z"
    assert budget["updated"] == "2024-11-05T09:00:00Z"
    assert [a["name"] for a in budget["authors"]] == ["Priya Natarajan", "Hugo Brandt"]
    assert budget["authors"][0]["url"] == "https://council.example.net/people/natarajan"
    assert "Schools: +4%\n\nWaste collection fee: frozen" in budget["text"]
    assert "https://council.example.net/news/2024/budget-tables" in budget["links"]
    assert budget["source"]["origin_id"] == "tag:council.example.net,2024:budget-approved"
    assert budget["language"] == "en"
    road = articles["Road works on Mill Street"]
    assert road["text"] == "Mill Street will be closed to traffic for two weeks from 4 November."
    assert (road["published"], road["updated"]) == (None, "2024-10-28T12:00:00Z")


def test_json_feed_sample() -> None:
    articles = by_title(run_cli(["run", str(FEEDS / "library-updates.json")]))
    hours = articles["Opening hours extended"]
    assert hours["text"] == (
        "From next month the library opens until nine in the evening.\n\n"
        "The change follows a readers' survey."
    )
    assert hours["summary"] == "Later opening on weekdays."
    assert hours["authors"][0]["name"] == "Library team"
    assert hours["published"] == "2024-05-02T08:00:00Z"
    assert hours["media"][0]["url"] == "https://library.example.com/img/reading-room.jpg"
    talk = articles["Author talk: writing the coast"]
    assert talk["url"] == "https://library.example.com/news/author-talk"
    assert (
        talk["text"]
        == "Novelist Mirela Sousa reads from her new book on 12 June.\n\nEntry is free."
    )
    assert talk["authors"][0]["url"] == "https://library.example.com/staff/almeida"


def test_rdf_sample_in_latin1() -> None:
    articles = by_title(run_cli(["run", str(FEEDS / "regional-wire.rdf")]))
    bridge = articles["Brücke über die Weser für den Verkehr freigegeben"]
    assert bridge["language"] == "de"
    assert bridge["published"] == "2024-04-22T04:15:00Z"
    assert bridge["source"]["origin_id"] == "https://wire.example.de/meldung/4711"
    assert bridge["authors"][0]["name"] == "Jana Müller"


def test_ill_formed_feed_is_recovered_with_warnings() -> None:
    result = run_cli(["run", str(FEEDS / "harbour-blog-broken.xml")])
    assert result.exit_code == 0
    articles = by_title(result)
    fish = articles["Fish & chips stand reopens"]
    assert fish["published"] == "2024-04-06T11:00:00Z"
    assert fish["text"] == "The stand on the quay reopened on Saturday—with a new menu."
    assert any("not well-formed" in w for w in fish["warnings"])
    assert "Lighthouse open day" in articles


# -- the shared corpus ----------------------------------------------------------------


def test_whole_corpus_in_one_cli_run(corpus: Path, tmp_path: Path) -> None:
    """One run over everything: no traceback, one-line errors, valid output, no duplicates."""
    feeds = sorted(p for p in (corpus / "feeds").iterdir() if p.name != "MANIFEST.tsv")
    out = tmp_path / "out.jsonl"
    result = run_cli(["run", *(f"rss:{p}" for p in feeds), "-o", str(out)])
    assert "Traceback" not in result.stderr
    assert result.exit_code in (0, 1)
    assert len(result.error_lines) <= 2, result.error_lines
    with out.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    first_versions = [a["id"] for a in records if not a["relations"]]
    assert len(first_versions) == len(set(first_versions)) > 3900
    updates = [a for a in records if {"kind": "update_of", "id": a["id"]} in a["relations"]]
    assert all(a["id"] in first_versions for a in updates)


# -- hostile input --------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">\n'
    + b"".join(b'<!ENTITY lol%d "%s">\n' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10))
    + b']>\n<rss version="2.0"><channel><title>&lol9;</title>'
    + b"<item><title>&lol9;</title></item></channel></rss>"
)

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&secret;</title></item></channel></rss>"""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("laughs.xml", BILLION_LAUGHS, "refused: the document declares XML entities"),
        ("xxe.rss", XXE, "refused: the document declares XML entities"),
        ("junk.xml", os.urandom(2048).replace(b"<", b"") + b"\x00", "not a feed: binary data"),
        ("notafeed.json", b'{"hello": "world"}', "not a feed: JSON that is not a feed"),
        (
            "truncated.json",
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
            "not a feed: not valid JSON",
        ),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "not a feed"),
        (
            "page.xml",
            b"<!DOCTYPE html><html><body><rss>no</rss></body></html>",
            "expected a feed, got an HTML page",
        ),
        ("empty.rss", b"", "empty file"),
        ("nothing.xml", b"<?xml version='1.0'?><rss version='2.0'><channel><title>x", "no entries"),
    ],
)
def test_hostile_files_end_in_one_clear_line(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    result = run_cli(["run", f"rss:{bad}", str(FEEDS / "library-updates.json")])
    assert result.exit_code == 1
    (line,) = result.error_lines
    assert line.startswith(f"error: rss:{bad}: {message}"), line
    assert len(result.articles) == 2  # the good feed is still exported
    assert "root:" not in result.stdout  # /etc/passwd was never read


# -- over HTTP ------------------------------------------------------------------------


def test_feeds_over_http() -> None:
    rss = (FEEDS / "harbour-news.rss").read_bytes()
    bomb = gzip_bomb()
    xml = {"Content-Type": "application/rss+xml"}
    routes = {
        "/gzip.rss": lambda _: Reply(200, gzip.compress(rss), {**xml, "Content-Encoding": "gzip"}),
        "/moved.rss": lambda _: Reply(301, b"", {"Location": "/gzip.rss"}),
        "/missing.rss": lambda _: Reply(404, b"gone"),
        "/slow.rss": lambda _: Reply(200, rss, xml, delay=3),
        "/endless.rss": lambda _: Reply(200, dribble(rss[:200]), xml),
        "/huge.rss": lambda _: Reply(200, rss + b" " * 3_000_000, xml),
        "/page.rss": lambda _: Reply(
            200, b"<!doctype html><html><body>Hi</body></html>", {"Content-Type": "text/html"}
        ),
        "/bomb.rss": lambda _: Reply(200, bomb, {**xml, "Content-Encoding": "gzip"}),
    }
    settings = ["-s", "http.timeout=1", "-s", "http.deadline=2", "-s", "http.max_bytes=2000000"]
    with serve(routes) as server:
        result = run_cli(["run", *(f"rss:{server.url(p)}" for p in routes), *settings])
        agents = {headers.get("user-agent", "") for _, headers in server.requests}
    errors = {
        line.split(": ", 2)[1].removeprefix("rss:" + server.base): line
        for line in result.error_lines
    }
    assert result.exit_code == 1
    # The redirect leads to the same feed: its 3 entries have the same ids, exported once.
    assert len(result.articles) == 3
    assert "3 duplicates skipped" in result.stderr
    assert set(errors) == {
        "/missing.rss",
        "/slow.rss",
        "/endless.rss",
        "/huge.rss",
        "/page.rss",
        "/bomb.rss",
    }
    assert "HTTP 404" in errors["/missing.rss"]
    assert "timed out" in errors["/slow.rss"]
    assert "longer than 2" in errors["/endless.rss"]
    assert "limit" in errors["/huge.rss"]
    assert "limit" in errors["/bomb.rss"]
    assert errors["/page.rss"].endswith("expected a feed, got an HTML page (text/html)")
    assert all(agent.startswith("ingest/") for agent in agents)


def test_entries_sharing_one_link_keep_distinct_ids(tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Issue {n}</title><link>https://letters.example.org/index</link>"
        f"<description>Letter number {n}.</description></item>"
        for n in range(3)
    )
    feed = tmp_path / "letters.rss"
    feed.write_text(f'<rss version="2.0"><channel><title>L</title>{items}</channel></rss>')
    articles = run_cli(["run", str(feed)]).articles
    assert len({a["id"] for a in articles}) == 3
    assert {a["id_basis"] for a in articles} == {"content"}
    assert {a["url"] for a in articles} == {"https://letters.example.org/index"}


def test_a_changed_entry_under_a_known_guid_is_an_update(tmp_path: Path) -> None:
    item = '<item><guid isPermaLink="false">g-1</guid><title>{}</title></item>'
    feed = tmp_path / "edits.rss"
    feed.write_text(
        f'<rss version="2.0"><channel><link>https://e.example/</link>'
        f"{item.format('First take')}{item.format('First take')}{item.format('Corrected take')}"
        "</channel></rss>"
    )
    result = run_cli(["run", str(feed)])
    first, second = result.articles
    assert first["id"] == second["id"]
    assert first["relations"] == []
    assert second["relations"] == [{"kind": "update_of", "id": first["id"]}]
    assert "2 articles exported (1 as updates), 1 duplicate skipped" in result.stderr
