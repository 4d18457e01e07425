"""A fake Telegram Bot API on 127.0.0.1 for the posting tests: records calls, answers as told."""

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


@dataclass
class Call:
    token: str
    method: str
    fields: dict
    files: dict = field(default_factory=dict)  # name -> bytes


def ok(result=None):
    return 200, {"ok": True, "result": result if result is not None else True}


def too_many_requests(retry_after):
    description = f"Too Many Requests: retry after {retry_after}"
    return 429, {
        "ok": False,
        "error_code": 429,
        "description": description,
        "parameters": {"retry_after": retry_after},
    }


def server_error():
    return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}


def not_modified():
    return 400, {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message is not modified: specified new message content "
        "and reply markup are exactly the same as a current content and reply markup",
    }


def bad_request(description="Bad Request: chat not found"):
    return 400, {"ok": False, "error_code": 400, "description": description}


def slow(seconds, answer=None):
    """Answer after `seconds` (a request that outlives the client's deadline: no answer)."""

    def answer_later():
        time.sleep(seconds)
        return answer  # None: the usual success

    return answer_later


class BotAPIServer:
    """Answer Bot API calls: scripted answers first (per method), else success."""

    def __init__(self):
        self.calls = []
        self.scripts = {}  # method -> [answer, ...]
        self.lock = threading.Lock()
        self.next_message_id = 100
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.bot = self
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def script(self, method, *answers):
        """Answer the next calls of `method` with these, in order (then success again)."""
        self.scripts.setdefault(method, []).extend(answers)

    def methods(self):
        return [call.method for call in self.calls]

    def reset(self):
        with self.lock:
            self.calls.clear()
            self.scripts.clear()

    def answer(self, call):
        with self.lock:
            self.calls.append(call)
            scripted = self.scripts.get(call.method)
            answer = scripted.pop(0) if scripted else None
        if callable(answer):
            answer = answer()
        if answer is not None:
            return answer
        if not call.method.startswith("send"):
            return ok(True)
        with self.lock:
            self.next_message_id += 1
            return ok({"message_id": self.next_message_id, "chat": {"id": -1001234567890}})

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        _empty, bot_token, method = self.path.split("/", 2)
        fields, files = _form(self.headers.get("Content-Type", ""), body)
        call = Call(token=bot_token.removeprefix("bot"), method=method, fields=fields, files=files)
        status, answer = self.server.bot.answer(call)
        payload = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting

    def log_message(self, *args):
        pass


def _form(content_type, body):
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode(), keep_blank_values=True)), {}
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True)
        if part.get_filename():
            files[name] = content
        else:
            fields[name] = content.decode()
    return fields, files
