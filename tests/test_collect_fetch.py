"""Fetching against a real local HTTP server: every fault the issue lists, none of them crashing."""

from __future__ import annotations

import time

import pytest
from test_collect_support import (  # noqa: F401  (fixtures)
    LocalSite,
    _private_inbox,
    endless,
    fast_policy,
    fixture_page,
    gzip_page,
    page,
    redirect,
    silent,
    site,
)

from research.collect.extract import product_from_html
from research.collect.fetch import FetchError, Fetcher, FetchPolicy, check_address, decode_body


def fetch(url: str, **policy: object):
    fetcher = Fetcher(fast_policy(**policy))
    try:
        return fetcher.fetch(url)
    finally:
        fetcher.close()


def test_default_policy_refuses_loopback_and_private_addresses(site: LocalSite) -> None:
    site.routes["/p"] = page("<h1>hi</h1>")
    result = Fetcher(FetchPolicy(host_interval=0)).fetch(site.url("/p"))
    assert result.status == "error" and "loopback" in result.message
    assert site.hits("/p") == 0
    for url in ("http://10.1.2.3/", "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://2130706433/",
                "http://0x7f.1/", "http://metadata.google.internal/"):
        with pytest.raises(FetchError):
            check_address(url, FetchPolicy())


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x.html", "javascript:alert(1)", "data:text/html,hi"])
def test_non_http_schemes_are_refused_before_any_io(url: str) -> None:
    result = fetch(url)
    assert result.status == "error" and "http" in result.message


def test_ok_page_with_etag_then_conditional_get_not_modified(site: LocalSite) -> None:
    def handle(req):
        if req.headers.get("If-None-Match") == '"v1"':
            req.send_response(304)
            req.send_header("ETag", '"v1"')
            req.end_headers()
            return
        page("<h1>Box</h1><span class='price'>€ 10,00</span>", ETag='"v1"')(req)

    site.routes["/p"] = handle
    fetcher = Fetcher(fast_policy())
    first = fetcher.fetch(site.url("/p"))
    assert first.status == "ok" and first.etag == '"v1"' and "Box" in first.html
    second = fetcher.fetch(site.url("/p"), conditional={"etag": first.etag})
    assert second.status == "not_modified" and second.http_status == 304


def test_404_and_500_are_errors(site: LocalSite) -> None:
    site.routes["/500"] = page("boom", status=500)
    assert fetch(site.url("/missing")).status == "error"
    result = fetch(site.url("/500"))
    assert result.status == "error" and "500" in result.message


def test_429_with_retry_after_is_honoured_then_succeeds(site: LocalSite) -> None:
    calls = []

    def handle(req):
        calls.append(time.monotonic())
        if len(calls) == 1:
            page("slow down", status=429, Retry_After="1")(req)
        else:
            page("<h1>ok</h1>")(req)

    site.routes["/p"] = handle
    result = fetch(site.url("/p"), total_timeout=5)
    assert result.status == "ok"
    assert calls[1] - calls[0] >= 0.95


def test_429_asking_too_long_a_wait_is_blocked_not_changed(site: LocalSite) -> None:
    site.routes["/p"] = page("slow down", status=429, Retry_After="3600")
    result = fetch(site.url("/p"))
    assert result.status == "blocked"


def test_403_and_captcha_pages_are_blocked(site: LocalSite) -> None:
    site.routes["/403"] = page("no", status=403)
    site.routes["/captcha"] = fixture_page("captcha.html")
    assert fetch(site.url("/403")).status == "blocked"
    assert fetch(site.url("/captcha")).status == "blocked"


def test_server_that_never_answers_times_out(site: LocalSite) -> None:
    site.routes["/p"] = silent(5)
    started = time.monotonic()
    result = fetch(site.url("/p"), retries=0)
    assert result.status == "error"
    assert time.monotonic() - started < 2.5


