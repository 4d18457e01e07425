"""A local HTTP server for feed import tests, and a guard that keeps tests on 127.0.0.1."""

import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.utils import translation
from PIL import Image

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
# Fixture feeds name the server by this placeholder, replaced with its real address when served.
PLACEHOLDER = b"http://feeds.test"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def recorded_errors(source):
    """Return the errors an import recorded on the source, in English (the messages' ids)."""
    with translation.override("en"):
        return source.import_errors()


def tiny_png(size=(64, 48), color=(40, 120, 200)):
    """Return the bytes of a real, small PNG picture."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def tiny_jpeg(size=(32, 24), color=(200, 40, 40)):
    """Return the bytes of a real, small JPEG picture."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


class FeedServer:
    """Serve routes: path -> (status, headers, body) or a function(handler) that answers."""

    def __init__(self):
        self.routes = {}
        self.requests = []  # (path, headers) of every request, in order
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.feeds = self
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path):
        return self.base + path

    def add(self, path, body=b"", status=200, content_type="application/xml", headers=None):
        if callable(body):
            self.routes[path] = body
        else:
            self.routes[path] = (status, {"Content-Type": content_type, **(headers or {})}, body)

    def add_fixture(self, path, name, content_type="application/rss+xml", headers=None):
        body = (FIXTURES / name).read_bytes().replace(PLACEHOLDER, self.base.encode())
        self.add(path, body, content_type=content_type, headers=headers)

    def paths(self):
        return [path for path, _headers in self.requests]

    def reset(self):
        self.routes.clear()
        self.requests.clear()

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        server = self.server.feeds
        server.requests.append((self.path, dict(self.headers)))
        route = server.routes.get(self.path)
        if route is None:
            return self.answer(404, {"Content-Type": "text/plain"}, b"not found")
        if callable(route):
            return route(self)
        return self.answer(*route)

    def answer(self, status, headers, body=b""):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers and status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should on oversized bodies

    def log_message(self, *args):
        pass


def slow(seconds):
    def answer(handler):
        time.sleep(seconds)
        handler.answer(200, {"Content-Type": "application/xml"}, b"<rss/>")

    return answer


def huge(size, declare_length):
    """Answer with `size` bytes of XML-ish data, streamed, with or without Content-Length."""

    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        if declare_length:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b"<!-- padding -->" * 4096
        try:
            for _ in range(size // len(chunk)):
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    return answer


def conditional(body, etag, content_type="application/rss+xml"):
    """Answer 304 when the client sends our ETag back, else the feed with the ETag."""

    def answer(handler):
        if handler.headers.get("If-None-Match") == etag:
            return handler.answer(304, {"ETag": etag})
        headers = {"Content-Type": content_type, "ETag": etag}
        headers["Last-Modified"] = "Thu, 22 Jan 2026 08:00:00 GMT"
        return handler.answer(200, headers, body)

    return answer


class NetworkGuard:
    """Refuse name look-ups and connections to anything but the loopback; record every try."""

    def __init__(self, monkeypatch):
        self.connections = []
        self.refused = []
        real_getaddrinfo = socket.getaddrinfo
        real_connect = socket.socket.connect

        def getaddrinfo(host, *args, **kwargs):
            name = host.decode() if isinstance(host, bytes) else str(host)
            if name not in LOOPBACK:
                self.refused.append(name)
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return real_getaddrinfo(host, *args, **kwargs)

        def connect(sock, address):
            host = address[0] if isinstance(address, tuple) else address
            self.connections.append(host)
            if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
                self.refused.append(host)
                raise ConnectionRefusedError(f"test guard: no connections to {host}")
            return real_connect(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)
