"""Starter articles and questions for the demo network, written by its demo people.

Loaded by `network.demo_loader` after the demo network and its logins exist. Running it again
changes nothing: articles are found by slug, questions by title.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from klinke.accounts.models import User
from klinke.knowledge import actions
from klinke.knowledge.models import Article, Question

DOMAIN = "demo.klinke.example"


def _person(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DOMAIN}").first()


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    language: str
    kind: str
    author: str
    topics: tuple[str, ...]
    summary: str
    body: str
    visibility: str = "public"
    translation_of: str = ""


@dataclass(frozen=True)
class DemoAnswer:
    author: str
    body: str
    accepted: bool = False


@dataclass(frozen=True)
class DemoQuestion:
    title: str
    asker: str
    topics: tuple[str, ...]
    body: str
    answers: tuple[DemoAnswer, ...] = field(default_factory=tuple)
    visibility: str = "members"


ACQUISITION_DE = """\
Die meisten Kollektive leben in den ersten Jahren von Empfehlungen. Das ist gut, solange es
reicht – und gefährlich, weil niemand merkt, wann es nicht mehr reicht. Dieses Playbook fasst
zusammen, was in der Runde der Leipziger und Kölner Kollektive im letzten Jahr funktioniert hat.

## Erst klären, wen ihr sucht

Bevor ihr Zeit in Akquise steckt, einigt euch im Plenum auf drei Dinge:

1. **Welche Projekte wollt ihr mehr?** Nicht „alles mit Django“, sondern zum Beispiel
   „Portale für Vereine und Verbände mit 5–20 Personentagen“.
2. **Welche Auftraggeber*innen passen zu euren Werten?** Schreibt eure roten Linien auf,
   bevor die erste verlockende Anfrage kommt.
3. **Wie viel Kapazität habt ihr wirklich?** Zählt Urlaub, Plenumszeit und Wartung mit.

## Kanäle, die für Kollektive funktionieren

- **Bestehende Kund*innen.** Ein kurzer Anruf nach Projektende („Was steht bei euch als
  Nächstes an?“) bringt mehr als jede Anzeige.
- **Netzwerke der Zivilgesellschaft.** Dachverbände, Stiftungen und Förderprogramme suchen
  oft Dienstleister*innen mit ähnlichen Werten.
- **Öffentliche Ausschreibungen.** Aufwendig, aber planbar. Tut euch für größere Lose mit
  einem anderen Kollektiv zusammen.
- **Vorträge und Workshops.** Wer auf einem Barcamp erklärt, wie barrierefreie Formulare
  gehen, wird danach gefragt, ob er sie auch baut.

## Akquise als gemeinsame Aufgabe

In vielen Kollektiven bleibt Akquise an ein oder zwei Leuten hängen. Das macht abhängig und
erschöpft. Was geholfen hat:

- eine feste **Akquise-Rotation** (pro Quartal zwei Personen),
- eine gemeinsame **Pipeline** mit Phasen (neu, qualifiziert, Kostenschätzung, Verhandlung),
- ein **Entscheidungsritual**: Jede größere Anfrage wird im Plenum kurz vorgestellt, und
  das Kollektiv entscheidet im Konsent, ob ihr ein Angebot abgebt.

## Wenn es nicht passt: weitergeben

Eine Anfrage, die nicht zu euch passt, ist trotzdem etwas wert. Gebt sie an ein anderes
Kollektiv im Netzwerk weiter. Wer weitergibt, bekommt erfahrungsgemäß auch etwas zurück.
"""

PRICING_DE = """\
Über Geld reden viele Kollektive ungern. Dabei ist eine nachvollziehbare Preisgestaltung
eine der wirksamsten Formen von Selbstschutz: Sie verhindert Selbstausbeutung und macht euch
gegenüber Auftraggeber*innen glaubwürdig.

## Den Tagessatz herleiten statt raten

Rechnet vom Bedarf her, nicht vom Markt:

