"""`gicrawler schedule` never shows a password: scrapyd credentials in the URL become HTTP basic
auth; the store URI in the crawl commands it prints is masked."""
from __future__ import annotations

import argparse
import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gicrawler.commands import schedule


def run_schedule(argv) -> int:
    parser = argparse.ArgumentParser()
    schedule.add_arguments(parser)
    return schedule.run(parser.parse_args(argv))


def test_scrapyd_credentials_go_in_a_header_and_never_in_the_output(capsys):
    auths = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            auths.append(self.headers.get("Authorization"))
            data = json.dumps({"status": "ok", "jobid": "j1"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://admin:s3cr%40t@127.0.0.1:{server.server_address[1]}"
        assert run_schedule(["zibo", "--scrapyd", url]) == 0
    finally:
        server.shutdown()
        server.server_close()
    assert auths == ["Basic " + base64.b64encode(b"admin:s3cr@t").decode()]
    # nothing listening: the error names the server, not the password
    assert run_schedule(["zibo", "--scrapyd", "http://admin:s3cret@127.0.0.1:1"]) == 2
    captured = capsys.readouterr()
    assert "s3cr" not in captured.out + captured.err
    assert "scheduled job j1 on http://***@127.0.0.1:" in captured.out
    assert captured.err.startswith("gicrawler schedule: http://***@127.0.0.1:1/schedule.json: ")


def test_local_crawl_commands_are_printed_without_the_store_password(capsys):
    cmd = [sys.executable, "-c", "pass", "-s", "STORE_URI=mongodb://gi:s3cret@db:27017/gicrawler"]
    assert schedule.run_local([("zibo", cmd)], jobs=1) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out and "STORE_URI=mongodb://***@db:27017/gicrawler" in out
