"""PDF/A-3b + Factur-X container written in the same reportlab pass as the page content.

reportlab's low-level pdfdoc objects carry the catalog entries PDF/A-3 and Factur-X need (/OutputIntents,
/Metadata XMP, /Names /EmbeddedFiles, /AF), so the PDF is never re-parsed (the factur-x library re-writes
the whole file through pypdf, about 5 times slower). Dates come from the issue date, so the same snapshot
always gives byte-identical files (stable sha256).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from xml.sax.saxutils import escape

from PIL import ImageCms
from reportlab.pdfbase import pdfdoc

FACTURX_FILENAME = "factur-x.xml"
FACTURX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
PRODUCER = "Facturier (ReportLab)"
_BETWEEN_ELEMENTS = re.compile(r">\s+<")
# Catalog keys reportlab does not know about; added to the per-instance list it formats.
EXTRA_CATALOG_KEYS = ("AF", "OutputIntents")

XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{producer}</pdf:Producer>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>{producer}</xmp:CreatorTool>
   <xmp:CreateDate>{timestamp}</xmp:CreateDate>
   <xmp:ModifyDate>{timestamp}</xmp:ModifyDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>{fx_namespace}</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>{fx_properties}
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:fx="{fx_namespace}">
   <fx:DocumentType>INVOICE</fx:DocumentType>
   <fx:DocumentFileName>{filename}</fx:DocumentFileName>
   <fx:Version>1.0</fx:Version>
   <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""

FX_PROPERTY = """
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>{name}</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>{description}</pdfaProperty:description>
        </rdf:li>"""
FX_PROPERTIES = {
    "DocumentFileName": "The name of the embedded XML document",
    "DocumentType": "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER",
    "Version": "The actual version of the standard applying to the embedded XML document",
    "ConformanceLevel": "The conformance level of the embedded XML document",
}


@dataclass(frozen=True)
class DocumentInfo:
    """The few descriptive fields written both in the Info dictionary and in XMP (PDF/A wants them equal)."""

    title: str
    author: str
    subject: str
    issued: date

    @property
    def pdf_date(self) -> str:
        return self.issued.strftime("D:%Y%m%d000000+00'00'")

    @property
    def xmp_date(self) -> str:
        return self.issued.strftime("%Y-%m-%dT00:00:00+00:00")


class _InfoDictionary(pdfdoc.PDFObject):
    """Replaces reportlab's PDFInfo, whose Keywords/Trapped/author defaults have no XMP twin here."""

    def __init__(self, info: DocumentInfo) -> None:
        self.info = info

    def digest(self, md5object) -> None:  # reportlab feeds it to its file-ID signature; ours is fixed
        return None

    def format(self, document):
        info = self.info
        return pdfdoc.PDFDictionary({
            "Title": pdfdoc.PDFString(info.title),
            "Author": pdfdoc.PDFString(info.author),
            "Subject": pdfdoc.PDFString(info.subject),
            "Creator": pdfdoc.PDFString(PRODUCER),
            "Producer": pdfdoc.PDFString(PRODUCER),
            "CreationDate": pdfdoc.PDFString(info.pdf_date),
            "ModDate": pdfdoc.PDFString(info.pdf_date),
        }).format(document)


ICC_DATE = struct.pack(">6H", 2026, 1, 1, 0, 0, 0)  # ICC header bytes 24-35: creation date and time


