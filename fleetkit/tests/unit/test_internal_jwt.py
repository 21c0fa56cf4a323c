"""Internal tokens: only an Ed25519 token, signed by a known service, for us, and short-lived."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from fleetkit.internal_jwt import (
    MAX_TTL_SECONDS,
    InternalClaims,
    InvalidToken,
    TokenMinter,
    TokenVerifier,
    public_key_of,
)

PORTFOLIO_SEED = secrets.token_bytes(32)
EQUITY_SEED = secrets.token_bytes(32)
VERIFIER = TokenVerifier(
    "ledger",
    {"portfolio": public_key_of(PORTFOLIO_SEED), "equity": public_key_of(EQUITY_SEED)},
)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def valid_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "portfolio",
        "aud": "ledger",
        "sub": "user-1",
        "tenant": "tenant-a",
        "roles": ["owner"],
        "attrs": {},
        "iat": now,
        "nbf": now - 5,
        "exp": now + 60,
        "jti": "0",
    }
    claims.update(overrides)
    return claims


def sign_as_portfolio(claims: dict[str, Any], **headers: Any) -> str:
    key = Ed25519PrivateKey.from_private_bytes(PORTFOLIO_SEED)
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": "portfolio", **headers})


def test_a_valid_token_round_trips_with_its_claims():
    token = TokenMinter("portfolio", PORTFOLIO_SEED).mint(
        "ledger",
        subject="user-7",
        tenant_id="tenant-b",
        roles={"owner", "accountant"},
        attributes={"kyc": "verified", "jurisdiction": "DE"},
    )

    claims = VERIFIER.verify(token)

    assert claims == InternalClaims(
        issuer="portfolio",
        audience="ledger",
        subject="user-7",
        tenant_id="tenant-b",
        roles=frozenset({"owner", "accountant"}),
        attributes={"kyc": "verified", "jurisdiction": "DE"},
    )


def test_a_service_token_without_tenant_is_accepted_with_no_tenant():
    token = TokenMinter("equity", EQUITY_SEED).mint("ledger", subject="equity")

    claims = VERIFIER.verify(token)

    assert (claims.issuer, claims.subject, claims.tenant_id) == ("equity", "equity", None)
    assert claims.roles == frozenset()


def test_the_header_pins_eddsa_and_names_the_signer():
    token = TokenMinter("portfolio", PORTFOLIO_SEED).mint("ledger", subject="user-1")

    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": "portfolio", "typ": "JWT"}


def test_a_token_signed_by_another_key_under_a_known_kid_is_refused():
    forger = TokenMinter("portfolio", secrets.token_bytes(32))

    with pytest.raises(InvalidToken, match="Signature verification failed"):
        VERIFIER.verify(forger.mint("ledger", subject="user-1"))


def test_an_expired_token_is_refused():
    expired = TokenMinter("portfolio", PORTFOLIO_SEED, ttl_seconds=-60)

    with pytest.raises(InvalidToken, match="expired"):
        VERIFIER.verify(expired.mint("ledger", subject="user-1"))


def test_a_token_expired_beyond_the_clock_skew_is_refused_even_if_recently_issued():
    now = int(time.time())
    token = sign_as_portfolio(valid_claims(iat=now - 30, nbf=now - 30, exp=now - 10))

    with pytest.raises(InvalidToken, match="expired"):
        VERIFIER.verify(token)


def test_a_remembered_token_is_refused_once_it_expires():
    # Valid for about one more second (expired 4 s ago, within the 5 s clock skew).
    now = int(time.time())
    token = sign_as_portfolio(valid_claims(iat=now - 30, nbf=now - 30, exp=now - 4))
    verifier = TokenVerifier("ledger", {"portfolio": public_key_of(PORTFOLIO_SEED)})
    assert verifier.verify(token).subject == "user-1"
    assert verifier.verify(token).subject == "user-1"  # answered from memory

    time.sleep(max(0.0, now + 1.05 - time.time()))

    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


def test_remembered_tokens_are_bounded_and_the_oldest_is_forgotten_first():
    verifier = TokenVerifier("ledger", {"portfolio": public_key_of(PORTFOLIO_SEED)}, cache_size=2)
    tokens = [sign_as_portfolio(valid_claims(jti=str(n))) for n in range(3)]
    for token in tokens:
        verifier.verify(token)

    assert list(verifier._verified) == tokens[1:]


def test_a_token_not_yet_valid_is_refused():
    now = int(time.time())
    token = sign_as_portfolio(valid_claims(iat=now, nbf=now + 120, exp=now + 180))

    with pytest.raises(InvalidToken, match="not yet valid"):
        VERIFIER.verify(token)


def test_a_token_for_another_audience_is_refused():
    token = TokenMinter("portfolio", PORTFOLIO_SEED).mint("equity", subject="user-1")

    with pytest.raises(InvalidToken, match="Audience"):
        VERIFIER.verify(token)


def test_a_token_whose_issuer_is_not_its_signer_is_refused():
    token = sign_as_portfolio(valid_claims(iss="equity"))

    with pytest.raises(InvalidToken, match="issuer"):
        VERIFIER.verify(token)


def test_an_unsigned_alg_none_token_is_refused():
    header = b64url(json.dumps({"alg": "none", "kid": "portfolio"}).encode())
    payload = b64url(json.dumps(valid_claims()).encode())

    with pytest.raises(InvalidToken, match="algorithm not allowed"):
        VERIFIER.verify(f"{header}.{payload}.")


def test_an_hs256_token_keyed_with_the_public_key_is_refused():
    # Algorithm confusion: the verifier's public key must never be used as an HMAC secret.
    public_bytes = public_key_of(PORTFOLIO_SEED)
    token = jwt.encode(
        valid_claims(), public_bytes, algorithm="HS256", headers={"kid": "portfolio"}
    )

    with pytest.raises(InvalidToken, match="algorithm not allowed"):
        VERIFIER.verify(token)


def test_a_token_from_an_unknown_signer_is_refused():
    stranger = TokenMinter("stranger", secrets.token_bytes(32))

    with pytest.raises(InvalidToken, match="unknown signer"):
        VERIFIER.verify(stranger.mint("ledger", subject="user-1"))


def test_a_token_without_kid_is_refused():
    key = Ed25519PrivateKey.from_private_bytes(PORTFOLIO_SEED)
    token = jwt.encode(valid_claims(), key, algorithm="EdDSA")

    with pytest.raises(InvalidToken, match="unknown signer"):
        VERIFIER.verify(token)


def test_a_token_living_longer_than_the_maximum_is_refused():
    long_lived = TokenMinter("portfolio", PORTFOLIO_SEED, ttl_seconds=MAX_TTL_SECONDS + 1)

    with pytest.raises(InvalidToken, match="lifetime"):
        VERIFIER.verify(long_lived.mint("ledger", subject="user-1"))


def test_a_token_living_exactly_the_maximum_is_accepted():
    longest = TokenMinter("portfolio", PORTFOLIO_SEED, ttl_seconds=MAX_TTL_SECONDS)

    assert VERIFIER.verify(longest.mint("ledger", subject="user-1")).subject == "user-1"


@pytest.mark.parametrize("missing", ["exp", "iat", "aud", "iss", "sub"])
def test_a_token_missing_a_required_claim_is_refused(missing: str):
    claims = valid_claims()
    del claims[missing]

    with pytest.raises(InvalidToken):
        VERIFIER.verify(sign_as_portfolio(claims))


@pytest.mark.parametrize("garbage", ["", "garbage", "a.b.c", "..", "Bearer x", "ey.ey.ey"])
def test_a_garbage_string_is_refused(garbage: str):
    with pytest.raises(InvalidToken):
        VERIFIER.verify(garbage)


def test_a_token_with_a_tampered_payload_is_refused():
    token = TokenMinter("portfolio", PORTFOLIO_SEED).mint("ledger", subject="user-1")
    header, _, signature = token.split(".")
    payload = b64url(json.dumps(valid_claims(sub="admin", roles=["admin"])).encode())

    with pytest.raises(InvalidToken, match="Signature verification failed"):
        VERIFIER.verify(f"{header}.{payload}.{signature}")


@given(st.text())
def test_any_random_string_is_refused_with_invalid_token(candidate: str):
    with pytest.raises(InvalidToken):
        VERIFIER.verify(candidate)


_segment = st.one_of(
    st.binary(max_size=80).map(b64url),
    st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=3).map(
        lambda d: b64url(json.dumps(d).encode())
    ),
    st.sampled_from(
        [
            b64url(b'{"alg":"EdDSA","kid":"portfolio"}'),
            b64url(b'{"alg":"EdDSA","kid":["portfolio"]}'),
            b64url(b'{"alg":"EdDSA","kid":null}'),
            b64url(b"[]"),
            b64url(b"null"),
        ]
    ),
)


@given(st.lists(_segment, min_size=1, max_size=4).map(".".join))
def test_any_jwt_shaped_string_is_refused_with_invalid_token(candidate: str):
    with pytest.raises(InvalidToken):
        VERIFIER.verify(candidate)


def test_a_string_with_a_lone_surrogate_is_refused_with_invalid_token():
    with pytest.raises(InvalidToken):
        VERIFIER.verify("eyJhbGciOiJFZERTQSJ9.\ud800.x")