def test_slow_drip_body_is_stopped_at_the_total_deadline(site: LocalSite) -> None:
    site.routes["/p"] = endless(chunk=b"x", delay=0.05)
    started = time.monotonic()
    result = fetch(site.url("/p"), retries=0, total_timeout=1.0, max_bytes=10_000_000)
    assert result.status == "error" and "deadline" in result.message
    assert time.monotonic() - started < 2.5


def test_endless_body_is_cut_at_the_size_cap(site: LocalSite) -> None:
    site.routes["/p"] = endless()
    result = fetch(site.url("/p"), total_timeout=5)
    assert result.status == "error" and "cap" in result.message and result.html is None


def test_redirect_loop_stops(site: LocalSite) -> None:
    site.routes["/a"] = redirect("/b")
    site.routes["/b"] = redirect("/a")
    result = fetch(site.url("/a"))
    assert result.status == "error" and "loop" in result.message


def test_too_many_redirects_stop_at_five(site: LocalSite) -> None:
    for i in range(8):
        site.routes[f"/r{i}"] = redirect(f"/r{i + 1}")
    result = fetch(site.url("/r0"))
    assert result.status == "error" and "redirects" in result.message
    assert site.hits("/r6") == 0


def test_redirect_to_a_forbidden_address_is_refused_at_that_hop(site: LocalSite) -> None:
    site.routes["/go"] = redirect("http://169.254.169.254/latest/meta-data/")
    result = fetch(site.url("/go"))
    assert result.status == "error" and "link-local" in result.message
    site.routes["/file"] = redirect("file:///etc/passwd")
    assert fetch(site.url("/file")).status == "error"


def test_robots_disallow_skips_and_is_cached(site: LocalSite) -> None:
    site.routes["/robots.txt"] = page("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.routes["/private/p"] = page("<h1>secret</h1>")
    site.routes["/public"] = page("<h1>open</h1>")
    fetcher = Fetcher(fast_policy())
    assert fetcher.fetch(site.url("/private/p")).status == "skipped"
    assert fetcher.fetch(site.url("/public")).status == "ok"
    assert site.hits("/private/p") == 0 and site.hits("/robots.txt") == 1


def test_windows_1251_declared_only_in_meta_is_decoded(site: LocalSite) -> None:
    site.routes["/p"] = fixture_page("rs_microdata_1251.html", content_type="text/html")
    result = fetch(site.url("/p"))
    assert result.status == "ok"
    product = product_from_html(result.html, result.final_url)
    assert product["name"] == "Палета дрвена EUR 1200x800" and product["brand"] == "Дрвопак"


def test_gzip_encoded_response_is_decoded(site: LocalSite) -> None:
    site.routes["/p"] = gzip_page("<h1>Gzip box</h1><span class='price'>$5.00</span>")
    result = fetch(site.url("/p"))
    assert result.status == "ok" and "Gzip box" in result.html


def test_non_html_content_is_refused(site: LocalSite) -> None:
    site.routes["/img"] = page(b"\x89PNG....", content_type="image/png")
    result = fetch(site.url("/img"))
    assert result.status == "error" and "image/png" in result.message


def test_user_agent_names_vantage(site: LocalSite) -> None:
    site.routes["/p"] = page("<h1>x</h1>")
    fetch(site.url("/p"))
    headers = next(h for p, h, _ in site.requests if p == "/p")
    assert "Vantage" in headers["User-Agent"]


def test_per_host_interval_spaces_requests(site: LocalSite) -> None:
    site.routes["/p"] = page("<h1>x</h1>")
    fetcher = Fetcher(fast_policy(host_interval=0.3, respect_robots=False))
    for _ in range(3):
        fetcher.fetch(site.url("/p"))
    times = [t for p, _, t in site.requests if p == "/p"]
    assert times[2] - times[0] >= 0.55


def test_bad_bytes_and_wrong_charset_decode_with_replacements_only() -> None:
    text = decode_body("Цена: 1.299,00 дин.".encode("utf-8") + b"\xff", "text/html; charset=utf-8")
    assert text.startswith("Цена: 1.299,00 дин.") and text.endswith("\ufffd")
    assert decode_body("<meta charset='windows-1251'>Цена".encode("cp1251"), None).endswith("Цена")