1. **Was braucht eine Person im Monat?** Bruttolohn inklusive Sozialabgaben.
2. **Was kostet das Kollektiv?** Miete, Software, Buchhaltung, Versicherungen, Rücklagen.
3. **Wie viele Tage sind wirklich abrechenbar?** Realistisch sind 100 bis 130 Tage pro Jahr
   und Person – Akquise, Plenum, Weiterbildung und Krankheit gehen ab.

Teilt die Jahreskosten durch die abrechenbaren Tage. Das Ergebnis ist euer *Mindest*satz,
nicht euer Preis.

Der [Tagessatz-Rechner](/day-rate/) in klinke rechnet das für euer Kollektiv durch, mit
Sozialabgaben, Steuern, Urlaub, Krankheit und solidarischen Sätzen, und erklärt das Ergebnis
euren Auftraggeber*innen in einfachen Worten.

## Kostenschätzungen, die halten

Eine gute Kostenschätzung zeigt, wie sie zustande kommt:

- **Arbeitspakete** statt einer Gesamtsumme,
- **Spannen** (von–bis) statt Scheingenauigkeit,
- **Annahmen**, die ausdrücklich genannt werden („Inhalte werden von euch geliefert“),
- ein **Puffer** von 15 bis 25 % für Unvorhergesehenes, offen ausgewiesen.

## Festpreis oder Aufwand?

Festpreise sind für Auftraggeber*innen bequem und für euch riskant. Ein Mittelweg, der sich
bewährt hat: Festpreis für eine klar umrissene erste Phase, danach Abrechnung nach Aufwand
mit monatlicher Obergrenze.

## Solidarische Preise

Viele Kollektive arbeiten mit gestaffelten Sätzen, zum Beispiel einem reduzierten Satz für
kleine Vereine. Legt vorher fest, wie viel Prozent eures Umsatzes ihr so vergeben könnt –
sonst subventioniert ihr unbemerkt eure Kund*innen.
Der [Tagessatz-Rechner](/day-rate/) zeigt, welchen Aufschlag ein ermäßigter Satz für die
anderen bedeutet.
"""

PRICING_EN = """\
Many collectives don't like talking about money. Yet transparent pricing is one of the most
effective ways to protect yourselves: it prevents self-exploitation and makes you credible to
clients.

## Derive your day rate instead of guessing

Work from what you need, not from the market:

1. **What does one person need per month?** Gross pay including social security.
2. **What does the collective cost?** Rent, software, bookkeeping, insurance, reserves.
3. **How many days can really be billed?** 100 to 130 days per person and year is realistic
   once acquisition, plenaries, learning and sick days are taken out.

Divide the yearly costs by the billable days. The result is your *minimum* rate, not your
price.

klinke's [day-rate calculator](/day-rate/) works this out for your collective, with social
contributions, taxes, holidays, sick days and solidarity rates, and explains the result to
your clients in plain words.

## Estimates that hold

A good estimate shows how it was made:

- **work packages** rather than one total,
- **ranges** (from–to) rather than false precision,
- **assumptions** stated explicitly ("you provide the content"),
- a **buffer** of 15 to 25 % for the unexpected, shown openly.

## Fixed price or time and materials?

Fixed prices are convenient for clients and risky for you. A middle way that has worked: a
fixed price for a clearly scoped first phase, then time and materials with a monthly cap.

## Solidarity pricing

Many collectives use tiered rates, for example a reduced rate for small associations. Decide
in advance what share of your turnover you can give away like this – otherwise you end up
quietly subsidising your clients.
The [day-rate calculator](/day-rate/) shows what surplus a reduced rate means for everyone
else.
"""

CONTRACTS_DE = """\
Ein Vertrag ist kein Zeichen von Misstrauen, sondern eine gemeinsame Erinnerung daran, was
vereinbart wurde. Diese Checkliste ersetzt keine Rechtsberatung, hilft aber, die wichtigsten
Punkte nicht zu vergessen.

## Was in jeden Projektvertrag gehört

- **Leistungsbeschreibung**: Was genau wird geliefert? Verweist auf die Kostenschätzung mit
  ihren Arbeitspaketen und Annahmen.
- **Mitwirkungspflichten**: Was müssen Auftraggeber*innen beitragen (Inhalte, Zugänge,
  Feedback innerhalb von X Werktagen)?
