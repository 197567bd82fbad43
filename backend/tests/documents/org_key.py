"""An agency's own signing side, written with nothing of silkbridge: Python's `cryptography`
for Ed25519 and the standard library for JWS (RFC 7515) and the JWK thumbprint (RFC 7638).

  org_key.py keygen KEY.pem              -> {"x": ..., "kid": ...}; writes a PKCS#8 PEM
  org_key.py statement KEY.pem ORG_ID    -> the key's registration statement (compact JWS)
  org_key.py sign KEY.pem SIGNING_INPUT  -> a detached JWS (header..signature) of the payload
"""

import base64
import datetime
import hashlib
import json
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load(path: str) -> Ed25519PrivateKey:
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def public_x(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return b64(raw)


def thumbprint(x: str) -> str:
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True
    )
    return b64(hashlib.sha256(canonical.encode()).digest())


def signed(key: Ed25519PrivateKey, payload_b64: str) -> tuple[str, str]:
    kid = thumbprint(public_x(key))
    header = b64(json.dumps({"alg": "EdDSA", "kid": kid}).encode())
    signature = key.sign(f"{header}.{payload_b64}".encode())
    return header, b64(signature)


def main() -> None:
    command, path = sys.argv[1], sys.argv[2]
    if command == "keygen":
        key = Ed25519PrivateKey.generate()
        with open(path, "wb") as f:
            f.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        x = public_x(key)
        print(json.dumps({"x": x, "kid": thumbprint(x)}))
    elif command == "statement":
        key = load(path)
        statement = {
            "purpose": "silkbridge-document-signing-key",
            "organisation": sys.argv[3],
            "key": {"kty": "OKP", "crv": "Ed25519", "x": public_x(key)},
            "issuedAt": datetime.datetime.now(datetime.timezone.utc)
            .replace(microsecond=0)
            .isoformat()
            .replace("+00:00", "Z"),
        }
        payload = b64(json.dumps(statement).encode())
        header, signature = signed(key, payload)
        print(f"{header}.{payload}.{signature}")
    elif command == "sign":
        header, signature = signed(load(path), sys.argv[3])
        print(f"{header}..{signature}")
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
