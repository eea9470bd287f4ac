#!/usr/bin/env python3
"""A stand-in `_bulk` endpoint for timing `tietopankki export --to`: it reads
each request, checks that every line is JSON, and acknowledges every item
(201 for index, 200 for delete), as Elasticsearch's documented response
shape. Usage: bulk-sink.py PORT_FILE (writes the port it listens on)."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        items, expect_source = [], False
        for line in body.splitlines():
            obj = json.loads(line)
            if expect_source:
                expect_source = False
                continue
            action, meta = next(iter(obj.items()))
            items.append({action: {"_index": meta.get("_index"), "_id": meta.get("_id"), "status": 200 if action == "delete" else 201}})
            expect_source = action != "delete"
        out = json.dumps({"took": 1, "errors": False, "items": items}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()
