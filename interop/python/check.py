"""The Python interop check: pubsubctl's emulator pushes to a real FastAPI
app (app.py, served by uvicorn), whose google-auth verifies the OIDC token
against the emulator's certificate URL.

  python3 check.py PUBSUBCTL PUBLISH

PUBSUBCTL is a pubsubctl binary, PUBLISH the interop/python/publish
binary. The check starts the app on a free port, then
`pubsubctl emulator --config config --var push_endpoint=...` (the URL of
the certificates comes from the line it prints next to the export line),
publishes three messages with attributes and one ordering key, and asserts
that the app verified and acknowledged them in order, with their
attributes and ordering key; then that requests with forged tokens (a
tampered payload, a token signed by another key with the emulator's key
ID, another audience, none at all) get 401 and are not processed.
Every wait is bounded; exit status 0 means every assertion held.
"""

import base64
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

import requests
import uvicorn
from google.auth import crypt, jwt

import app as pushapp

HERE = os.path.dirname(os.path.abspath(__file__))
AUDIENCE = "https://orders.example.com"
SERVICE_ACCOUNT = "pusher@interop-project.iam.gserviceaccount.com"
PROJECT = "interop-project"
WAIT_SECONDS = 30


def fail(msg):
    print(f"FAIL {msg}", file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print(f"ok   {msg}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_app(port):
    config = uvicorn.Config(pushapp.app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            fail("uvicorn did not start")
        time.sleep(0.05)
    return server, thread


def start_emulator(pubsubctl, endpoint):
    """Starts the emulator; returns the process, its address and the certificate URL."""
    proc = subprocess.Popen(
        [pubsubctl, "emulator", "--port", "0", "--print-env", "--config", os.path.join(HERE, "config"),
         "--var", f"push_endpoint={endpoint}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    addr = certs = None
    lines = []
    # Reading stops at the line that comes last; a dead process ends stdout.
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        m = re.match(r"^export PUBSUB_EMULATOR_HOST=(\S+)$", line)
        if m:
            addr = m.group(1)
        m = re.search(r"certs at (http://\S+)", line)
        if m:
            certs = m.group(1)
        if addr and certs:
            break
    if not addr or not certs:
        proc.kill()
        fail("the emulator printed no address or certificate URL:\n" + "\n".join(lines) + "\n" + proc.stderr.read())
    threading.Thread(target=proc.stderr.read, daemon=True).start()  # never blocks the emulator
    return proc, addr, certs


def wait_received(n):
    deadline = time.monotonic() + WAIT_SECONDS
    with pushapp.arrived:
        while len(pushapp.received) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f"the app has {len(pushapp.received)} verified messages after {WAIT_SECONDS}s, want {n}; "
                     f"rejected: {pushapp.rejected}")
            pushapp.arrived.wait(left)
        return list(pushapp.received)


def forged_tokens(genuine):
    """Tokens that must not verify, each with what is wrong with it."""
    header_b64, _, signature = genuine.split(".")
    claims = jwt.decode(genuine, verify=False)
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=" * (-len(header_b64) % 4)))

    tampered = dict(claims, email="attacker@evil.example.com")
    tampered_b64 = base64.urlsafe_b64encode(json.dumps(tampered).encode()).decode().rstrip("=")
    yield "a genuine signature on a tampered payload", f"{header_b64}.{tampered_b64}.{signature}"

    import rsa  # google-auth's own RSA dependency
    _, private = rsa.newkeys(2048)
    signer = crypt.RSASigner.from_string(private.save_pkcs1().decode(), key_id=header.get("kid"))
    forged = dict(claims, iat=int(time.time()), exp=int(time.time()) + 3600)
    yield "signed by another key with the emulator's key ID", jwt.encode(signer, forged).decode()

    yield "not a JWT", "not-a-token"


def main():
    if len(sys.argv) != 3:
        fail("usage: check.py PUBSUBCTL PUBLISH")
    pubsubctl, publish = sys.argv[1], sys.argv[2]
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/push"
    server, thread = serve_app(port)
    emu, addr, certs = start_emulator(pubsubctl, endpoint)
    try:
        ok(f"emulator at {addr}, push tokens verified against {certs}, app at {endpoint}")
        pushapp.settings.certs_url = certs
        pushapp.settings.audience = AUDIENCE
        pushapp.settings.service_account = SERVICE_ACCOUNT

        keys = requests.get(certs, timeout=5).json()
        if not keys or not all("BEGIN CERTIFICATE" in v for v in keys.values()):
            fail(f"{certs} is not a map of key ID to PEM certificate: {keys}")
        ok(f"{certs} serves {len(keys)} certificate(s)")

        env = dict(os.environ, PUBSUB_EMULATOR_HOST=addr)
        want = [f"order-{i}" for i in range(1, 4)]
        for data in want:
            subprocess.run([publish, "-project", PROJECT, "-topic", "orders", "-data", data,
                            "-ordering-key", "customer-42", "-attr", "kind=created", "-attr", f"seq={data[-1]}"],
                           env=env, check=True, timeout=WAIT_SECONDS, stdout=subprocess.DEVNULL)
        got = wait_received(len(want))
        if [m["data"] for m in got[:3]] != want:
            fail(f"messages arrived as {[m['data'] for m in got]}, want {want} in order")
        for m in got[:3]:
            if m["attributes"] != {"kind": "created", "seq": m["data"][-1]}:
                fail(f"{m['data']} arrived with attributes {m['attributes']}")
            if m["ordering_key"] != "customer-42":
                fail(f"{m['data']} arrived with ordering key {m['ordering_key']!r}, want customer-42")
            if m["subscription"] != f"projects/{PROJECT}/subscriptions/orders-push":
                fail(f"{m['data']} arrived for subscription {m['subscription']!r}")
            if not m["message_id"]:
                fail(f"{m['data']} arrived without a message ID")
        ok(f"the app verified and acknowledged {want} in order, with attributes and ordering key customer-42")

        genuine = got[0]["token"]
        body = {"message": {"data": "Zm9yZ2Vk", "messageId": "forged", "attributes": {}},
                "subscription": f"projects/{PROJECT}/subscriptions/orders-push"}
        before = len(pushapp.received)
        cases = list(forged_tokens(genuine))
        for what, token in cases:
            r = requests.post(endpoint, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5)
            if r.status_code != 401:
                fail(f"a forged token ({what}): the app answered {r.status_code}, want 401")
            ok(f"a forged token ({what}): 401, {pushapp.rejected[-1]}")
        r = requests.post(endpoint, json=body, timeout=5)
        if r.status_code != 401:
            fail(f"no token: the app answered {r.status_code}, want 401")
        ok("no token: 401")
        pushapp.settings.audience = "https://another-service.example.com"
        r = requests.post(endpoint, json=body, headers={"Authorization": f"Bearer {genuine}"}, timeout=5)
        pushapp.settings.audience = AUDIENCE
        if r.status_code != 401:
            fail(f"a genuine token for another audience: the app answered {r.status_code}, want 401")
        ok("a genuine token for another audience: 401")
        r = requests.post(endpoint, json=body, headers={"Authorization": f"Bearer {genuine}"}, timeout=5)
        if r.status_code != 204:
            fail(f"the genuine token again: the app answered {r.status_code}, want 204")
        ok("the genuine token: 204")
        if len(pushapp.received) != before + 1 or pushapp.received[-1]["message_id"] != "forged":
            fail("a request with a forged token was processed")
        ok("no request with a forged token was processed")
    finally:
        emu.terminate()
        try:
            emu.wait(timeout=10)
        except subprocess.TimeoutExpired:
            emu.kill()
        server.should_exit = True
        thread.join(timeout=10)
    print("PASS python interop: FastAPI + google-auth verify the emulator's push tokens")


if __name__ == "__main__":
    main()
