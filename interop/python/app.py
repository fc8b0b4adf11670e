"""A FastAPI service that receives Pub/Sub push requests and verifies their
OIDC token, as a Cloud Run or GKE service does in production.

The token is checked with google-auth's id_token.verify_token against
CERTS_URL (Google's https://www.googleapis.com/oauth2/v1/certs in
production; the emulator's certificate URL locally) and AUDIENCE, then its
issuer and service account. A request without a valid token gets 401 and
is not processed; a verified message is recorded and acknowledged (204).
"""

import base64
import threading

from fastapi import FastAPI, Request, Response
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")


class Settings:
    """What the app verifies tokens against; set before it serves."""

    certs_url = "https://www.googleapis.com/oauth2/v1/certs"
    audience = ""
    service_account = ""


settings = Settings()
app = FastAPI()
received = []  # the verified messages, in the order they arrived
rejected = []  # why requests were refused
lock = threading.Lock()
arrived = threading.Condition(lock)
_transport = google_requests.Request()


def verify(authorization):
    """Returns the verified claims of a "Bearer TOKEN" header, or raises ValueError."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ValueError("no bearer token")
    claims = id_token.verify_token(token, _transport, audience=settings.audience, certs_url=settings.certs_url)
    if claims.get("iss") not in GOOGLE_ISSUERS:
        raise ValueError(f"issuer {claims.get('iss')!r} is not Google")
    if claims.get("email") != settings.service_account or not claims.get("email_verified"):
        raise ValueError(f"email {claims.get('email')!r} is not the push service account")
    return claims


@app.post("/push")
async def push(request: Request):
    try:
        claims = verify(request.headers.get("authorization"))
    except Exception as e:  # google-auth raises ValueError, and others for malformed tokens
        with lock:
            rejected.append(str(e))
        return Response(status_code=401)
    body = await request.json()
    message = body["message"]
    record = {
        "data": base64.b64decode(message.get("data", "")).decode(),
        "attributes": message.get("attributes", {}),
        "ordering_key": message.get("orderingKey", ""),
        "message_id": message.get("messageId", ""),
        "subscription": body.get("subscription", ""),
        "email": claims["email"],
        "token": request.headers["authorization"].split(" ", 1)[1],
    }
    with arrived:
        received.append(record)
        arrived.notify_all()
    return Response(status_code=204)