- **Abnahme**: Wie und bis wann wird abgenommen? Ohne Frist zieht sich das endlos.
- **Vergütung und Zahlungsplan**: Abschläge nach Meilensteinen schützen eure Liquidität.
- **Änderungen**: Wie werden Änderungswünsche geschätzt und beauftragt?
- **Nutzungsrechte und Lizenzen**: Bei freier Software klarstellen, welche Teile unter
  welcher Lizenz stehen.
- **Haftung**: Begrenzung auf die Auftragssumme, soweit gesetzlich zulässig.
- **Datenschutz**: Wenn ihr personenbezogene Daten verarbeitet, braucht es einen
  Auftragsverarbeitungsvertrag (AVV).

## Werkvertrag oder Dienstvertrag?

Beim **Werkvertrag** schuldet ihr ein Ergebnis, beim **Dienstvertrag** eine Tätigkeit.
Wartung, Beratung und agile Entwicklung passen meist besser zum Dienstvertrag. Lasst euch
bei größeren Projekten beraten – im Netzwerk gibt es Unterstützer*innen, die genau das tun.

## Allgemeine Geschäftsbedingungen

Eigene AGB sparen Verhandlungszeit. Stimmt sie einmal im Kollektiv ab und lasst sie juristisch
prüfen. Danach gilt: Abweichungen nur bewusst und schriftlich.
"""

SUPPORTERS_EN = """\
Supporters are people and organisations with experience who want to help collectives:
freelancers, people employed in the industry, consultancies, associations. Working with them
goes best when both sides know what to expect.

## Before you ask

- **Be specific.** "We need help with acquisition" is hard to answer. "We want to respond to
  our first public tender and don't know how to read the award criteria" is easy.
- **Say how much time you hope for.** Most supporters give a few hours a month.
- **Share context early**: your size, your legal form, what you already tried.

## During the exchange

1. Agree on the **format**: a call, a shared document, a review of your estimate.
2. Write down **what you took away** and send it to your supporter. It shows respect and
   helps you remember.
3. If it turns into real work, talk about **payment** openly. Advice is often free; a
   three-day review is not.

## Afterwards

Close the loop: tell the supporter what happened. Give feedback in klinke when the
introduction is complete – it helps the network suggest the right people to others.

## What supporters told us they appreciate

