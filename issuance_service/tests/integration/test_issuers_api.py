"""Issuers: registration, KYC documents stored safely, the compliance decision."""

import hashlib
import uuid

PDF = b"%PDF-1.7\n% a tiny but real-looking pdf\n"  # the one the platform fixture uploads


async def test_an_issuer_passes_kyc_on_its_documents_with_a_reason(platform, issuance):
    issuer = await platform.verified_issuer()
    assert issuer["kyc_status"] == "verified"
    assert issuer["kyc_reason"] == "documents match the state registry"
    assert issuer["kyc_reviewed_by"] == "officer-1"
    response = await issuance.get(
        f"/v1/issuers/{issuer['id']}/documents", headers=issuance.as_("compliance")
    )
    [document] = response.json()
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (document["content_type"], document["size"]) == ("application/pdf", len(PDF))


async def test_a_document_is_judged_by_its_content_not_its_name(platform, issuance, books):
    cash = await books.user("acme")
    manager = issuance.as_("manager")
    issuer = (
        await issuance.post(
            "/v1/issuers", json={"name": "Acme", "cash_account_id": str(cash)}, headers=manager
        )
    ).json()
    path = f"/v1/issuers/{issuer['id']}/documents"

    def upload(doc_type: str, content: bytes):
        return issuance.post(
            path,
            data={"doc_type": doc_type},
            files={"file": ("passport.pdf", content, "application/pdf")},
            headers=manager,
        )

    exe = await upload("government_id", b"MZ\x90\x00 not a pdf at all")
    assert (exe.status_code, exe.json()["type"]) == (
        415,
        "urn:finfleet:problem:unsupported-document",
    )
    unknown = await upload("selfie", PDF)
    assert unknown.json()["type"] == "urn:finfleet:problem:unknown-document-type"
    huge = await upload("financials", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    assert (huge.status_code, huge.json()["type"]) == (
        413,
        "urn:finfleet:problem:document-too-large",
    )
    assert (await issuance.get(path, headers=manager)).json() == []


async def test_kyc_cannot_be_verified_without_documents(issuance, books):
    cash = await books.user("acme")
    issuer = (
        await issuance.post(
            "/v1/issuers",
            json={"name": "Acme", "cash_account_id": str(cash)},
            headers=issuance.as_("manager"),
        )
    ).json()
    response = await issuance.post(
        f"/v1/issuers/{issuer['id']}/kyc",
        json={"decision": "verified", "reason": "looks fine"},
        headers=issuance.as_("compliance", "officer-1"),
    )
    assert response.json()["type"] == "urn:finfleet:problem:documents-missing"


async def test_the_issuers_own_compliance_user_cannot_decide_its_kyc(platform, issuance):
    issuer = await platform.verified_issuer()
    response = await issuance.post(
        f"/v1/issuers/{issuer['id']}/kyc",
        json={"decision": "rejected", "reason": "self review"},
        headers=issuance.as_("compliance", "insider", issuer_id=issuer["id"]),
    )
    assert response.status_code == 403
    manager_as_reviewer = await issuance.post(
        f"/v1/issuers/{issuer['id']}/kyc",
        json={"decision": "verified", "reason": "self review"},
        headers=issuance.as_("manager", "issuer-manager"),
    )
    assert manager_as_reviewer.status_code == 403


async def test_an_issuer_needs_a_ledger_account_of_the_tenant(issuance, books):
    elsewhere = await books.user("acme", tenant="other-portal")
    for account in (elsewhere, uuid.uuid4()):
        response = await issuance.post(
            "/v1/issuers",
            json={"name": "Acme", "cash_account_id": str(account)},
            headers=issuance.as_("manager"),
        )
        assert response.json()["type"] == "urn:finfleet:problem:unknown-account"


async def test_another_tenants_issuer_is_not_found(platform, issuance):
    issuer = await platform.verified_issuer()
    response = await issuance.get(
        f"/v1/issuers/{issuer['id']}", headers=issuance.as_("owner", tenant="other-portal")
    )
    assert response.status_code == 404
