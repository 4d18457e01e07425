"""The importers' HTTP client under hostile servers (issue 17): an overall deadline, public
addresses only, the checked address pinned for the connection, an empty feed said plainly."""

import ipaddress
import socket
import time

import pytest
from django.utils import translation

from articles.importers import http
from articles.importers.feeds import import_source
from articles.models import ImportStatus, Source
from articles.tests.feed_server import FeedServer, recorded_errors

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture(scope="module")
def feed_server():
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(feed_server):
    feed_server.reset()
    return feed_server


def trickle(seconds_per_byte, total_bytes, *, in_headers=False):
    """Answer one byte every few seconds: in the body, or before the headers are complete."""

    def answer(handler):
        out = handler.wfile
        try:
            if in_headers:
                out.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(total_bytes):
                    out.write(b"X")
                    out.flush()
                    time.sleep(seconds_per_byte)
                return
            out.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
            out.write(f"Content-Length: {total_bytes}\r\n\r\n".encode())
            out.flush()
            for _ in range(total_bytes):
                out.write(b" ")
                out.flush()
                time.sleep(seconds_per_byte)
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    return answer


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_trickling_server_is_cut_at_the_deadline(server, in_headers):
    # Each byte comes well within the read timeout; only an overall deadline stops this.
    server.add("/trickle", trickle(0.2, 100, in_headers=in_headers))
    limits = http.Limits(connect_timeout=2, total_timeout=1.0)
    started = time.monotonic()

    with pytest.raises(http.FetchError, match=r"timed out after 1 s"):
        http.fetch(server.url("/trickle"), limits=limits, http=http.session(public_only=False))

    assert time.monotonic() - started < 2.0


def test_a_source_trickling_its_feed_is_recorded_as_timed_out(server, db, settings):
    settings.FEED_IMPORT_PRIVATE_HOSTS = True
    server.add("/trickle", trickle(0.2, 100))
    source = Source.objects.create(name="Yavaş", slug="yavas", feed_url=server.url("/trickle"))
    started = time.monotonic()

    report = import_source(source, limits=http.Limits(connect_timeout=2, total_timeout=1.0))

    assert time.monotonic() - started < 2.0
    source.refresh_from_db()
    assert source.last_status == ImportStatus.FAILED
    assert recorded_errors(source) == ["timed out after 1 s"]
    assert report.error == "timed out after 1 s"


