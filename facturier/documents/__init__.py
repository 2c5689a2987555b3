"""Legal documents: a frozen DocumentSnapshot -> PDF/A-3b with its Factur-X EN 16931 XML embedded.

Entry points: render.render_document(snapshot) and validation.check_document(pdf). Imports no Django model and
no facturier app other than facturier.core.
"""