@cache
def srgb_icc_profile() -> bytes:
    """LittleCMS's built-in sRGB (588 bytes). Its header carries the time it was built, which would make the
    PDF bytes (and sha256) differ from one process to the next: that date is pinned."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = ICC_DATE
    if any(profile[84:100]):  # a profile ID is the MD5 of the profile with flags, intent and ID zeroed
        digest = bytearray(profile)
        digest[44:48], digest[64:68], digest[84:100] = bytes(4), bytes(4), bytes(16)
        profile[84:100] = hashlib.md5(digest, usedforsecurity=False).digest()
    return bytes(profile)


@cache
def _xmp_skeleton() -> str:
    """The template without the indentation between elements (insignificant in RDF/XML; 1 KB per PDF)."""
    properties = "".join(FX_PROPERTY.format(name=n, description=d) for n, d in FX_PROPERTIES.items())
    packet = XMP_TEMPLATE.replace("{fx_properties}", properties).replace("{fx_namespace}", FACTURX_NAMESPACE)
    return _BETWEEN_ELEMENTS.sub("><", packet)


def xmp_packet(info: DocumentInfo) -> bytes:
    return _xmp_skeleton().format(
        title=escape(info.title), author=escape(info.author), subject=escape(info.subject),
        producer=PRODUCER, timestamp=info.xmp_date, filename=FACTURX_FILENAME,
    ).encode("utf-8")


def make_pdfa3(doc: pdfdoc.PDFDocument, info: DocumentInfo, xml: bytes) -> None:
    """Turn a reportlab document, before save(), into a PDF/A-3b Factur-X container holding `xml`."""
    doc.info = _InfoDictionary(info)
    doc._ID = _file_identifier(xml, info)
    catalog = doc.Catalog
    catalog.__NoDefault__ = [*pdfdoc.PDFCatalog.__NoDefault__, *EXTRA_CATALOG_KEYS]
    catalog.OutputIntents = pdfdoc.PDFArray([_output_intent(doc)])
    catalog.Metadata = pdfdoc.PDFStream(  # uncompressed: XMP must stay readable by non-PDF tools
        pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("Metadata"), "Subtype": pdfdoc.PDFName("XML")}),
        xmp_packet(info),
    )
    file_spec = doc.Reference(_file_spec(doc, xml, info))
    catalog.AF = pdfdoc.PDFArray([file_spec])
    catalog.Names = pdfdoc.PDFDictionary({
        "EmbeddedFiles": pdfdoc.PDFDictionary({
            "Names": pdfdoc.PDFArray([pdfdoc.PDFString(FACTURX_FILENAME), file_spec]),
        }),
    })


def _file_identifier(xml: bytes, info: DocumentInfo) -> bytes:
    digest = hashlib.md5(xml + info.title.encode("utf-8"), usedforsecurity=False).hexdigest().encode()
    return b"\n[<" + digest + b"> <" + digest + b">]\n"


def _output_intent(doc: pdfdoc.PDFDocument) -> pdfdoc.PDFDictionary:
    profile = pdfdoc.PDFStream(
        pdfdoc.PDFDictionary({"N": 3, "Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])}),
        _compressed_icc(),
    )
    return pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("OutputIntent"),
        "S": pdfdoc.PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": pdfdoc.PDFString("sRGB"),
        "RegistryName": pdfdoc.PDFString("http://www.color.org"),
        "Info": pdfdoc.PDFString("sRGB IEC61966-2.1"),
        "DestOutputProfile": doc.Reference(profile),
    })


@cache
def _compressed_icc() -> bytes:
    return zlib.compress(srgb_icc_profile(), 9)


def _file_spec(doc: pdfdoc.PDFDocument, xml: bytes, info: DocumentInfo) -> pdfdoc.PDFDictionary:
    embedded = pdfdoc.PDFStream(
        pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("EmbeddedFile"),
            "Subtype": "/text#2Fxml",  # PDFName would not escape the slash of the MIME type
            "Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")]),
            "Params": pdfdoc.PDFDictionary({
                "Size": len(xml),
                "ModDate": pdfdoc.PDFString(info.pdf_date),
                "CheckSum": pdfdoc.PDFText(hashlib.md5(xml, usedforsecurity=False).digest(), enc="raw"),
            }),
        }),
        zlib.compress(xml, 6),
    )
    reference = doc.Reference(embedded)
    return pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("Filespec"),
        "F": pdfdoc.PDFString(FACTURX_FILENAME),
        "UF": pdfdoc.PDFString(FACTURX_FILENAME),
        "Desc": pdfdoc.PDFString("Factur-X XML invoice"),
        "AFRelationship": pdfdoc.PDFName("Data"),
        "EF": pdfdoc.PDFDictionary({"F": reference, "UF": reference}),
    })
