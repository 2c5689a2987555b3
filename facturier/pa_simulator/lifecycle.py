"""Life-cycle messages the simulated PA emits for a deposited B2B invoice (CDAR, flux 6).

A reduced CDAR: the elements a receiver reads (invoice number, status code and name, reason) in the CDAR
namespaces and paths of XP Z12-012; the full message has some twenty more mandatory fields.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

RSM = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
STATUS_NAMES = {
    "200": "Déposée", "201": "Émise par la plateforme", "205": "Approuvée", "210": "Refusée", "212": "Encaissée",
    "213": "Rejetée",
}  # fmt: skip


def cdar(invoice_number: str, code: str, moment: str, reason_code: str = "", reason: str = "") -> bytes:
    status = ""
    if reason:
        status = (f"<ram:SpecifiedDocumentStatus><ram:ReasonCode>{escape(reason_code)}</ram:ReasonCode>"
                  f"<ram:Reason>{escape(reason)}</ram:Reason></ram:SpecifiedDocumentStatus>")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="{RSM}" xmlns:ram="{RAM}" xmlns:udt="{UDT}">'
        f"<rsm:ExchangedDocument><ram:IssueDateTime>"
        f'<udt:DateTimeString format="204">{moment}</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>'
        f"<rsm:AcknowledgementDocument><ram:ReferenceReferencedDocument>"
        f"<ram:IssuerAssignedID>{escape(invoice_number)}</ram:IssuerAssignedID>"
        f"<ram:ProcessConditionCode>{code}</ram:ProcessConditionCode>"
        f"<ram:ProcessCondition>{STATUS_NAMES[code]}</ram:ProcessCondition>{status}"
        f"</ram:ReferenceReferencedDocument></rsm:AcknowledgementDocument>"
        f"</rsm:CrossDomainAcknowledgementAndResponse>"
    ).encode()
