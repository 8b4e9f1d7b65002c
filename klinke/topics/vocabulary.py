"""The vocabulary every network starts with; stewards extend it in the admin.

Used by the seed migration, so entries here are only ever added, never renamed in place.
"""

from typing import NamedTuple


class SeedTopic(NamedTuple):
    slug: str
    name_en: str
    name_de: str
    kind: str
    parent: str | None = None


SEED_TOPICS: tuple[SeedTopic, ...] = (
    SeedTopic("acquisition", "Acquisition and sales", "Akquise und Vertrieb", "business"),
    SeedTopic(
        "networking",
        "Networking and contacts",
        "Netzwerken und Kontakte",
        "business",
        "acquisition",
    ),
    SeedTopic(
        "pricing", "Pricing and estimates", "Preisgestaltung und Kostenschätzung", "business"
    ),
    SeedTopic("contracts", "Contracts and law", "Verträge und Recht", "business"),
    SeedTopic(
        "legal-forms",
        "Legal forms and collective governance",
        "Rechtsformen und kollektive Selbstverwaltung",
        "business",
    ),
    SeedTopic("cooperatives", "Cooperatives", "Genossenschaften", "business", "legal-forms"),
    SeedTopic(
        "finance", "Finance, bookkeeping and taxes", "Finanzen, Buchhaltung und Steuern", "business"
    ),
    SeedTopic("funding", "Funding", "Förderung", "business"),
    SeedTopic(
        "marketing",
        "Marketing and public presence",
        "Marketing und Öffentlichkeitsarbeit",
        "business",
    ),
    SeedTopic("public-tenders", "Public tenders", "Öffentliche Ausschreibungen", "business"),
    SeedTopic("project-management", "Project management", "Projektmanagement", "business"),
    SeedTopic("hiring", "Hiring and employment", "Personal und Anstellung", "business"),
    SeedTopic("web-development", "Web development", "Webentwicklung", "technical"),
    SeedTopic(
        "frontend", "Frontend development", "Frontend-Entwicklung", "technical", "web-development"
    ),
    SeedTopic(
        "backend", "Backend development", "Backend-Entwicklung", "technical", "web-development"
    ),
    SeedTopic("accessibility", "Accessibility", "Barrierefreiheit", "technical", "web-development"),
    SeedTopic(
        "cms",
        "Content management systems",
        "Content-Management-Systeme",
        "technical",
        "web-development",
    ),
    SeedTopic("consulting", "IT consulting", "IT-Beratung", "technical"),
    SeedTopic("hosting", "Hosting and operations", "Hosting und Betrieb", "technical"),
    SeedTopic(
        "cloud-infrastructure",
        "Cloud infrastructure",
        "Cloud-Infrastruktur",
        "technical",
        "hosting",
    ),
    SeedTopic("it-security", "IT security", "IT-Sicherheit", "technical"),
    SeedTopic(
        "data-protection",
        "Data protection and GDPR",
        "Datenschutz und DSGVO",
        "technical",
        "it-security",
    ),
    SeedTopic("data", "Data and analytics", "Daten und Analyse", "technical"),
    SeedTopic("mobile-apps", "Mobile apps", "Mobile Apps", "technical"),
    SeedTopic("design-ux", "Design and UX", "Design und UX", "technical"),
    SeedTopic("free-software", "Free software", "Freie Software", "technical"),
    SeedTopic("training", "Training", "Schulung und Weiterbildung", "technical"),
)