- questions that show you have thought about the problem,
- clear yes/no answers to "does this still help you?",
- being credited when their advice ends up in a knowledge article.
"""

ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        slug="akquise-fuer-kollektive",
        title="Akquise für Kollektive",
        language="de",
        kind="playbook",
        author="mira",
        topics=("acquisition", "networking"),
        summary="Wie Kollektive Aufträge finden, ohne dass die Akquise an wenigen hängen bleibt.",
        body=ACQUISITION_DE,
    ),
    DemoArticle(
        slug="preisgestaltung-und-kostenschaetzung",
        title="Preisgestaltung und Kostenschätzung",
        language="de",
        kind="article",
        author="helga.wintermantel",
        topics=("pricing",),
        summary="Vom Tagessatz zur nachvollziehbaren Kostenschätzung: Spannen, Annahmen, Puffer.",
        body=PRICING_DE,
    ),
    DemoArticle(
        slug="pricing-and-estimates",
        title="Pricing and estimates",
        language="en",
        kind="article",
        author="matthijs.van.der.kolk",
        topics=("pricing",),
        summary="From a day rate you can live on to estimates clients understand.",
        body=PRICING_EN,
        translation_of="preisgestaltung-und-kostenschaetzung",
    ),
    DemoArticle(
        slug="vertraege-checkliste",
        title="Verträge: Was in jeden Projektvertrag gehört",
        language="de",
        kind="playbook",
        author="katrin.oberhollenzer",
        topics=("contracts",),
        summary="Eine Checkliste für Projektverträge, Werk- und Dienstvertrag, AGB.",
        body=CONTRACTS_DE,
    ),
    DemoArticle(
        slug="working-with-supporters",
        title="Working with supporters",
        language="en",
        kind="experience",
        author="valentina.arismendi",
        topics=("acquisition", "consulting"),
        summary="What makes an exchange with an experienced supporter work for both sides.",
        body=SUPPORTERS_EN,
        visibility="members",
    ),
)

QUESTIONS: tuple[DemoQuestion, ...] = (
    DemoQuestion(
        title="Wie viel Puffer plant ihr bei Festpreisprojekten ein?",
        asker="janne",
        topics=("pricing", "project-management"),
        body=(
            "Wir haben gerade ein Festpreisprojekt um fast 40 % überzogen. Wie viel Puffer "
            "rechnet ihr ein, und sagt ihr das den Auftraggeber*innen offen?"
        ),
        answers=(
            DemoAnswer(
                author="helga.wintermantel",
                accepted=True,
                body=(
                    "Wir weisen **20 % Puffer** offen als eigene Position aus. Wichtiger als "
                    "die Zahl ist aber:\n\n"
                    "- die Annahmen schriftlich festhalten,\n"
                    "- Änderungswünsche sofort schätzen und bestätigen lassen,\n"
                    "- nach der ersten Phase neu schätzen.\n\n"
                    "Wer den Puffer versteckt, muss ihn später verteidigen."
                ),
            ),
            DemoAnswer(
                author="frieda.lorenzen",
                body=(
                    "Bei uns hat geholfen, Festpreise nur noch für die erste Phase zu machen "
                    "(Konzept und Prototyp). Danach rechnen wir nach Aufwand mit Obergrenze ab."
                ),
            ),
        ),
    ),
    DemoQuestion(
        title="How do you handle clients who want to pay only after launch?",
        asker="amir.pourmand",
        topics=("contracts", "finance"),
        body=(
            "A foundation wants to pay the whole sum after the site goes live, six months from "
            "now. We can't pre-finance that. How do you negotiate milestone payments?"
        ),
        answers=(
            DemoAnswer(
                author="katrin.oberhollenzer",
                body=(
                    "Propose **30 / 40 / 30**: a third at signing, the middle part at the "
                    "accepted beta, the rest at launch. Foundations usually accept it once "
                    "they see it in the contract template rather than as a special request."
                ),
            ),
            DemoAnswer(
                author="rohan.mehta-vos",
                body=(
                    "Ask their finance people directly. Often the programme officer assumes "
                    "a rule that doesn't exist; grant budgets normally allow instalments."
                ),
            ),
        ),
    ),
)


def _load_article(item: DemoArticle) -> bool:
    if Article.objects.filter(slug=item.slug).exists():
        return False
    translation_of = None
    if item.translation_of:
        translation_of = Article.objects.filter(slug=item.translation_of).first()
    actions.do_create_article(
        author=_person(item.author),
        title=item.title,
        slug=item.slug,
        body=item.body,
        language=item.language,
        kind=item.kind,
        visibility=item.visibility,
        topics=actions.topics_from_slugs(item.topics),
        summary=item.summary,
        translation_of=translation_of,
        note="Demo",
        is_demo=True,
    )
    return True


def _load_question(item: DemoQuestion) -> bool:
    asker = _person(item.asker)
    if asker is None or Question.objects.filter(title=item.title, is_demo=True).exists():
        return False
    question = actions.do_ask_question(
        asker=asker,
        title=item.title,
        body=item.body,
        topics=actions.topics_from_slugs(item.topics),
        visibility=item.visibility,
        is_demo=True,
    )
    # Demo questions are not sent to anyone's digest.
    Question.objects.filter(pk=question.pk).update(matched_at=timezone.now())
    for demo_answer in item.answers:
        author = _person(demo_answer.author)
        if author is None:
            continue
        answer = actions.do_answer_question(
            question=question, author=author, body=demo_answer.body, is_demo=True
        )
        if demo_answer.accepted:
            actions.do_accept_answer(question_id=question.pk, user=asker, answer_id=answer.pk)
    return True


@transaction.atomic
def load_demo_content() -> str:
    """Add the demo articles and questions that are missing; returns a one-line summary."""
    articles = sum(_load_article(item) for item in ARTICLES)
    questions = sum(_load_question(item) for item in QUESTIONS)
    return f"knowledge: {articles} articles, {questions} questions added"