REFUSED = [
    "0.0.0.0", "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "100.127.255.254", "224.0.0.1", "239.255.255.250",
    "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::",
    "2002:c0a8:101::", "64:ff9b::7f00:1", "64:ff9b::a00:1",
]  # fmt: skip
PUBLIC = ["8.8.8.8", "93.184.216.34", "185.13.226.10", "2606:4700:4700::1111", "2a00:1450::1"]


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_not_public(address):
    assert http.is_public_address(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize("address", PUBLIC)
def test_internet_addresses_are_public(address):
    assert http.is_public_address(ipaddress.ip_address(address)) is True


@pytest.fixture
def fake_dns(monkeypatch):
    """Let tests name hosts: `fake_dns["name.test"] = ["127.0.0.1", ...]`; count the look-ups.

    127.0.0.1 stands for "the internet" (it is where the test server is); 127.0.0.2 stays an
    internal address.
    """
    answers, lookups = {}, []

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in answers:
            lookups.append(name)
            queue = answers[name]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            return REAL_GETADDRINFO(address, port, *args, **kwargs)
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    real_public = http.is_public_address
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(
        http,
        "is_public_address",
        lambda address: str(address) == "127.0.0.1" or real_public(address),
    )
    return answers, lookups


def test_a_feed_on_a_loopback_address_is_refused_before_connecting(server):
    server.add("/feed.xml", b"<rss/>")
    url = server.url("/feed.xml").replace("127.0.0.1", "localhost")

    with pytest.raises(http.FetchError, match=r"localhost is a non-public address"):
        http.fetch(url, http=http.session(public_only=True))

    assert server.paths() == []


def test_a_redirect_to_an_internal_address_is_refused(server, fake_dns):
    answers, _lookups = fake_dns
    answers["news.test"] = ["127.0.0.1"]
    answers["intranet.test"] = ["127.0.0.2"]
    port = server.httpd.server_port
    server.add("/feed.xml", status=302, headers={"Location": f"http://intranet.test:{port}/x"})
    server.add("/x", b"<rss>internal</rss>")

    with pytest.raises(http.FetchError, match=r"intranet.test is a non-public address"):
        http.fetch(f"http://news.test:{port}/feed.xml", http=http.session(public_only=True))

    assert server.paths() == ["/feed.xml"]


def test_a_name_with_any_internal_address_is_refused(server, fake_dns, monkeypatch):
    def both(host, port, *args, **kwargs):
        if host == "mixed.test":
            return REAL_GETADDRINFO("127.0.0.1", port, *args) + REAL_GETADDRINFO(
                "127.0.0.2", port, *args
            )
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", both)
    with pytest.raises(http.FetchError, match=r"mixed.test is a non-public address \(127.0.0.2\)"):
        http.fetch(f"http://mixed.test:{server.httpd.server_port}/", http=http.session())


def test_the_connection_goes_to_the_address_that_was_checked(server, fake_dns):
    """DNS rebinding: the name answers a public address for the check, then an internal one."""
    answers, lookups = fake_dns
    answers["rebind.test"] = ["127.0.0.1", "127.0.0.2"]
    server.add("/feed.xml", b"<rss>public</rss>")
    port = server.httpd.server_port

    response = http.fetch(f"http://rebind.test:{port}/feed.xml", http=http.session())

    assert response.content == b"<rss>public</rss>"
    assert lookups == ["rebind.test"]  # resolved once: the connection used the checked address
    _path, headers = server.requests[-1]
    assert headers["Host"] == f"rebind.test:{port}"  # the server still sees the name


def test_private_hosts_are_reachable_only_when_configured(server, settings):
    server.add("/feed.xml", b"<rss/>")
    settings.FEED_IMPORT_PRIVATE_HOSTS = False
    with pytest.raises(http.FetchError, match="non-public"):
        http.fetch(server.url("/feed.xml"))

    settings.FEED_IMPORT_PRIVATE_HOSTS = True
    assert http.fetch(server.url("/feed.xml")).content == b"<rss/>"


def test_fetch_refuses_a_session_that_does_not_check_addresses(server):
    import requests

    with pytest.raises(TypeError, match="session"):
        http.fetch(server.url("/"), http=requests.Session())


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("az", "lent boşdur: server heç bir məzmun qaytarmadı"),
        ("ru", "лента пуста: сервер ничего не прислал"),
    ],
)
def test_an_empty_feed_is_said_plainly(server, db, settings, language, message):
    settings.FEED_IMPORT_PRIVATE_HOSTS = True
    server.add("/empty", b"", content_type="application/rss+xml")
    source = Source.objects.create(name="Boş", slug="bos", feed_url=server.url("/empty"))

    with translation.override(language):
        report = import_source(source)

    assert report.status == ImportStatus.FAILED
    source.refresh_from_db()
    with translation.override(language):
        assert source.import_errors() == [message]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server for "secure.test" (a self-signed certificate made by openssl)."""
    import shutil
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", key, "-out", cert, "-subj", "/CN=secure.test",
         "-addext", "subjectAltName=DNS:secure.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    seen = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen["host"] = self.headers["Host"]
            self.send_response(200)
            self.send_header("Content-Length", "14")
            self.end_headers()
            self.wfile.write(b"<rss>tls</rss>")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _context: seen.__setitem__("sni", name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, str(cert), seen
    server.shutdown()


def test_https_to_the_pinned_address_still_checks_the_name(tls_server, fake_dns):
    port, cert, seen = tls_server
    answers, lookups = fake_dns
    answers["secure.test"] = ["127.0.0.1", "127.0.0.2"]
    answers["other.test"] = ["127.0.0.1"]
    client = http.session()
    client.verify = cert  # trust the test's certificate, still checked

    response = http.fetch(f"https://secure.test:{port}/feed", http=client)

    assert response.content == b"<rss>tls</rss>"
    assert lookups == ["secure.test"]
    assert seen == {"sni": "secure.test", "host": f"secure.test:{port}"}
    with pytest.raises(http.FetchError, match="doesn't match 'secure.test'"):
        http.fetch(f"https://other.test:{port}/feed", http=client)


@pytest.mark.parametrize("url", ["http://[::1/", "http://example.com:99999/", "ftp://example.com/"])
def test_a_malformed_address_is_a_clear_fetch_error(url):
    with pytest.raises(http.FetchError, match="not an http"):
        http.fetch(url, http=http.session())


def test_a_malformed_redirect_is_a_clear_fetch_error(server, settings):
    settings.FEED_IMPORT_PRIVATE_HOSTS = True
    server.add("/bad-redirect", status=302, headers={"Location": "http://[::1/x"})

    with pytest.raises(http.FetchError, match="not an http"):
        http.fetch(server.url("/bad-redirect"), http=http.session())
