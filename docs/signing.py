"""Digital signature (chữ ký số): PAdES signing of generated notices with pyHanko when a
certificate is configured (SIGNING_P12, SIGNING_P12_PASSWORD), and offline validation of a
signed PDF. Only pyHanko's async API is used: the sync one calls asyncio.run."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from meeting.config import Settings

log = logging.getLogger("hop.signing")

_signers: dict[tuple[str, str], signers.SimpleSigner] = {}


async def configured_signer(settings: Settings) -> signers.SimpleSigner | None:
    """The signer for the configured PKCS#12 file, loaded once; None when none is configured."""
    if not settings.signing_p12:
        return None
    key = (settings.signing_p12, settings.signing_p12_password)
    if key not in _signers:
        signer = await asyncio.to_thread(
            signers.SimpleSigner.load_pkcs12,
            settings.signing_p12,
            passphrase=settings.signing_p12_password.encode() or None,
        )
        if signer is None:
            raise RuntimeError(f"cannot load the signing certificate {settings.signing_p12}")
        _signers[key] = signer
    return _signers[key]


async def sign_pdf(
    pdf: bytes, signer: signers.SimpleSigner, *, reason: str, location: str
) -> bytes:
    """PAdES B-B signature in a new signature field, as an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name="ChuKySo",
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    out = await signers.async_sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


def _signer_name(cert: Any) -> str:
    try:
        cn = cert.subject.native.get("common_name")
        return cn if isinstance(cn, str) else cert.subject.human_friendly
    except Exception:
        return ""


async def signature_report(pdf: bytes, trust_roots: list[Any] | None = None) -> dict[str, Any]:
    """What GET /api/documents/{id}/signature answers: is it signed, is it intact (not changed
    since signing), who signed it and when. Validated offline (no fetching of revocation data);
    `trusted` says whether the signer's certificate chains to one of `trust_roots` (the
    server's own signing certificate)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception:
        log.exception("cannot read signatures")
        return {"signed": False, "intact": False, "signatures": []}
    out = []
    for sig in sigs[:MAX_CHECKED]:
        vc = ValidationContext(trust_roots=trust_roots or [], allow_fetching=False)
        status = await async_validate_pdf_signature(sig, vc)
        when: datetime | None = status.signer_reported_dt
        out.append(
            {
                "field": sig.field_name,
                "intact": bool(status.intact),
                "valid": bool(status.valid),
                "trusted": bool(status.trusted),
                "covers_whole_document": status.coverage.name == "ENTIRE_FILE",
                "signer": _signer_name(status.signing_cert),
                "signer_subject": status.signing_cert.subject.human_friendly,
                "signing_time": when,
            }
        )
    first = out[0] if out else {}
    return {
        "signed": bool(out),
        "intact": bool(out) and all(s["intact"] and s["valid"] for s in out),
        "trusted": bool(out) and all(s["trusted"] for s in out),
        "signer": first.get("signer"),
        "signing_time": first.get("signing_time"),
        "signatures": out,
        "signatures_total": len(sigs),
    }


MAX_CHECKED = 20  # signatures validated per document; more are counted, not validated


def signature_report_file(path: str, roots_der: list[bytes]) -> dict[str, Any]:
    """signature_report of a stored file, for a bounded job (docs/jobs.py): pyHanko reads the
    whole signature field tree, which a hostile file can make arbitrarily large."""
    from asn1crypto import x509

    roots = [x509.Certificate.load(d) for d in roots_der]
    with open(path, "rb") as f:
        data = f.read()
    return asyncio.run(signature_report(data, roots))


async def server_trust_roots(settings: Settings) -> list[Any]:
    signer = await configured_signer(settings)
    if signer is None:
        return []
    roots = [signer.signing_cert]
    if signer.cert_registry is not None:
        roots.extend(signer.cert_registry)
    return roots
