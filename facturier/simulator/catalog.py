"""Reference data for generated orders: people, places, products.

VAT is decided by the product, not by the API (Octopia sends no reliable tax breakdown), so SKUs and
EANs carry a hint the tax rules can use:
- SKU "STD-…"   ordinary goods, French standard rate 20 %
- SKU "BOOK-…"  books, EAN prefix 978/979, reduced rate 5.5 %
- SKU "FOOD-…"  food, reduced rate 5.5 %
- SKU "PRESS-…" press publications, EAN prefix 977, super-reduced rate 2.1 %
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Product:
    sku: str
    ean_prefix: str
    title: str
    price: Decimal  # VAT included
    shipping: Decimal  # per line, VAT included

    @property
    def ean(self) -> str:
        digits = str(int(hashlib.sha256(self.sku.encode()).hexdigest(), 16))
        return gtin13(self.ean_prefix + digits[: 12 - len(self.ean_prefix)])


def gtin13(first_twelve: str) -> str:
    """Appends the GS1 check digit."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


LONG_TITLE = (
    "Aspirateur balai sans fil ultra-puissant 2-en-1 avec batterie lithium amovible longue durée, "
    "filtration HEPA multicouche, brosse motorisée anti-enchevêtrement, écran LED d'autonomie, "
    "station murale et accessoires pour parquet, tapis et poils d'animaux — coloris gris anthracite"
)

PRODUCTS = (
    Product(
        "STD-CASQ-001",
        "340",
        "Casque audio Bluetooth à réduction de bruit",
        Decimal("79.99"),
        Decimal("4.99"),
    ),
    Product("STD-CAFE-014", "340", "Cafetière italienne inox 6 tasses", Decimal("24.90"), Decimal("3.90")),
    Product("STD-LAMP-203", "376", "Lampe de bureau LED orientable", Decimal("32.50"), Decimal("5.49")),
    Product("STD-JOUE-077", "376", "Puzzle 1000 pièces « Château de Chambord »", Decimal("14.99"), Decimal("2.99")),
    Product("STD-ASPI-900", "340", LONG_TITLE, Decimal("189.00"), Decimal("0.00")),
    Product(
        "BOOK-9782070",
        "978",
        "Le Petit Prince — Antoine de Saint-Exupéry (poche)",
        Decimal("7.60"),
        Decimal("1.00"),
    ),
    Product("BOOK-9791034", "979", "Cuisine végétarienne : 200 recettes", Decimal("19.95"), Decimal("2.50")),
    Product("FOOD-THE-012", "376", "Thé vert Sencha bio 100 g", Decimal("8.40"), Decimal("2.90")),
    Product("FOOD-CHOC-31", "376", "Coffret chocolats noirs 70 % (250 g)", Decimal("16.90"), Decimal("3.50")),
    Product(
        "PRESS-MAG-07",
        "977",
        "Magazine Science & Vie — numéro de septembre",
        Decimal("5.90"),
        Decimal("0.00"),
    ),
)

FIRST_NAMES = (
    "Camille",
    "Louis",
    "Chloé",
    "Hugo",
    "Léa",
    "Gabriel",
    "Manon",
    "Jules",
    "Inès",
    "Arthur",
    "Élodie",
    "François",
    "Noémie",
    "Théo",
    "Maëlle",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Lefèvre",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
)
FRENCH_PLACES = (
    ("75011", "Paris"),
    ("69003", "Lyon"),
    ("13006", "Marseille"),
    ("31000", "Toulouse"),
    ("44000", "Nantes"),
    ("33000", "Bordeaux"),
    ("59000", "Lille"),
    ("67000", "Strasbourg"),
    ("35000", "Rennes"),
    ("06000", "Nice"),
)
STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "boulevard Victor Hugo",
    "rue des Écoles",
    "place de la Mairie",
    "chemin des Vignes",
    "rue du Général de Gaulle",
    "allée des Tilleuls",
)
CARRIERS = (
    ("Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={}"),
    ("Chronopost", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={}"),
    ("Mondial Relay", "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={}"),
)
